"""Stored Idempotency-Key answers are kept a day, then pruned by the periodic job."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from api.models import IdempotentAnswer
from bpm_project.celery import app, register_all_tasks
from crm.models import Contact

pytestmark = pytest.mark.django_db


def test_answers_older_than_a_day_are_pruned_and_their_key_creates_again(agent, token_client):
    api = token_client(agent)
    key = {"Idempotency-Key": "import-42"}
    assert api.post("/api/contacts", {"full_name": "Ada"}, headers=key).status_code == 201
    assert api.post("/api/contacts", {"full_name": "Ada"}, headers=key).status_code == 201
    assert Contact.objects.count() == 1
    fresh = api.post("/api/contacts", {"full_name": "Bob"}, headers={"Idempotency-Key": "new"})
    assert fresh.status_code == 201
    IdempotentAnswer.objects.filter(key="import-42").update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    assert "api.prune_idempotent_answers" in settings.FLOWDESK_PERIODIC_JOBS
    register_all_tasks()
    assert app.tasks["api.prune_idempotent_answers"].apply().get() == 1

    assert list(IdempotentAnswer.objects.values_list("key", flat=True)) == ["new"]
    again = api.post("/api/contacts", {"full_name": "Ada"}, headers=key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Contact.objects.filter(full_name="Ada").count() == 2
