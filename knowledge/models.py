"""Knowledge base articles and their links to the cases they solved.

The app sits left of cases: it names cases by string only. The link table is
the one the cases app created (`cases_case_articles`), so `case.articles` and
`article.cases` read the same rows as before the move.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class KnowledgeArticle(models.Model):
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    cases = models.ManyToManyField(
        "cases.Case",
        verbose_name=_("cases"),
        blank=True,
        related_name="articles",
        db_table="cases_case_articles",
    )

    class Meta:
        db_table = "cases_knowledgearticle"
        ordering = ["title"]
        verbose_name = _("knowledge base article")
        verbose_name_plural = _("knowledge base articles")

    def __str__(self):
        return self.title

    @classmethod
    def linked_model(cls):
        """The model articles link to (cases.Case), without importing the cases app."""
        return cls._meta.get_field("cases").related_model
