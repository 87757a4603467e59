"""Attachment limits: checked before anything is written, each refusal names the limit."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class AttachmentRefused(ValueError):
    """A file over a limit; the message names the file and the limit."""


@dataclass
class IncomingFile:
    """A file to attach: from an upload (Django UploadedFile) or an email part (bytes)."""

    name: str
    content: bytes
    content_type: str = ""
    declared_size: int | None = None

    @classmethod
    def from_upload(cls, upload) -> IncomingFile:
        content_type = getattr(upload, "content_type", "") or ""
        if upload.size > settings.CASE_ATTACHMENT_MAX_BYTES:
            # Refused anyway: do not read a huge file into memory to say so.
            return cls(
                name=upload.name, content=b"", content_type=content_type, declared_size=upload.size
            )
        upload.seek(0)
        return cls(name=upload.name, content=upload.read(), content_type=content_type)

    @property
    def size(self) -> int:
        return self.declared_size if self.declared_size is not None else len(self.content)

    def as_django_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.safe_name)

    @property
    def safe_name(self) -> str:
        name = PurePath(self.name.replace("\\", "/")).name.strip().strip(".") or "attachment"
        return name[:200]

    @property
    def guessed_type(self) -> str:
        guessed = mimetypes.guess_type(self.safe_name)[0]
        return guessed or self.content_type or "application/octet-stream"


def limits_text() -> str:
    return _("Up to %(count)s files, %(size)s each: %(types)s.") % {
        "count": settings.CASE_ATTACHMENT_MAX_FILES,
        "size": filesizeformat(settings.CASE_ATTACHMENT_MAX_BYTES),
        "types": ", ".join(settings.CASE_ATTACHMENT_EXTENSIONS),
    }


def check(files: list[IncomingFile]) -> None:
    """Raise AttachmentRefused for the first file over a limit."""
    if len(files) > settings.CASE_ATTACHMENT_MAX_FILES:
        raise AttachmentRefused(
            _("Attach at most %(count)s files to one message (you chose %(chosen)s).")
            % {"count": settings.CASE_ATTACHMENT_MAX_FILES, "chosen": len(files)}
        )
    allowed = settings.CASE_ATTACHMENT_EXTENSIONS
    for item in files:
        extension = PurePath(item.safe_name).suffix.lower().lstrip(".")
        if extension not in allowed:
            raise AttachmentRefused(
                _("“%(name)s” is not an allowed file type. Allowed: %(types)s.")
                % {"name": item.safe_name, "types": ", ".join(allowed)}
            )
        if item.size > settings.CASE_ATTACHMENT_MAX_BYTES:
            raise AttachmentRefused(
                _("“%(name)s” is %(size)s: files may be at most %(limit)s each.")
                % {
                    "name": item.safe_name,
                    "size": filesizeformat(item.size),
                    "limit": filesizeformat(settings.CASE_ATTACHMENT_MAX_BYTES),
                }
            )
