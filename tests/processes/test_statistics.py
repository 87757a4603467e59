"""Statistics per process count COMPLETED instances only: count, average, 95th percentile."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import clock, selectors
from processes.models import Step
from processes.services import instance_cancel, instance_start, process_import, step_complete

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    return process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition


def run_for(definition, user, minutes):
    """Start an instance and complete its user step `minutes` later."""
    with clock.frozen_at(timezone.now() - timedelta(days=1)):
        instance = instance_start(
            definition=definition, variables={"amount": 1}, user=user, run_now=True
        )
        clock.advance(timedelta(minutes=minutes))
        step = Step.objects.get(instance=instance, status="waiting")
        step_complete(
            instance_id=instance.pk, step_number=step.number, user=user, variables={"answer": "Yes"}
        )
    return instance


def test_statistics_count_completed_instances_only(review, agent):
    for minutes in (10, 20, 30):
        run_for(review, agent, minutes)
    instance_start(definition=review, variables={"amount": 1}, user=agent, run_now=True)
    canceled = instance_start(definition=review, variables={"amount": 1}, user=agent, run_now=True)
    instance_cancel(instance_id=canceled.pk)

    stats = selectors.duration_stats(review)

    assert stats.count == 3
    assert stats.average == timedelta(minutes=20)


def test_the_95th_percentile_interpolates_between_ranks_as_percentile_cont(review, agent):
    durations = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    for minutes in durations:
        run_for(review, agent, minutes)

    stats = selectors.duration_stats(review)

    # position 0.95 * 9 = 8.55: 9 + (100 - 9) * 0.55 = 59.05 minutes
    assert stats.p95 == timedelta(minutes=59.05)
    assert stats.p95 == selectors.percentile([timedelta(minutes=m) for m in durations], 0.95)


def test_a_process_never_completed_has_no_average_or_percentile(review):
    stats = selectors.duration_stats(review)

    assert (stats.count, stats.average, stats.p95) == (0, None, None)


def test_the_python_percentile_used_on_sqlite_matches_known_values():
    minutes = [timedelta(minutes=m) for m in (15, 20, 35, 40, 50)]

    assert selectors.percentile(minutes, 0.5) == timedelta(minutes=35)
    assert selectors.percentile(minutes, 0.95) == timedelta(minutes=48)
    assert selectors.percentile([], 0.95) is None


def test_the_process_page_shows_its_statistics(client, admin_user, review, agent):
    for minutes in (10, 20, 30):
        run_for(review, agent, minutes)
    client.force_login(admin_user)

    body = client.get(reverse("processes:library-detail", args=[review.pk])).content.decode()

    assert 'data-stat="count">3<' in body
    assert 'data-stat="average">20 min 0 s<' in body
    assert 'data-stat="p95">29 min 0 s<' in body
