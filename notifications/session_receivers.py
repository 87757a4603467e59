"""What a sign-out ends besides the session: the live sockets of that browser session.

django.contrib.auth announces the sign-out (``user_logged_out``, sent before the
session is flushed, so its key still names the session); this module closes every
open page's socket of that session. ``connect()`` is called from
NotificationsConfig.ready(); it is idempotent (dispatch_uid).
"""

from django.contrib.auth.signals import user_logged_out

from notifications.push import close_session_sockets


def on_logged_out(sender, *, request, user=None, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        close_session_sockets(session.session_key)


def connect() -> None:
    user_logged_out.connect(on_logged_out, dispatch_uid="notifications.session_logged_out")
