"""Browser tests: headless Chromium against a real Daphne and a real Celery worker.

Fixtures for any browser test in any issue:

- ``live_servers`` / ``live_url``: Daphne (HTTP + WebSockets) and a Celery worker,
  started once per session as subprocesses on the test database, each session with
  its own channel-layer prefix and Celery queue. The test process is pointed at the
  same prefix and queue, so ``push_html`` or ``some_task.delay()`` called in a test
  reach the live pages and the worker.
- ``browser``: one Chromium for the session (Debian's /usr/bin/chromium).
- ``new_page()``: a fresh context (own cookies) at 1280x800 with ``base_url`` set.
- ``signed_in_page(user, path="/")``: signs ``user`` in through the real login form
  (password "password", as tests/conftest.py and ``make_user`` create them).
- ``wait_for_live(page)``: waits until the page's socket is open (``htmx:wsOpen``).

Tests are ``@pytest.mark.browser`` and ``@pytest.mark.django_db(transaction=True)``:
the servers only see committed rows, and the database is flushed after each test,
so create users inside each test; rows from data migrations are gone after a
flush too, so load what a test needs. The servers run with
tests/support/server_settings.py, which makes them look content types up afresh
(a flush recreates them under new ids).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import override_settings
from playwright.sync_api import expect, sync_playwright

from bpm_project.celery import app as celery_app
from tests.support import servers

# Playwright's sync API keeps an event loop running in this thread; the ORM would
# refuse to run. This is for the test process only: servers.server_env drops it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}


class LiveServers:
    def __init__(self, url, daphne, worker, channels_prefix, celery_queue, mail_dir):
        self.url = url
        self.mail_dir = mail_dir
        self.daphne = daphne
        self.worker = worker
        self.channels_prefix = channels_prefix
        self.celery_queue = celery_queue

    def logs(self):
        return (
            f"--- daphne ---\n{servers.read_log(self.daphne)}\n"
            f"--- worker ---\n{servers.read_log(self.worker)}"
        )


@pytest.fixture(scope="session")
def live_servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Daphne and a Celery worker on the test database; stopped before it is dropped
    (this fixture depends on django_db_setup, so it is torn down first)."""
    suffix = servers.unique_suffix()
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    # The live servers send no SMTP: they write mail to files the journeys read. Set in
    # their own environment only, so servers other tests start still talk SMTP.
    mail_dir = Path(tmp_path_factory.mktemp("mail"))
    env = servers.server_env(
        database_name=database_name,
        channels_prefix=f"flowdesk-browser-{suffix}",
        celery_queue=f"flowdesk-browser-{suffix}",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        # The journeys' webhook receivers listen on 127.0.0.1.
        WEBHOOKS_ALLOW_PRIVATE="1",
    )
    logs = Path(tmp_path_factory.mktemp("servers"))
    port = servers.free_port()
    daphne = worker = None
    try:
        daphne = servers.start_daphne(env, port=port, log_path=logs / "daphne.log")
        worker = servers.start_celery_worker(env, log_path=logs / "worker.log")
        url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(f"{url}/login/", proc=daphne)
        servers.wait_for_log(worker, "ready.", timeout=60)
        yield LiveServers(
            url, daphne, worker, env["CHANNELS_PREFIX"], env["CELERY_QUEUE"], mail_dir
        )
    finally:
        servers.stop(daphne)
        servers.stop(worker)


@pytest.fixture(scope="session")
def live_url(live_servers):
    return live_servers.url


@pytest.fixture(autouse=True)
def _same_layer_and_queue_as_the_servers(request):
    """Point this process's pushes and task queueing at the live servers."""
    if "live_servers" not in request.fixturenames:
        yield
        return

    live = request.getfixturevalue("live_servers")
    layer = settings.CHANNEL_LAYERS["default"]
    config = {**layer.get("CONFIG", {}), "prefix": live.channels_prefix}
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = live.celery_queue
    try:
        with override_settings(CHANNEL_LAYERS={"default": {**layer, "CONFIG": config}}):
            yield
    finally:
        celery_app.conf.task_default_queue = previous_queue


@pytest.fixture(scope="session")
def playwright_instance():
    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, live_url):
    """Open pages in fresh browser contexts; all are closed after the test."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(
            base_url=live_url, viewport=context_options.pop("viewport", VIEWPORT), **context_options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in_page(new_page):
    """signed_in_page(user, path="/") -> a page signed in through the login form."""

    def sign_in(user, path="/", password="password"):  # noqa: S107
        page = new_page()
        page.goto(f"/login/?next={path}")
        page.get_by_label("Username").fill(user.get_username())
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return sign_in


def _wait_for_live(page, timeout=10_000):
    # An attribute check, not wait_for_function: Chromium 156.0.8078.114 counts the latter's
    # string predicate as eval, which the product's CSP (rightly) refuses.
    expect(page.locator("body")).to_have_attribute("data-live-state", "connected", timeout=timeout)


@pytest.fixture
def wait_for_live():
    """wait_for_live(page): returns once the page's live socket is open."""
    return _wait_for_live


@pytest.fixture
def make_user(db):
    """make_user("name", staff=False, groups=()) -> a user with password "password"."""

    def make(username, *, first="", last="", staff=False, groups=()):
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.com",
            password="password",  # noqa: S106
            first_name=first,
            last_name=last,
            is_staff=staff,
            is_superuser=staff,
        )
        for name in groups:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        return user

    return make
