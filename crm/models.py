from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    web = models.URLField(_("web"), blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_accounts",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("crm:account-detail", args=[self.pk])


class Contact(models.Model):
    full_name = models.CharField(_("full name"), max_length=200, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_contacts",
    )
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portal_contact",
        help_text=_("The sign-in this contact uses on the customer portal."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("crm:contact-detail", args=[self.pk])


class SystemSetting(models.Model):
    """A named value admins can change without a deploy (Creatio's system settings)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Integer")
        BOOLEAN = "boolean", _("Boolean")

    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.TEXT)
    value = models.CharField(_("value"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("system setting")
        verbose_name_plural = _("system settings")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def typed_value(self):
        if self.kind == self.Kind.INTEGER:
            return int(self.value or 0)
        if self.kind == self.Kind.BOOLEAN:
            return self.value.strip().lower() in {"1", "true", "yes", "on"}
        return self.value


class MessageTemplate(models.Model):
    """An email admins can word: subject, text and HTML, each a Django template."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=300)
    text_body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self):
        return self.name


class OpportunityCategory(models.Model):
    """Small business, Medium business...: a dynamic case may be chosen by it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("opportunity category")
        verbose_name_plural = _("opportunity categories")

    def __str__(self):
        return self.name


class OpportunityStage(models.Model):
    """Qualification, Proposal, Closed won...: the stages a dynamic case walks."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_final = models.BooleanField(_("final"), default=False)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("opportunity stage")
        verbose_name_plural = _("opportunity stages")

    def __str__(self):
        return self.name


class Opportunity(models.Model):
    """A sale being worked: its stage moves on the workflow bar of its dynamic case."""

    title = models.CharField(_("title"), max_length=200)
    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    category = models.ForeignKey(
        OpportunityCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stage = models.ForeignKey(
        OpportunityStage,
        verbose_name=_("stage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_opportunities",
    )
    close_date = models.DateField(_("close date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["category", "stage"], name="opportunity_category_stage"),
            models.Index(fields=["owner", "-created_at"], name="opportunity_owner"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("crm:opportunity-detail", args=[self.pk])


class UserSettings(models.Model):
    """What one person chose for themselves: the time zone and language of their pages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="flowdesk_settings",
        verbose_name=_("user"),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Empty: the time zone of the site."),
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("Empty: the language the browser asks for."),
    )

    class Meta:
        verbose_name = _("user settings")
        verbose_name_plural = _("user settings")

    def __str__(self):
        return str(self.user)
