"""Every case lookup is editable here by admins."""

from django.contrib import admin

from cases import models


@admin.register(models.CaseStatus)
class CaseStatusAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "order",
        "is_final",
        "is_resolved",
        "is_paused",
        "close_on_save",
        "is_initial",
        "assigns_mover",
        "is_reopen",
    ]
    list_editable = [
        "order",
        "is_final",
        "is_resolved",
        "is_paused",
        "close_on_save",
        "is_initial",
        "assigns_mover",
        "is_reopen",
    ]
    filter_horizontal = ["next_statuses"]


@admin.register(models.CasePriority)
class CasePriorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]


@admin.register(models.CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(models.SupportLevel)
class SupportLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "group"]


for lookup in (models.ClosureCode, models.Tag, models.Service):
    admin.site.register(lookup, search_fields=["name"])


@admin.register(models.ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ["name", "service"]
    search_fields = ["name"]


@admin.register(models.SatisfactionLevel)
class SatisfactionLevelAdmin(admin.ModelAdmin):
    list_display = ["value", "name", "status"]


class WorkingDayInline(admin.TabularInline):
    model = models.WorkingDay
    extra = 0


class HolidayInline(admin.TabularInline):
    model = models.Holiday
    extra = 0


@admin.register(models.WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    inlines = [WorkingDayInline, HolidayInline]


class ServiceTermInline(admin.TabularInline):
    model = models.ServiceTerm
    extra = 0


@admin.register(models.ServiceAgreement)
class ServiceAgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "calendar", "account"]
    inlines = [ServiceTermInline]


class CaseEventInline(admin.TabularInline):
    model = models.CaseEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "text"]
    readonly_fields = fields
    can_delete = False


@admin.register(models.Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "subject",
        "status",
        "priority",
        "assignee",
        "assignee_group",
        "resolution_due",
    ]
    list_filter = ["status", "priority", "category"]
    search_fields = ["number", "subject"]
    list_select_related = ["status", "priority", "assignee", "assignee_group"]
    raw_id_fields = ["contact", "account", "parent"]
    filter_horizontal = ["tags"]
    inlines = [CaseEventInline]


# -- the customer side -----------------------------------------------------------------


class CaseAttachmentInline(admin.TabularInline):
    model = models.CaseAttachment
    extra = 0
    fields = ("name", "size", "content_type", "created_at")
    readonly_fields = fields


@admin.register(models.CaseMessage)
class CaseMessageAdmin(admin.ModelAdmin):
    list_display = ("case", "direction", "channel", "subject", "author_email", "created_at")
    list_filter = ("direction", "channel")
    search_fields = ("case__number", "subject", "body", "message_id", "author_email")
    raw_id_fields = ("case", "author_user", "author_contact")
    inlines = [CaseAttachmentInline]


@admin.register(models.InboundFailure)
class InboundFailureAdmin(admin.ModelAdmin):
    """Incoming email that could not be filed: the reason and the raw message, kept."""

    list_display = ("received_at", "sender", "subject", "reason", "source", "is_resolved")
    list_filter = ("is_resolved", "source")
    search_fields = ("sender", "subject", "reason")
    readonly_fields = (
        "source",
        "source_key",
        "reason",
        "sender",
        "subject",
        "raw_text",
        "kept_at",
        "received_at",
    )
    exclude = ("raw",)
    actions = ["mark_resolved"]

    @admin.display(description="raw message")
    def raw_text(self, obj):
        return bytes(obj.raw or b"")[:20000].decode("utf-8", errors="replace")

    @admin.action(description="Mark as dealt with")
    def mark_resolved(self, request, queryset):
        queryset.update(is_resolved=True)
