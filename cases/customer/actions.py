"""Named actions BPMN service tasks of the cases app may run."""

from processes.engine.actions import ActionContext, register_action


@register_action("cases.link_article")
def link_article(ctx: ActionContext):
    """Link the article the process wrote (variable article_id) to its case (case_id)."""
    from cases.customer.services import article_link
    from cases.models import Case, KnowledgeArticle

    case = Case.objects.filter(pk=ctx.variables.get("case_id")).first()
    article = KnowledgeArticle.objects.filter(pk=ctx.variables.get("article_id")).first()
    if case is None or article is None:
        raise LookupError(
            f"cases.link_article needs case_id and article_id naming existing rows "
            f"(got case_id={ctx.variables.get('case_id')!r}, "
            f"article_id={ctx.variables.get('article_id')!r})"
        )
    article_link(case=case, article=article)
    return "Linked"
