from django.contrib import admin

from knowledge.models import KnowledgeArticle


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "modified_at"]
    search_fields = ["title", "body"]
    raw_id_fields = ["cases"]
