from django.urls import path

from processes import designer_views, views
from processes.user_steps import views as step_views

app_name = "processes"

urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/upload/", views.library_upload, name="library-upload"),
    path("library/signal/", views.library_signal, name="library-signal"),
    path("library/<int:pk>/", views.library_detail, name="library-detail"),
    path("library/<int:pk>/compare/", designer_views.version_compare, name="version-compare"),
    path("library/new/", designer_views.designer_new, name="designer-new"),
    path("designer/choices.json", designer_views.designer_choices, name="designer-choices"),
    path("designer/<int:pk>/", designer_views.designer_page, name="designer"),
    path("designer/<int:pk>/model.bpmn", designer_views.designer_model, name="designer-model"),
    path("designer/<int:pk>/check/", designer_views.designer_check, name="designer-check"),
    path("designer/<int:pk>/save/", designer_views.designer_save, name="designer-save"),
    path("designer/<int:pk>/publish/", designer_views.designer_publish, name="designer-publish"),
    path("designer/<int:pk>/test-run/", designer_views.designer_test_run, name="designer-test-run"),
    path("designer/<int:pk>/discard/", designer_views.designer_discard, name="designer-discard"),
    path("library/<int:pk>/active/", views.library_set_active, name="library-set-active"),
    path("library/<int:pk>/run/", views.library_run, name="library-run"),
    path("library/decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("library/decisions/<int:pk>/evaluate/", views.decision_evaluate, name="decision-evaluate"),
    path(
        "decision-versions/<int:pk>/model.dmn",
        views.decision_version_xml,
        name="decision-version-xml",
    ),
    path("versions/<int:pk>/diagram.bpmn", views.version_diagram, name="version-diagram"),
    path("versions/<int:pk>/export/", views.version_export, name="version-export"),
    path("versions/<int:pk>/draft/", designer_views.designer_from_version, name="version-draft"),
    path("versions/<int:pk>/revert/", designer_views.version_revert, name="version-revert"),
    path("log/", views.log, name="log"),
    path("log/<int:pk>/", views.log_detail, name="log-detail"),
    path("log/<int:pk>/cancel/", views.log_cancel, name="log-cancel"),
    path("log/<int:pk>/steps/<int:number>/retry/", views.log_retry, name="log-retry"),
    path("log/<int:pk>/variables/", views.log_variables, name="log-variables"),
    path("log/messages/", views.log_messages, name="log-messages"),
    path("log/messages/<int:pk>/", views.log_message, name="log-message"),
    path("log/messages/<int:pk>/discard/", views.log_message_discard, name="log-message-discard"),
    path("steps/<int:instance_id>/<int:number>/", step_views.step_page, name="step-page"),
    path("records/<str:label>/<str:pk>/steps/", step_views.record_steps, name="record-steps"),
    path(
        "records/<str:label>/<str:pk>/run/<int:definition_id>/",
        step_views.record_run,
        name="record-run",
    ),
]
