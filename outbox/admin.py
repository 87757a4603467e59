from django.contrib import admin

from outbox.models import Effect


@admin.register(Effect)
class EffectAdmin(admin.ModelAdmin):
    list_display = ("kind", "key", "status", "attempts", "available_at", "created_at", "done_at")
    list_filter = ("status", "kind")
    search_fields = ("key", "last_error")
    readonly_fields = ("kind", "key", "payload", "created_at", "done_at")
