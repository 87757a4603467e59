"""Writes on the customer side of cases: messages both ways, reopening on a reply,
resolution emails and ratings, knowledge base articles, automatic closing.

Each public function runs in one transaction; emails and signals leave after
commit (crm.email sends on commit; signals are sent from on_commit).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases import signals
from cases.customer import attachments as attachment_rules
from cases.customer import satisfaction
from cases.customer.attachments import IncomingFile
from cases.defaults import KB_PROCESS
from cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    KnowledgeArticle,
    SatisfactionLevel,
)
from cases.services import CaseError, _event, _locked, _when, _who  # noqa: F401 (_event: inbound)
from crm.email import Attachment, TemplateMissing, send_email, send_templated_email
from processes import clock

logger = logging.getLogger(__name__)

REMINDER_TEMPLATE = "case_evaluation_reminder"


def portal_url(case) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:case-detail", args=[case.pk])


def _subject_for(case, subject: str = "") -> str:
    subject = (subject or "").strip() or f"Re: {case.subject}"
    tag = f"[{case.number}]"
    return subject if tag in subject else f"{tag} {subject}"


def _store_files(case, message, files) -> list[CaseAttachment]:
    stored = []
    for item in files:
        attachment = CaseAttachment(
            case=case,
            message=message,
            name=item.safe_name,
            size=item.size,
            content_type=item.guessed_type,
        )
        attachment.file.save(item.safe_name, item.as_django_file(), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _message_event(case, message, stored, *, actor=None) -> CaseEvent:
    kind = (
        CaseEvent.Kind.EMAIL
        if message.channel == CaseMessage.Channel.EMAIL
        else CaseEvent.Kind.PORTAL
    )
    text = message.subject if message.channel == CaseMessage.Channel.EMAIL else ""
    return _event(
        case,
        kind,
        actor,
        text or message.body[:300],
        message=message.pk,
        direction=message.direction,
        to=list(message.to),
        body=message.body,
        author=message.author_name,
        message_id=message.message_id or "",
        attachments=[{"id": a.pk, "name": a.name, "size": a.size} for a in stored],
    )


# -- from the service desk to the customer ---------------------------------------------


def message_send(
    *, case, user, channel: str, body: str, subject: str = "", files: list[IncomingFile] = ()
) -> CaseMessage:
    """An agent's Email or Portal message to the case's contact, with attachments.

    Refused (CaseError, or AttachmentRefused naming the limit) before anything is
    written. A portal message is also announced to the customer by email.
    """
    body = (body or "").strip()
    files = list(files)
    if not body:
        raise CaseError(_("Write the message before sending it."))
    attachment_rules.check(files)
    contact = case.contact
    if contact is None:
        raise CaseError(_("The case has no contact to write to: set its contact first."))
    email_channel = channel == CaseMessage.Channel.EMAIL
    if email_channel and not contact.email:
        raise CaseError(
            _("%(name)s has no email address: add one on the contact, or send a portal message.")
            % {"name": contact}
        )
    with transaction.atomic():
        case = _locked(case.pk)
        message = CaseMessage.objects.create(
            case=case,
            direction=CaseMessage.Direction.OUT,
            channel=channel,
            author_user=user,
            to=[contact.email] if contact.email else [],
            subject=_subject_for(case, subject) if email_channel else "",
            body=body,
        )
        stored = _store_files(case, message, files)
        if email_channel:
            last_in = (
                CaseMessage.objects.filter(case=case, direction="in", message_id__isnull=False)
                .order_by("-created_at")
                .first()
            )
            headers = {}
            if last_in is not None:
                headers = {
                    "In-Reply-To": last_in.message_id,
                    "References": f"{last_in.references} {last_in.message_id}".strip(),
                }
            outgoing = send_email(
                to=[contact.email],
                subject=message.subject,
                text=body,
                reply_to=[settings.DEFAULT_FROM_EMAIL],
                headers=headers,
                attachments=[Attachment(f.safe_name, f.content, f.guessed_type) for f in files],
            )
            message.message_id = outgoing.message_id
            message.in_reply_to = headers.get("In-Reply-To", "")
            message.save(update_fields=["message_id", "in_reply_to"])
        elif contact.email:
            try:
                outgoing = send_templated_email(
                    code="case_portal_message",
                    to=[contact.email],
                    context={
                        "case": case,
                        "contact_name": contact.full_name,
                        "agent_name": _who(user),
                        "body": body,
                        "portal_url": portal_url(case),
                    },
                    reply_to=[settings.DEFAULT_FROM_EMAIL],
                )
                message.message_id = outgoing.message_id
                message.save(update_fields=["message_id"])
            except TemplateMissing:
                logger.warning("message template case_portal_message is missing; no email sent")
        _message_event(case, message, stored, actor=user)
        if case.responded_at is None:
            Case.objects.filter(pk=case.pk).update(responded_at=timezone.now())
    return message


# -- from the customer ---------------------------------------------------------------


def _reopen_for_customer(case, *, why: str) -> bool:
    """Paused, or resolved but not final: back to Reopened with the assignee cleared, so
    the case returns to its group's queue (whose members are notified). The caller
    holds the case's row lock."""
    status = case.status
    if not (status.is_paused or (status.is_resolved and not status.is_final)):
        return False
    reopened = CaseStatus.objects.filter(code="reopened").first()
    if reopened is None:
        return False
    if case.assignee_id:
        previous = case.assignee
        Case.objects.filter(pk=case.pk).update(assignee=None, modified_at=timezone.now())
        case.assignee = None
        _event(
            case,
            CaseEvent.Kind.ASSIGNMENT,
            None,
            _("Assignee cleared (was %(name)s): %(why)s") % {"name": _who(previous), "why": why},
            assignee=None,
        )
    try:
        case_services.case_set_status(case=case, status=reopened, user=None)
    except CaseError as refused:
        logger.warning("case %s not reopened: %s", case.number, refused)
        return False
    return True


def message_receive(
    *,
    case,
    channel: str,
    body: str,
    subject: str = "",
    contact=None,
    user=None,
    author_email: str = "",
    files: list[IncomingFile] = (),
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
) -> tuple[CaseMessage, bool]:
    """A customer's reply (portal or email) lands on the case: a message, its files and
    a History entry; a paused or resolved-not-final case reopens with its assignee cleared.

    Returns (message, reopened). An email whose Message-ID is already stored raises
    IntegrityError (the caller treats it as read already).
    """
    files = list(files)
    with transaction.atomic():
        case = _locked(case.pk)
        message = CaseMessage.objects.create(
            case=case,
            direction=CaseMessage.Direction.IN,
            channel=channel,
            author_user=user,
            author_contact=contact,
            author_email=author_email[:254],
            subject=subject[:300],
            body=body,
            message_id=message_id or None,
            in_reply_to=in_reply_to[:300],
            references=references,
        )
        stored = _store_files(case, message, files)
        _message_event(case, message, stored, actor=user)
        reopened = _reopen_for_customer(
            case,
            why=_("the customer replied by email")
            if channel == "email"
            else _("the customer replied on the portal"),
        )
        transaction.on_commit(
            lambda: signals.case_customer_message.send(
                sender=Case, case=case, message=message, reopened=reopened
            )
        )
    return message, reopened


def case_create_from_customer(
    *,
    subject: str,
    body: str,
    contact=None,
    author_email="",
    channel="email",
    files=(),
    message_id=None,
    in_reply_to="",
    references="",
    parent=None,
) -> tuple[Case, CaseMessage]:
    """A new case from an email to the support address (or a portal request)."""
    with transaction.atomic():
        case = case_services.case_create(
            subject=(subject or _("(no subject)"))[:300],
            description=body,
            contact=contact,
            parent=parent,
        )
        message, _reopened = message_receive(
            case=case,
            channel=channel,
            body=body,
            subject=subject,
            contact=contact,
            author_email=author_email,
            files=files,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
        )
    return case, message


# -- status hooks (called by cases.services.case_set_status, in its transaction) --------


def after_status_change(*, case, old, new, user) -> None:
    """Resolved: email the satisfaction scale; start the article process when it is
    active and no article is linked. Canceled: tell the customer."""
    if new.is_resolved and not new.is_final:
        _email_resolution(case, user)
        _start_article_process(case, user)
    elif new.code == "canceled":
        _email_customer(case, "case_canceled", {"agent_name": _who(user)}, actor=user)


def _email_customer(case, code, extra, *, actor=None) -> bool:
    contact = case.contact
    if contact is None or not contact.email:
        return False
    context = {
        "case": case,
        "contact_name": contact.full_name,
        "url": portal_url(case),
        "portal_url": portal_url(case),
        **extra,
    }
    try:
        message = send_templated_email(
            code=code, to=[contact.email], context=context, reply_to=[settings.DEFAULT_FROM_EMAIL]
        )
    except TemplateMissing:
        logger.warning("message template %s is missing; no email sent", code)
        return False
    _event(
        case,
        CaseEvent.Kind.EMAIL,
        actor,
        message.subject,
        to=message.to,
        body=message.text,
        direction="out",
        template=code,
        message_id=message.message_id,
        resolved_at=case.resolved_at.isoformat() if case.resolved_at else None,
    )
    return True


def _email_resolution(case, user) -> None:
    _email_customer(
        case,
        "case_resolved",
        {"agent_name": _who(user), "rating_links": satisfaction.rating_links(case)},
        actor=user,
    )


def kb_definition():
    """The built-in article process, loaded (inactive) on first use."""
    from django.apps import apps

    from cases.defaults import load_kb_process
    from processes.models import ProcessDefinition

    definition = ProcessDefinition.objects.filter(code=KB_PROCESS).first()
    if definition is None:
        try:
            with transaction.atomic():  # two first resolutions at once: one loads it
                load_kb_process(apps)
        except IntegrityError:
            pass
        definition = ProcessDefinition.objects.filter(code=KB_PROCESS).first()
    return definition


def _start_article_process(case, user) -> None:
    from processes.services import ProcessError, instance_start

    definition = kb_definition()
    if definition is None or not definition.is_active or case.articles.exists():
        return
    try:
        with transaction.atomic():  # a savepoint: a failed start leaves the move intact
            instance_start(
                definition=definition,
                record=case,
                user=user,
                run_now=True,
                variables={"case_id": case.pk, "case_number": case.number or ""},
            )
    except ProcessError:
        logger.exception("could not start %s for case %s", KB_PROCESS, case.pk)


# -- incomplete tasks on resolve -------------------------------------------------------

TASKS_COMPLETE, TASKS_CANCEL, TASKS_LEAVE = "complete", "cancel", "leave"


def open_tasks(case):
    """Open activities connected to the case that no process manages (a process's own
    task, like the diagnosis task, closes with the case move)."""
    from activities.models import Activity

    return (
        Activity.objects.filter(
            record_type=ContentType.objects.get_for_model(Case),
            record_id=str(case.pk),
            status=Activity.Status.OPEN,
            step__isnull=True,
        )
        .select_related("owner", "owner_role")
        .order_by("due_at", "pk")
    )


def case_set_status_with_tasks(*, case, status, user, tasks: str = TASKS_LEAVE) -> Case:
    """Move the case (to Resolved, typically) and complete, cancel or leave its open tasks."""
    from activities.models import Activity
    from activities.services import ActivityError, activity_complete

    if tasks not in (TASKS_COMPLETE, TASKS_CANCEL, TASKS_LEAVE):
        raise CaseError(_("Choose what to do with the open tasks."))
    with transaction.atomic():
        case = case_services.case_set_status(case=case, status=status, user=user)
        now = timezone.now()
        for activity in open_tasks(case).select_for_update(of=("self",)):
            if tasks == TASKS_COMPLETE:
                if activity.can_be_done_by(user):
                    try:
                        activity_complete(
                            activity_id=activity.pk, user=user, result=activity.results[0]
                        )
                        continue
                    except ActivityError:
                        pass
                activity.status = Activity.Status.COMPLETED
                activity.result = activity.results[0]
            elif tasks == TASKS_CANCEL:
                activity.status = Activity.Status.CANCELED
            else:
                continue
            activity.completed_at = now
            activity.save(update_fields=["status", "result", "completed_at", "modified_at"])
        if tasks != TASKS_LEAVE:
            _event(
                case,
                CaseEvent.Kind.NOTE,
                user,
                _("Open tasks completed on resolve")
                if tasks == TASKS_COMPLETE
                else _("Open tasks canceled on resolve"),
            )
    return case


# -- satisfaction ----------------------------------------------------------------------


def satisfaction_rate(*, case, value: int, user=None) -> Case:
    """The customer's 1-5 rating of a resolution: the Satisfaction levels lookup says
    where the case goes (by default 1-2 reopen it with the assignee cleared, 3-5 close
    it). Refused (RatingRefused) unless the case is resolved and not final."""
    level = SatisfactionLevel.objects.select_related("status").filter(value=value).first()
    if level is None:
        raise satisfaction.RatingRefused(_("Choose a score from the scale."))
    with transaction.atomic():
        case = _locked(case.pk)
        if not case.status.is_resolved or case.status.is_final:
            raise satisfaction.RatingRefused(
                _("%(number)s is “%(status)s”: it is not waiting for a rating.")
                % {"number": case.number, "status": case.status}
            )
        Case.objects.filter(pk=case.pk).update(satisfaction=level, modified_at=timezone.now())
        case.satisfaction = level
        _event(case, CaseEvent.Kind.RATING, user, str(level), value=level.value)
        target = level.status
        if target is None or target.pk == case.status_id:
            return case
        if target.is_active and target.code == "reopened":
            _reopen_for_customer(
                case, why=_("the customer rated the resolution %(value)s") % {"value": level.value}
            )
        else:
            try:
                case_services.case_set_status(case=case, status=target, user=None)
            except CaseError as refused:
                logger.warning("rating of %s could not move it: %s", case.number, refused)
    return Case.objects.select_related("status").get(pk=case.pk)


# -- knowledge base --------------------------------------------------------------------


def article_save(*, title: str, body: str, user=None, article=None, case=None) -> KnowledgeArticle:
    """Create or edit an article; a new one written from a case is linked to it."""
    title = (title or "").strip()
    if not title:
        raise CaseError(_("Give the article a title."))
    with transaction.atomic():
        if article is None:
            article = KnowledgeArticle.objects.create(title=title[:300], body=body or "")
        else:
            article.title, article.body = title[:300], body or ""
            article.save()
        if case is not None:
            article_link(case=case, article=article, user=user)
    return article


def article_link(*, case, article, user=None) -> bool:
    """Link an article to a case (once); returns False when it was linked already."""
    with transaction.atomic():
        if case.articles.filter(pk=article.pk).exists():
            return False
        case.articles.add(article)
        _event(
            case,
            CaseEvent.Kind.ARTICLE,
            user,
            _("Linked “%(title)s”") % {"title": article.title},
            article=article.pk,
        )
    return True


def article_unlink(*, case, article, user=None) -> None:
    with transaction.atomic():
        case.articles.remove(article)
        _event(
            case,
            CaseEvent.Kind.ARTICLE,
            user,
            _("Unlinked “%(title)s”") % {"title": article.title},
            article=article.pk,
        )


# -- automatic closing -------------------------------------------------------------------


def _setting(code, default):
    from crm.models import SystemSetting

    row = SystemSetting.objects.filter(code=code).first()
    if row is None:
        return default
    try:
        return row.typed_value
    except ValueError:
        return default


def cases_close_resolved(*, now=None) -> dict:
    """The daily sweep: remind the customers of Resolved cases to rate them once the
    first waiting period has passed, and close them once the second has passed too.

    Only cases with an actual resolution time; off when CloseResolvedCases is false.
    Each case is handled under its row lock, and the reminder is recorded in its
    History, so two sweeps at once still send it once.
    """
    now = now or clock.now()
    counts = {"reminded": 0, "closed": 0}
    if not _setting("CloseResolvedCases", True):
        return counts
    first = timedelta(days=max(int(_setting("FirstReevaluationWaitingDays", 3)), 0))
    second = timedelta(days=max(int(_setting("SecondReevaluationWaitingDays", 4)), 0))
    closed = CaseStatus.objects.filter(code="closed").first()
    candidates = Case.objects.filter(
        status__is_resolved=True,
        status__is_final=False,
        resolved_at__isnull=False,
        resolved_at__lte=now - first,
    ).values_list("pk", flat=True)
    for case_id in list(candidates):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("status", "contact")
                .filter(pk=case_id)
                .first()
            )
            if (
                case is None
                or not case.status.is_resolved
                or case.status.is_final
                or case.resolved_at is None
            ):
                continue
            if now >= case.resolved_at + first + second and closed is not None:
                try:
                    case_services.case_set_status(case=case, status=closed, user=None)
                except CaseError as refused:
                    logger.warning("could not close %s: %s", case.number, refused)
                    continue
                counts["closed"] += 1
                continue
            already = CaseEvent.objects.filter(
                case=case,
                kind=CaseEvent.Kind.EMAIL,
                data__template=REMINDER_TEMPLATE,
                data__resolved_at=case.resolved_at.isoformat(),
            ).exists()
            if already:
                continue
            sent = _email_customer(
                case,
                REMINDER_TEMPLATE,
                {
                    "resolved_at": _when(case.resolved_at),
                    "closes_at": _when(case.resolved_at + first + second),
                    "rating_links": satisfaction.rating_links(case),
                },
            )
            if not sent:
                # No address to write to: record the reminder anyway, so it is not retried.
                _event(
                    case,
                    CaseEvent.Kind.EMAIL,
                    None,
                    _("Evaluation reminder not sent: the contact has no email address"),
                    template=REMINDER_TEMPLATE,
                    resolved_at=case.resolved_at.isoformat(),
                    direction="out",
                    to=[],
                )
            counts["reminded"] += 1
    return counts


__all__ = [
    "IntegrityError",
    "article_link",
    "article_save",
    "article_unlink",
    "case_create_from_customer",
    "case_set_status_with_tasks",
    "cases_close_resolved",
    "message_receive",
    "message_send",
    "open_tasks",
    "satisfaction_rate",
]
