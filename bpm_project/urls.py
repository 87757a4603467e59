from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.static import serve


@never_cache
@login_not_required
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("crm.urls")),
    path("processes/", include("processes.urls")),
    path("activities/", include("activities.urls")),
    path("cases/dynamic/", include("dynamic_cases.urls")),
    path("cases/knowledge-base/", include("knowledge.urls")),
    path("cases/", include("cases.urls")),
    path("portal/", include("portal.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "crm.views.error_403"
handler404 = "crm.views.error_404"
handler500 = "crm.views.error_500"


@login_not_required
def public_media(request, path, document_root=None):
    # Case attachments are never public: cases' attachment view checks who asks.
    if path.lstrip("/").startswith("case-attachments/"):
        raise Http404
    return serve(request, path, document_root=document_root)


if settings.DEBUG:
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.lstrip('/')}<path:path>",
            public_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
