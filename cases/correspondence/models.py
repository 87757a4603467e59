"""The customer side of a case: messages both ways, their attachments, and the
incoming mail that could not be read.

Imported at the bottom of cases/models.py so the app registers them.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attachment_path(instance, filename):
    # A random folder per file: two files with one name never overwrite each other,
    # and a path cannot be guessed (they are served only through a checked view anyway).
    name = PurePath(filename).name or "attachment"
    return f"case-attachments/{instance.case_id}/{uuid.uuid4().hex}/{name}"


class CaseMessage(models.Model):
    """One message between the service desk and the customer, by email or on the portal."""

    class Direction(models.TextChoices):
        IN = "in", _("From the customer")
        OUT = "out", _("To the customer")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PORTAL = "portal", _("Portal")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction)
    channel = models.CharField(_("channel"), max_length=6, choices=Channel)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author (user)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("author (contact)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_email = models.EmailField(_("author email"), blank=True)
    to = models.JSONField(_("to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    message_id = models.CharField(_("Message-ID"), max_length=300, null=True, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=300, blank=True)
    references = models.TextField(_("References"), blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        constraints = [
            # The same email read twice (a re-delivery, a second fetch) lands once.
            models.UniqueConstraint(fields=["message_id"], name="uniq_case_message_id"),
        ]
        indexes = [models.Index(fields=["case", "created_at"], name="case_message_case")]

    def __str__(self):
        return f"{self.case_id} {self.get_direction_display()}: {self.subject or self.body[:40]}"

    @property
    def author_name(self) -> str:
        if self.author_user_id and self.author_user is not None:
            return self.author_user.get_full_name() or self.author_user.get_username()
        if self.author_contact_id and self.author_contact is not None:
            return self.author_contact.full_name
        return self.author_email

    @property
    def is_from_customer(self) -> bool:
        return self.direction == self.Direction.IN


class CaseAttachment(models.Model):
    """A file sent with a message; stored under MEDIA_ROOT/case-attachments/<case>/ and
    served only by a view that checks who asks."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        CaseMessage, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=400)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=120)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:attachment", args=[self.pk])


class InboundFailure(models.Model):
    """An incoming email that could not be read: kept aside with the reason, never dropped."""

    source = models.CharField(_("source"), max_length=20)  # maildir | imap
    source_key = models.CharField(_("key"), max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    sender = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    raw = models.BinaryField(_("raw message"))
    kept_at = models.CharField(_("kept at"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    is_resolved = models.BooleanField(_("dealt with"), default=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("unreadable incoming email")
        verbose_name_plural = _("unreadable incoming emails")

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.sender or '?'}: {self.reason[:60]}"
