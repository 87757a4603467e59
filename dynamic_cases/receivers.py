"""Receivers connected in DynamicCasesConfig.ready(): each calls one service."""

import logging

from django.db import transaction
from django.db.models.signals import post_save

from dynamic_cases import selectors
from dynamic_cases.definition import DefinitionInvalid
from dynamic_cases.services import DynamicCaseError, record_case_start, record_step_finished
from processes import registry, signals
from processes.services import ProcessError

logger = logging.getLogger(__name__)


def connect():
    signals.instance_completed.connect(
        step_instance_completed, dispatch_uid="flowdesk-dynamic-case-step-done"
    )
    post_save.connect(record_saved, dispatch_uid="flowdesk-dynamic-case-record-saved")


def step_instance_completed(sender, instance, **kwargs):
    if not instance.definition.code.startswith("dyn_"):
        return
    record_step_finished(instance=instance)


def record_saved(sender, instance, created, raw=False, **kwargs):
    """A new record of a registered section starts the case its column chooses."""
    if raw or not created:
        return
    if not registry.is_registered(sender):
        return
    if not selectors.cases_for_section(registry.label_of(sender)).exists():
        return
    try:
        with transaction.atomic():
            record_case_start(record=instance)
    except (DynamicCaseError, DefinitionInvalid, ProcessError):
        # The record is saved either way; its page offers "Start case" again.
        logger.exception("could not start the dynamic case of %s %s", sender, instance.pk)
