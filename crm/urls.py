from django.urls import path

from crm import views, views_opportunities

app_name = "crm"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/time-zone/", views.time_zone_edit, name="time-zone"),
    path("me/language/", views.language_edit, name="language"),
    path("contacts/", views.contact_list, name="contact-list"),
    path("contacts/new/", views.contact_create, name="contact-create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact-edit"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:pk>/", views.account_detail, name="account-detail"),
    path("accounts/<int:pk>/edit/", views.account_edit, name="account-edit"),
    path("opportunities/", views_opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/new/", views_opportunities.opportunity_create, name="opportunity-create"),
    path(
        "opportunities/<int:pk>/", views_opportunities.opportunity_detail, name="opportunity-detail"
    ),
    path(
        "opportunities/<int:pk>/edit/",
        views_opportunities.opportunity_edit,
        name="opportunity-edit",
    ),
]
