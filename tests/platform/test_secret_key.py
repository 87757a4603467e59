"""Settings refuse a published or empty SECRET_KEY unless DEBUG is on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def import_settings(**environment):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", "import bpm_project.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "secret_key",
    [
        None,
        "",
        "   ",
        "flowdesk-embedded-insecure-key-change-me",
        "change-me-in-production",
        "django-insecure-abc123",
    ],
)
def test_settings_refuse_to_start_with_debug_off_and_a_published_or_empty_key(secret_key):
    environment = {"DEBUG": "0"}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key
    result = import_settings(**environment)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set SECRET_KEY" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


def test_settings_start_with_debug_off_and_a_key_of_its_own():
    result = import_settings(DEBUG="0", SECRET_KEY="x7Jq2-a-key-nobody-else-has-9Lw0pZk")
    assert result.returncode == 0, result.stderr


def test_a_key_from_secret_key_file_is_accepted(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("x7Jq2-a-key-nobody-else-has-from-a-file\n")
    result = import_settings(DEBUG="0", SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


def test_debug_runs_on_the_embedded_key_without_configuration():
    result = import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr


def manage(*arguments):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_migration_check_runs_without_a_key():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.parametrize("command", [["check", "--deploy"], ["migrate", "--plan"]])
def test_commands_that_check_or_change_a_deployment_still_ask_for_a_key(command):
    result = manage(*command)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
