from django.apps import AppConfig


class VfBenchConfig(AppConfig):
    """Bench-only app holding the django-viewflow flows of bench/engine.py."""

    name = "bench.vfapp"
    label = "vfbench"
    default_auto_field = "django.db.models.BigAutoField"
