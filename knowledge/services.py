"""Writes on the knowledge base: articles, their links to cases, and the
after-resolution article process. One transaction each.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from knowledge import signals
from knowledge.defaults import KB_PROCESS, load_kb_process
from knowledge.models import KnowledgeArticle
from processes.models import ProcessDefinition
from processes.services import ProcessError, instance_start

logger = logging.getLogger(__name__)


class ArticleError(Exception):
    """A refused change to an article, with a message meant for the person who asked."""


def article_save(*, title: str, body: str, user=None, article=None, case=None) -> KnowledgeArticle:
    """Create or edit an article; a new one written from a case is linked to it."""
    title = (title or "").strip()
    if not title:
        raise ArticleError(_("Give the article a title."))
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
        signals.article_linked.send(sender=KnowledgeArticle, article=article, case=case, user=user)
    return True


def article_unlink(*, case, article, user=None) -> None:
    """Take an article off a case."""
    with transaction.atomic():
        case.articles.remove(article)
        signals.article_unlinked.send(
            sender=KnowledgeArticle, article=article, case=case, user=user
        )


def kb_definition():
    """The built-in article process, loaded (inactive) on first use."""
    definition = ProcessDefinition.objects.filter(code=KB_PROCESS).first()
    if definition is None:
        try:
            with transaction.atomic():  # two first resolutions at once: one loads it
                load_kb_process(apps)
        except IntegrityError:
            pass
        definition = ProcessDefinition.objects.filter(code=KB_PROCESS).first()
    return definition


def article_process_start(*, case, user=None) -> None:
    """A case was resolved: start the article process when it is active and no article
    is linked to the case yet. A failed start leaves the caller's change intact."""
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
