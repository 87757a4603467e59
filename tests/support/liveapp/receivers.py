from django.contrib.contenttypes.models import ContentType


def forget_content_types(**kwargs):
    ContentType.objects.clear_cache()
