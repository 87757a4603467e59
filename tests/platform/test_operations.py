"""What an operator reads: JSON logs with request, user and instance, an optional
Sentry hook, /healthz with the worker's and beat's heartbeats, and a clean
`check --deploy` with production settings."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings

from bpm_project import heartbeat, ticker
from tests.support import servers

ROOT = Path(__file__).resolve().parents[2]
# What the test process has that a deployed process would not (the browser tests' flag too).
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "SENTRY_DSN",
    "LOG_FORMAT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3Vq8wJ0-production-like-key-of-sixty-characters-zX91mNcPa7Lr",
    "DATABASE_URL": "postgres://flowdesk@db:5432/flowdesk",
    "REDIS_URL": "redis://redis:6379/0",
    "ALLOWED_HOSTS": "desk.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://desk.example.com",
    "SECURE_PROXY_SSL_HEADER": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    # A mail server: without one mail lands in files, which `check --deploy` refuses
    # (Django's mail.E001, since MAILERS).
    "EMAIL_HOST": "smtp.example.com",
}


def python(code, **environment):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env.update(DJANGO_SETTINGS_MODULE="bpm_project.settings", **environment)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
    )


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_json_logs_of_a_request_carry_its_request_id():
    result = python(
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/no-such-page/', HTTP_X_REQUEST_ID='req-42'); "
        "print(r.status_code, r.headers['X-Request-ID'])",
        DEBUG="1",
        LOG_FORMAT="json",
        ALLOWED_HOSTS="testserver",
    )
    assert result.stdout.split() == ["404", "req-42"], result.stderr
    [entry] = [e for e in json_lines(result.stderr) if e["logger"] == "django.request"]
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Not Found: /no-such-page/"
    assert entry["request_id"] == "req-42"


def test_json_logs_of_a_task_carry_the_task_and_the_process_instance():
    result = python(
        "import django, logging; django.setup(); from bpm_project.celery import app\n"
        "@app.task(name='probe.step')\n"
        "def step(instance_id, step_number):\n"
        "    logging.getLogger('probe').info('stepping')\n"
        "step.apply(args=[42, 3])\n",
        DEBUG="1",
        LOG_FORMAT="json",
    )
    [entry] = [e for e in json_lines(result.stderr) if e["logger"] == "probe"]
    assert entry["message"] == "stepping"
    assert entry["instance_id"] == 42
    assert entry["task"] == "probe.step"


@pytest.mark.django_db
def test_a_request_id_from_outside_is_kept_only_when_it_is_a_plain_token(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert kept.headers["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{forged}')
    assert len(replaced.headers["X-Request-ID"]) == 32


def test_sentry_is_loaded_and_active_only_when_a_dsn_is_set():
    probe = (
        "import sys, django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    without = python(
        "import sys, django; django.setup(); print('sentry_sdk' in sys.modules)", DEBUG="1"
    )
    assert without.stdout.strip() == "False", without.stderr
    configured = python(probe, DEBUG="1", SENTRY_DSN="https://public@127.0.0.1:9/1")
    assert configured.stdout.strip() == "True", configured.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture
def no_heartbeats():
    for role in heartbeat.ROLES:
        cache.delete(f"flowdesk:heartbeat:{role}")


@pytest.mark.django_db
def test_healthz_reports_missing_heartbeats_as_degraded_but_answers(client, no_heartbeats):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["worker"] == {"last_heartbeat": None, "age_seconds": None, "ok": False}
    assert body["beat"]["ok"] is False


@pytest.mark.django_db(transaction=True)  # the ticker closes connections, as between jobs
def test_the_embedded_tickers_heartbeat_shows_in_healthz(client, no_heartbeats):
    ticker.run_job(heartbeat.HEARTBEAT_TASK)
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"]["ok"] and body["beat"]["ok"]
    assert body["worker"]["age_seconds"] < 5


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_and_beat_heartbeats_show_in_healthz(client, tmp_path):
    prefix = f"flowdesk-heartbeat-{servers.unique_suffix()}"
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=prefix,
        celery_queue=prefix,
        CACHE_PREFIX=prefix,
        HEARTBEAT_SECONDS="1",
    )
    cache_settings = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    worker = servers.start_celery_worker(env, log_path=tmp_path / "worker.log")
    beat_log = tmp_path / "beat.log"
    with beat_log.open("wb") as log:
        beat = subprocess.Popen(
            [
                str(servers.VENV_BIN / "celery"),
                "-A",
                "bpm_project",
                "beat",
                "--schedule",
                str(tmp_path / "beat-schedule"),
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with override_settings(CACHES=cache_settings):
            deadline = time.monotonic() + 60
            body = client.get("/healthz").json()
            while body["status"] != "ok" and time.monotonic() < deadline:
                time.sleep(0.5)
                body = client.get("/healthz").json()
        assert body["status"] == "ok", (body, servers.read_log(worker), beat_log.read_text())
        assert body["worker"]["age_seconds"] < 5 and body["beat"]["age_seconds"] < 5
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=10)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait(timeout=5)
        servers.stop(worker)
