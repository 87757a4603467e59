from django.contrib import admin

from webhooks.models import Attempt, Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "created_at")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "subscription", "status", "attempts", "created_at")
    list_filter = ("status", "event")
    readonly_fields = [field.name for field in Delivery._meta.fields]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("delivery", "number", "status_code", "duration_ms", "at")
    readonly_fields = [field.name for field in Attempt._meta.fields]
