from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adoption.choices import DeliveryStatus, EventKind, WebhookFormat
from catalog.models import ModelFamily, ModelVariant, ModelVersion
from core.history import track_history
from core.models.constraints import OneQueryCheckConstraints

ONE_SUBSCRIBER = _("A subscription belongs to one user or one team's webhook.")


class Event(models.Model):
    """Something people follow happened: a release, a new version of a family, an approval's
    change, an endpoint going down or coming back. The Atom feeds and the webhooks read these
    rows, so a notification survives a Redis outage: it is in the database first."""

    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices, db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    path = models.CharField(_("link"), max_length=500, blank=True)
    family = models.ForeignKey(
        ModelFamily, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        ModelVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    variant = models.ForeignKey(
        ModelVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    use_case = models.ForeignKey(
        "adoption.UseCase", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    approval = models.ForeignKey(
        "adoption.Approval", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    deployment = models.ForeignKey(
        "adoption.Deployment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    # A catalog event is recorded once (the scan runs again and again).
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="adoption_event_order_idx"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title


# The signing secret is never copied into history, which every viewer may read.
@track_history(exclude=["secret", "last_delivered_at", "failing_since", "updated_at"])
class Webhook(models.Model):
    """A team's outgoing webhook: JSON, Slack or Teams bodies signed with HMAC-SHA256."""

    name = models.CharField(_("name"), max_length=200)
    team = models.CharField(_("team"), max_length=200)
    url = models.URLField(_("address"), max_length=500)
    format = models.CharField(
        _("body format"), max_length=8, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        help_text=_("Signs every body (X-Registry-Signature: sha256=<HMAC-SHA256 hex>)."),
    )
    active = models.BooleanField(_("active"), default=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    last_delivered_at = models.DateTimeField(
        _("last delivered"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["team", "name", "pk"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"


class Delivery(models.Model):
    """One event sent, or to be sent, to one webhook, with every attempt's outcome."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Each attempt: {"at", "status_code", "error", "duration_ms"}.
    log = models.JSONField(_("attempts log"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="adoption_delivery_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event"], name="%(app_label)s_%(class)s_once_per_event"
            )
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.webhook_id} ← {self.event_id}: {self.status}"


class Subscription(OneQueryCheckConstraints):
    """A user's or a team's (its webhook's) interest in a family, a use case or a deployment,
    or in every event of the chosen kinds when none is named."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registry_subscriptions",
        verbose_name=_("user"),
    )
    webhook = models.ForeignKey(
        Webhook,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("team webhook"),
    )
    kinds = models.JSONField(
        _("event kinds"),
        default=list,
        blank=True,
        help_text=_("Empty: every kind."),
    )
    family = models.ForeignKey(
        ModelFamily,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("family"),
    )
    use_case = models.ForeignKey(
        "adoption.UseCase",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("use case"),
    )
    deployment = models.ForeignKey(
        "adoption.Deployment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("deployment"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(webhook__isnull=True),
                name="%(app_label)s_%(class)s_one_subscriber",
                violation_error_message=ONE_SUBSCRIBER,
            ),
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user_id or self.webhook_id}: {self.kinds or 'all'}"
