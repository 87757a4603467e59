"""Named actions BPMN service tasks of the knowledge base may run."""

from knowledge.models import KnowledgeArticle
from knowledge.services import article_link
from processes.engine.actions import ActionContext, register_action


@register_action("knowledge.link_article")
def link_article(ctx: ActionContext):
    """Link the article the process wrote (variable article_id) to its case (case_id)."""
    case = KnowledgeArticle.linked_model().objects.filter(pk=ctx.variables.get("case_id")).first()
    article = KnowledgeArticle.objects.filter(pk=ctx.variables.get("article_id")).first()
    if case is None or article is None:
        raise LookupError(
            f"knowledge.link_article needs case_id and article_id naming existing rows "
            f"(got case_id={ctx.variables.get('case_id')!r}, "
            f"article_id={ctx.variables.get('article_id')!r})"
        )
    article_link(case=case, article=article)
    return "Linked"
