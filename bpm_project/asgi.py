"""ASGI entry point: HTTP through Django (static files included), WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from bpm_project import ticker  # noqa: E402
from bpm_project.celery import register_all_tasks  # noqa: E402
from bpm_project.routing import websocket_urlpatterns  # noqa: E402
from bpm_project.second_factor import SecondFactorWebsocketMiddleware  # noqa: E402


def _allowed_origins():
    if settings.FLOWDESK_WS_ALLOWED_ORIGINS:
        return settings.FLOWDESK_WS_ALLOWED_ORIGINS
    return [h if h != "*" else "*" for h in settings.ALLOWED_HOSTS]


# Tasks run by name (the ticker's, beat's) must be known here as in a worker.
register_all_tasks()
if settings.FLOWDESK_TICKER and settings.EMBEDDED:
    ticker.start()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": OriginValidator(
            AuthMiddlewareStack(SecondFactorWebsocketMiddleware(URLRouter(websocket_urlpatterns))),
            _allowed_origins(),
        ),
    }
)
