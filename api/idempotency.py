"""`Idempotency-Key` on creating requests: a retried POST creates nothing twice.

The key is claimed (a row under a unique constraint) in the same transaction as the
creation, so a second request with the key waits for the first and then gets its
stored answer; a key used before for another path is refused.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import IdempotentAnswer
from api.problems import problem
from outbox.retention import rows_delete

HEADER = "Idempotency-Key"
# How long a stored answer is replayed; older ones are pruned by the periodic job.
KEPT_FOR = timedelta(hours=24)


def _replay(answer: IdempotentAnswer, request):
    if answer.path != request.path or answer.method != request.method:
        return problem(
            422,
            _("This Idempotency-Key was used for another request."),
            field=HEADER,
        )
    response = HttpResponse(
        bytes(answer.body), status=answer.status, content_type="application/json"
    )
    response["Idempotent-Replayed"] = "true"
    return response


def create_once(request, make, *, status: int = 201) -> HttpResponse:
    """Run `make()` (returning the JSON-able answer) once per user and Idempotency-Key."""
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        body = json.dumps(make(), cls=DjangoJSONEncoder)
        return HttpResponse(body, status=status, content_type="application/json")
    if len(key) > 200:
        return problem(400, _("An Idempotency-Key has at most 200 characters."), field=HEADER)
    user = request.user
    try:
        with transaction.atomic():
            answer = IdempotentAnswer.objects.create(
                user=user, key=key, method=request.method, path=request.path, status=0, body=b""
            )
            body = json.dumps(make(), cls=DjangoJSONEncoder).encode()
            answer.status, answer.body = status, body
            answer.save(update_fields=["status", "body"])
    except IntegrityError:
        answer = IdempotentAnswer.objects.filter(user=user, key=key).first()
        if answer is None:  # the creation itself broke a constraint, not the key
            raise
        return _replay(answer, request)
    return HttpResponse(body, status=status, content_type="application/json")


def answers_prune(*, now=None) -> int:
    """Forget the answers older than KEPT_FOR (a key may then create again); how many.
    In bounded batches through the created_at index, like the other prunes."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    return rows_delete(IdempotentAnswer.objects.filter(created_at__lt=cutoff))
