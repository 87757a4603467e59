"""The Case designer and the actions of a record's workflow bar, mounted at /cases/dynamic/
(the paths they had while they lived in the cases app)."""

from django.urls import path

from dynamic_cases import views

app_name = "dynamic_cases"

urlpatterns = [
    path("", views.designer, name="designer"),
    path("import/", views.designer_import, name="case-import"),
    path("new/", views.designer_new, name="case-new"),
    path("<int:pk>/", views.designer_edit, name="case-edit"),
    path("<int:pk>/export/", views.designer_export, name="case-export"),
    path("<int:pk>/active/", views.designer_set_active, name="case-set-active"),
    path("records/<int:type_id>/<str:record_id>/move/", views.record_move, name="record-move"),
    path(
        "records/<int:type_id>/<str:record_id>/change/",
        views.record_change,
        name="record-change",
    ),
    path("records/<int:type_id>/<str:record_id>/start/", views.record_start, name="record-start"),
    path("steps/<int:pk>/perform/", views.step_perform, name="step-perform"),
    path("steps/<int:pk>/skip/", views.step_skip, name="step-skip"),
]
