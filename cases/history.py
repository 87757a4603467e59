"""Helpers every cases service module shares: the History entry, the row lock, and
how people, moments and case links are written in them and in emails."""

from __future__ import annotations

from django.conf import settings
from django.utils import formats, timezone

from cases.models import Case, CaseEvent


def case_locked(case_id) -> Case:
    """The case, re-read under its row lock (the caller holds a transaction)."""
    # The row lock orders concurrent writers on one case (status moves, assignment).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "status",
            "service_agreement__calendar",
            "priority",
            "category",
            "contact",
            "assignee",
            "assignee_group",
        )
        .get(pk=case_id)
    )


def event_add(case, kind, actor=None, text="", **data) -> CaseEvent:
    """One entry of the case's History."""
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, text=text, data=data)


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def moment_text(moment) -> str:
    """A moment in mail and History text, as every page writes it (the `when` filter)."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def case_url(case) -> str:
    return settings.SITE_URL.rstrip("/") + case.get_absolute_url()
