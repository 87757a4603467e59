"""URLs of the customer side: agents' routes (in the cases namespace) and the portal."""

from django.urls import path

from cases.customer import portal_views, views

# Added to cases/urls.py (namespace "cases").
case_patterns = [
    path("<int:pk>/message/<str:channel>/", views.case_message, name="case-message"),
    path("<int:pk>/articles/link/", views.case_article_link, name="case-article-link"),
    path(
        "<int:pk>/articles/<int:article_pk>/unlink/",
        views.case_article_unlink,
        name="case-article-unlink",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("knowledge-base/", views.kb_list, name="kb-list"),
    path("knowledge-base/new/", views.kb_edit, name="kb-create"),
    path("knowledge-base/<int:pk>/", views.kb_detail, name="kb-detail"),
    path("knowledge-base/<int:pk>/edit/", views.kb_edit, name="kb-edit"),
]

# Included at /portal/ (namespace "portal").
app_name = "portal"
urlpatterns = [
    path("", portal_views.case_list, name="case-list"),
    path("cases/<int:pk>/", portal_views.case_detail, name="case-detail"),
    path("cases/<int:pk>/reply/", portal_views.case_reply, name="case-reply"),
    path("cases/<int:pk>/rate/", portal_views.case_rate, name="case-rate"),
    path("attachments/<int:pk>/", portal_views.portal_attachment, name="attachment"),
    path("rate/<int:case_pk>/<str:token>/", portal_views.rate_link, name="rate-link"),
]
