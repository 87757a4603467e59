from django.contrib import admin

from crm.models import (
    Account,
    Contact,
    MessageTemplate,
    Opportunity,
    OpportunityCategory,
    OpportunityStage,
    SystemSetting,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "city", "owner"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "account", "owner"]
    search_fields = ["full_name", "email"]
    list_select_related = ["account", "owner"]


@admin.register(SystemSetting)
class SystemSettingAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "value"]
    search_fields = ["name", "code"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "subject", "modified_at"]
    search_fields = ["name", "code", "subject"]


@admin.register(OpportunityCategory, OpportunityStage)
class OpportunityLookupAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    ordering = ["order", "name"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "category", "stage", "amount", "owner", "close_date"]
    list_filter = ["category", "stage"]
    search_fields = ["title", "account__name"]
    list_select_related = ["account", "category", "stage", "owner"]
