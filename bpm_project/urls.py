from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache

from api.urls import api_urls
from bpm_project import heartbeat, second_factor


@never_cache
@login_not_required
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers (else 500).

    Also when the worker last ran a task and beat last sent one; a stale heartbeat is
    reported, not failed, so a stopped worker does not get the web process restarted.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beats = heartbeat.report(stale_after=settings.HEARTBEAT_STALE_SECONDS)
    status = "ok" if all(b["ok"] for b in beats.values()) else "degraded"
    return JsonResponse({"status": status, "database": "ok", **beats})


# No route serves MEDIA_ROOT, in any mode: the only uploads are case attachments, and
# they are sent only by the cases' and the portal's views, which check who asks.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/code/", second_factor.enter_code, name="login-code"),
    path("", include("crm.urls")),
    path("processes/", include("processes.urls")),
    path("activities/", include("activities.urls")),
    path("cases/dynamic/", include("dynamic_cases.urls")),
    path("cases/knowledge-base/", include("knowledge.urls")),
    path("cases/", include("cases.urls")),
    path("portal/", include("portal.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/", api_urls),
    path("engine-rest/", include("api.camunda.urls", namespace="engine-rest")),
    path("profile/tokens/", include("api.urls")),
    path("admin/", admin.site.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("bpm_project.oidc")))

handler403 = "crm.views.error_403"
handler404 = "crm.views.error_404"
handler500 = "crm.views.error_500"
