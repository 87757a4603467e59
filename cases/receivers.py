"""What cases does when the knowledge base announces a link (knowledge.signals):
the case's History records it, in the transaction of the link itself.

`connect()` is called from CasesConfig.ready(); it is idempotent (dispatch_uid).
"""

from django.utils.translation import gettext as _

from cases.history import event_add
from cases.models import CaseEvent
from knowledge import signals as knowledge_signals
from knowledge.models import KnowledgeArticle


def on_article_linked(sender, *, article, case, user=None, **kwargs):
    event_add(
        case,
        CaseEvent.Kind.ARTICLE,
        user,
        _("Linked “%(title)s”") % {"title": article.title},
        article=article.pk,
    )


def on_article_unlinked(sender, *, article, case, user=None, **kwargs):
    event_add(
        case,
        CaseEvent.Kind.ARTICLE,
        user,
        _("Unlinked “%(title)s”") % {"title": article.title},
        article=article.pk,
    )


def connect() -> None:
    knowledge_signals.article_linked.connect(
        on_article_linked, sender=KnowledgeArticle, dispatch_uid="cases.article_linked"
    )
    knowledge_signals.article_unlinked.connect(
        on_article_unlinked, sender=KnowledgeArticle, dispatch_uid="cases.article_unlinked"
    )
