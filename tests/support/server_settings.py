"""Settings for the Daphne and Celery worker processes that tests start.

The same settings as production, plus one test-only app: the live servers run
for the whole session while transactional tests flush the database between
tests, which recreates content types under new ids.
"""

from bpm_project.settings import *  # noqa: F403
from bpm_project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.support.liveapp"]
