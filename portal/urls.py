"""The customer portal, included at /portal/ (namespace "portal")."""

from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case-reply"),
    path("cases/<int:pk>/rate/", views.case_rate, name="case-rate"),
    path("attachments/<int:pk>/", views.portal_attachment, name="attachment"),
    path("rate/<int:case_pk>/<str:token>/", views.rate_link, name="rate-link"),
]
