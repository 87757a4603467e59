"""The site's URLs with Camunda's /external-task routes mounted on /engine-rest/, for the
live server the external-task worker tests start (until api/camunda/main.py mounts
them itself; then this leaves them as they are)."""

from api.camunda import external_tasks
from api.camunda.main import api

if not any(router is external_tasks.router for _prefix, router in api._routers):
    api.add_router("/external-task", external_tasks.router)

from bpm_project.urls import urlpatterns  # noqa: E402 - after the router is mounted

__all__ = ["urlpatterns"]
