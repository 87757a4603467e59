from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/complete/", views.activity_complete, name="complete"),
    path("<int:pk>/schedule/", views.activity_schedule, name="schedule"),
    path("<int:pk>/owner/", views.activity_reassign, name="reassign"),
    path("steps/<int:instance_id>/<int:number>/", views.activity_for_step, name="for-step"),
]
