"""The one way other code pushes HTML to a user's open pages.

    from notifications.push import push_html, push_to_users
    push_html(user.pk, render_to_string("cases/includes/case_row.html", {...}))

The HTML is a fragment whose top-level elements carry ids (and, if they should
not replace the element wholesale, an ``hx-swap-oob`` strategy); the browser's
htmx WebSocket extension swaps each into the page. Push only into containers
that always exist in base.html (``#toasts``, ``#modal-root``, the panel lists
and counters) or that the user's page is known to have.

Sending waits for the current transaction to commit, so a page never sees a
fragment for a row that is rolled back or not yet visible to its next request.
"""

import asyncio
import hashlib
import logging
import os
import threading
from collections.abc import Iterable

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

PUSH_EVENT_TYPE = "push.html"
SESSION_ENDED_EVENT_TYPE = "session.ended"


def user_group(user_id: int) -> str:
    """The channel-layer group every open page of this user joins."""
    return f"user-{int(user_id)}"


def session_group(session_key: str) -> str:
    """The channel-layer group every open page of one browser session joins.

    Named by a digest of the key: the key itself signs a browser in and must not
    appear in the channel layer's Redis keys."""
    digest = hashlib.sha256(session_key.encode()).hexdigest()[:40]
    return f"session-{digest}"


def push_html(user_id: int, html: str) -> None:
    """Send ``html`` to every open page of one user, after the transaction commits."""
    push_to_users([user_id], html)


def push_to_users(user_ids: Iterable[int], html: str) -> None:
    """Send ``html`` to every open page of each user, after the transaction commits."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids or not html or not html.strip():
        return
    transaction.on_commit(lambda: _send(ids, html))


def close_session_sockets(session_key: str) -> None:
    """Close every open page's socket of one browser session (at sign-out), at once:
    the pages read the closing code as signed out and stop reconnecting."""
    if session_key:
        _group_send([(session_group(session_key), {"type": SESSION_ENDED_EVENT_TYPE})])


def _send(user_ids: list[int], html: str) -> None:
    event = {"type": PUSH_EVENT_TYPE, "html": html}
    _group_send([(user_group(user_id), event) for user_id in user_ids])


def _group_send(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all():
        for group, event in messages:
            await layer.group_send(group, event)

    try:
        loop = _loop_for(layer)
        if _running_loop() is loop:
            loop.create_task(send_all())  # already on that loop: waiting would deadlock
        else:
            asyncio.run_coroutine_threadsafe(send_all(), loop).result(timeout=SEND_TIMEOUT)
    except Exception:
        # The database is the record of truth; a lost push is caught up by polling.
        logger.exception("Sending to groups %s failed", [group for group, _ in messages])


SEND_TIMEOUT = 10
_server_loop: asyncio.AbstractEventLoop | None = None
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None
_loop_lock = threading.Lock()


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def remember_server_loop() -> None:
    """Called from a consumer: the loop the in-process server runs its sockets on."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def _loop_for(layer) -> asyncio.AbstractEventLoop:
    # Channels' in-memory layer (embedded mode) keeps asyncio queues that belong to
    # the server's loop: pushes must run there, never on a loop of another thread.
    loop = _server_loop
    if isinstance(layer, InMemoryChannelLayer) and loop is not None and not loop.is_closed():
        return loop
    return _push_loop()


def _push_loop() -> asyncio.AbstractEventLoop:
    """One event loop thread per process for pushes from sync code.

    It keeps the channel layer's Redis connections open between pushes (a new loop
    per push would open new ones each time), sends in the order pushes were made,
    and works from threads that already run a loop of their own."""
    global _loop, _loop_pid
    with _loop_lock:
        if _loop is None or _loop.is_closed() or _loop_pid != os.getpid():
            _loop = asyncio.new_event_loop()
            _loop_pid = os.getpid()
            threading.Thread(target=_loop.run_forever, name="flowdesk-push", daemon=True).start()
        return _loop
