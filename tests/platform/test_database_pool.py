"""On PostgreSQL every process keeps a psycopg connection pool sized from the environment,
instead of one persistent connection per thread."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRINT_DATABASE = (
    "import json; from bpm_project import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)


def database_settings(**environment):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_POOL", "CONN_MAX_AGE"))}
    env.pop("DATABASE_URL", None)
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_gets_a_pool_sized_from_the_environment_and_no_persistent_connections():
    database = database_settings(
        DATABASE_URL="postgres://flowdesk@db:5432/flowdesk", DB_POOL_MIN="3", DB_POOL_MAX="25"
    )
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["pool"] == {"min_size": 3, "max_size": 25, "timeout": 10.0}


def test_db_pool_0_goes_back_to_persistent_connections_per_thread():
    database = database_settings(
        DATABASE_URL="postgres://flowdesk@db:5432/flowdesk", DB_POOL="0", DB_POOL_MAX="25"
    )
    assert "pool" not in database.get("OPTIONS", {})
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True
    shorter = database_settings(
        DATABASE_URL="postgres://flowdesk@db:5432/flowdesk", DB_POOL="0", CONN_MAX_AGE="60"
    )
    assert shorter["CONN_MAX_AGE"] == 60


@pytest.mark.django_db
def test_without_the_pool_a_connection_outlives_the_request_that_opened_it():
    # What Django does at each request's start and end with CONN_MAX_AGE > 0: keep it.
    code = (
        "import django; django.setup(); from django.db import connection\n"
        "pids = set()\n"
        "for _ in range(3):\n"
        "    connection.close_if_unusable_or_obsolete()\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT pg_backend_pid()'); pids.add(c.fetchone()[0])\n"
        "print(len(pids), connection.pool is None)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB_POOL")}
    database = connection.settings_dict
    env.update(
        DB_POOL="0",
        DJANGO_SETTINGS_MODULE="bpm_project.settings",
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["1", "True"], result.stderr


def test_the_embedded_sqlite_database_has_no_pool():
    database = database_settings(DEBUG="1")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in database["OPTIONS"]


@pytest.mark.django_db(transaction=True)
def test_connections_closed_after_each_request_are_reused_from_the_pool():
    assert connection.pool is not None
    backends = set()
    for _request in range(20):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backends.add(cursor.fetchone()[0])
        connection.close()  # what Django does at the end of every request
    assert len(backends) <= connection.pool.get_stats()["pool_max"] < 20
