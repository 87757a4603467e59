"""Celery tasks of the cases app: thin wrappers over one service each."""

from celery import shared_task
from django.db import OperationalError

from cases.closing import cases_close_resolved
from cases.correspondence import inbound

RETRYING = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="cases.fetch_mail", **RETRYING)
def fetch_mail() -> dict:
    """Read the support address's new email (Maildir, and IMAP when configured)."""
    return inbound.fetch_mail().as_dict()


@shared_task(name="cases.close_resolved_cases", **RETRYING)
def close_resolved_cases() -> dict:
    """The daily sweep: remind, then close, resolved cases nobody rated."""
    return cases_close_resolved()
