from django.conf import settings


def test_test_suite_runs_on_postgresql_when_make_test_configures_it():
    # `make test` always sets DATABASE_URL; the suite must never fall back to SQLite there.
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
