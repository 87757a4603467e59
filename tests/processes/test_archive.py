"""Archiving: finished instances older than the age leave the log's default view, not the log."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from processes import clock
from processes.models import ProcessInstance
from processes.services import instance_start, process_import

DEMO = Path(__file__).resolve().parents[2] / "processes" / "demo_bpmn"
pytestmark = pytest.mark.django_db


@pytest.fixture
def budget():
    return process_import(data=(DEMO / "budget_split.bpmn").read_bytes())[0].definition


def start(definition, user, days_ago, **variables):
    with clock.frozen_at(timezone.now() - timedelta(days=days_ago)):
        return instance_start(definition=definition, variables=variables, user=user, run_now=True)


def archive(*args) -> str:
    out = StringIO()
    call_command("archive_instances", *args, stdout=out)
    return out.getvalue()


@override_settings(FLOWDESK_ARCHIVE_AFTER_DAYS=30)
def test_finished_instances_older_than_the_age_are_archived_and_the_log_finds_them_on_request(
    client, admin_user, budget
):
    old_done = start(budget, admin_user, 40, budget=10, people=2)
    old_failed = start(budget, admin_user, 40, budget=10, people=0)  # error: still open work
    recent_done = start(budget, admin_user, 5, budget=10, people=2)
    assert {old_done.status, old_failed.status, recent_done.status} == {"completed", "error"}

    assert archive() == "archived 1 instance(s)\n"
    assert archive() == "archived 0 instance(s)\n", "a second run finds nothing new"
    assert set(ProcessInstance.objects.filter(archived_at__isnull=False)) == {old_done}

    client.force_login(admin_user)

    def shown(**params):
        body = client.get(reverse("processes:log"), params).content.decode()
        return {i.pk for i in (old_done, old_failed, recent_done) if f">#{i.pk}<" in body}

    assert shown() == {old_failed.pk, recent_done.pk}
    assert shown(archived="on") == {old_done.pk, old_failed.pk, recent_done.pk}
    assert shown(archived="on", status="completed") == {old_done.pk, recent_done.pk}
    assert "Include archived" in client.get(reverse("processes:log")).content.decode()
    # Its own page still opens by the same address.
    assert client.get(old_done.get_absolute_url()).status_code == 200


def test_the_command_takes_an_age_and_refuses_a_nonsense_one(admin_user, budget):
    start(budget, admin_user, 3, budget=10, people=2)
    assert archive("--older-than-days", "7") == "archived 0 instance(s)\n"
    assert archive("--older-than-days", "2") == "archived 1 instance(s)\n"
    with pytest.raises(CommandError, match="from 0 to 36500"):
        archive("--older-than-days", "-1")
