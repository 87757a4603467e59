"""Celery tasks of the cases app: thin wrappers over one service each."""

from celery import shared_task
from django.db import OperationalError

RETRYING = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="cases.fetch_mail", **RETRYING)
def fetch_mail() -> dict:
    """Read the support address's new email (Maildir, and IMAP when configured)."""
    from cases.customer.inbound import fetch_mail as fetch

    return fetch().as_dict()


@shared_task(name="cases.close_resolved_cases", **RETRYING)
def close_resolved_cases() -> dict:
    """The daily sweep: remind, then close, resolved cases nobody rated."""
    from cases.customer.services import cases_close_resolved

    return cases_close_resolved()
