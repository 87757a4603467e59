"""Settings of the live server in the external-task worker tests: the test servers'
settings, with Camunda's /external-task routes mounted (external_tasks_urls)."""

from tests.support.server_settings import *  # noqa: F403

ROOT_URLCONF = "tests.api.external_tasks_urls"
