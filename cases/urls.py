from django.urls import path

from cases import views
from cases.correspondence import views as correspondence_views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("desktop/", views.desktop, name="desktop"),
    path("search/", views.search, name="search"),
    path("desktop/next/", views.take_next, name="take-next"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/status/", views.case_status, name="case-status"),
    path("<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("<int:pk>/tasks/", views.case_task_add, name="case-task-add"),
    path("<int:pk>/escalate/", views.case_escalate, name="case-escalate"),
    path("<int:pk>/reassign/", views.case_reassign, name="case-reassign"),
    path("<int:pk>/reclassify/", views.case_reclassify, name="case-reclassify"),
    path("<int:pk>/similar/", views.case_similar, name="case-similar"),
    path("<int:pk>/parent/", views.case_parent, name="case-parent"),
    path("<int:pk>/note/", views.case_note, name="case-note"),
    path("<int:pk>/take/", views.case_take, name="case-take"),
    path("<int:pk>/postpone/", views.case_postpone, name="case-postpone"),
    path("<int:pk>/return/", views.case_return, name="case-return"),
    path("<int:pk>/bring-back/", views.case_bring_back, name="case-bring-back"),
    path(
        "<int:pk>/message/<str:channel>/",
        correspondence_views.case_message,
        name="case-message",
    ),
    path("<int:pk>/articles/link/", views.case_article_link, name="case-article-link"),
    path(
        "<int:pk>/articles/<int:article_pk>/unlink/",
        views.case_article_unlink,
        name="case-article-unlink",
    ),
    path("attachments/<int:pk>/", correspondence_views.attachment_download, name="attachment"),
]
