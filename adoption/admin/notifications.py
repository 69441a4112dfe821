"""The admin of notifications: webhooks (with their delivery log and a "Send test" button),
subscriptions, and the event and delivery logs, which are read, never edited."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from adoption.admin.mixins import ServiceWriteAdmin, badge, masked
from adoption.choices import EventKind
from adoption.models import Delivery, Event, Subscription, Webhook
from adoption.services import webhooks

RECENT_DELIVERIES = 20
TEST_QUEUED = _("Test queued: delivery %(id)s to %(webhook)s.")
FAILING_SINCE = _("failing since %(when)s")
SECRET_KEPT = _("Leave empty to keep the current secret.")


class WebhookForm(forms.ModelForm):
    """The secret is never sent back to the browser; an empty field keeps it."""

    # Addresses typed without a scheme are https (Django 6.0's default, chosen now).
    url = Webhook._meta.get_field("url").formfield(assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ("name", "team", "url", "format", "secret", "active")
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A read-only form (viewers) has no secret field at all.
        if self.instance.pk and "secret" in self.fields:
            self.fields["secret"].required = False
            self.fields["secret"].help_text = SECRET_KEPT

    def clean_secret(self):
        secret = self.cleaned_data.get("secret") or ""
        if not secret and self.instance.pk:
            return Webhook.objects.values_list("secret", flat=True).get(pk=self.instance.pk)
        return secret


class FailingFilter(admin.SimpleListFilter):
    title = _("failing")
    parameter_name = "failing"

    def lookups(self, request, model_admin):
        return (("yes", _("Failing")), ("no", _("Delivering")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(failing_since__isnull=self.value() == "no")
        return queryset


@admin.register(Webhook)
class WebhookAdmin(ServiceWriteAdmin):
    form = WebhookForm
    list_display = (
        "name",
        "team",
        "url",
        "format",
        "active",
        "failing",
        "secret_masked",
        "last_delivered_at",
    )
    list_filter = (FailingFilter, "active", "format", "team")
    search_fields = ("name", "team", "url")
    readonly_fields = ("failing_since", "last_delivered_at", "deliveries_link")
    change_form_template = "admin/adoption/webhook/change_form.html"

    @admin.display(description=_("failing"), ordering="failing_since")
    def failing(self, webhook):
        if webhook.failing_since is None:
            return "—"
        when = date_format(timezone.localtime(webhook.failing_since), "SHORT_DATETIME_FORMAT")
        return badge("failed", FAILING_SINCE % {"when": when})

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            # A read-only page would print the secret: viewers see it masked.
            fields = [("secret_masked" if name == "secret" else name) for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields += ("secret_masked",)
        return fields

    @admin.display(description=_("signing secret"))
    def secret_masked(self, webhook):
        return masked(webhook.secret)

    @admin.display(description=_("delivery log"))
    def deliveries_link(self, webhook):
        url = reverse("admin:adoption_delivery_changelist") + f"?webhook__id__exact={webhook.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Every delivery to this webhook"))

    def save_model(self, request, obj, form, change):
        obj.full_clean()
        obj.save()

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name=f"{info}_send_test",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        webhook = self.get_object(request, unquote(object_id))
        extra = {}
        if webhook is not None:
            extra = {
                "deliveries": list(
                    webhook.deliveries.select_related("event").order_by("-created_at", "-pk")[
                        :RECENT_DELIVERIES
                    ]
                ),
                "can_send_test": self.has_change_permission(request, webhook),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def send_test_view(self, request, object_id):
        """Queue a test message to the webhook (POST); its delivery shows in the log."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        webhook = self.get_object(request, unquote(object_id))
        if webhook is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, webhook):
            raise PermissionDenied
        delivery = webhooks.webhook_send_test(webhook=webhook, user=request.user)
        self.message_user(
            request, TEST_QUEUED % {"id": delivery.pk, "webhook": webhook}, messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:adoption_webhook_change", args=[webhook.pk]))


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: read by whoever may view it, written only by the services."""

    list_per_page = 50

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "title", "use_case", "deployment")
    list_filter = ("kind",)
    list_select_related = ("use_case", "deployment")
    search_fields = ("title", "summary")
    date_hierarchy = "occurred_at"
    exclude = ("dedupe_key",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "webhook",
        "event",
        "status_badge",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    )
    list_filter = ("status", "webhook")
    list_select_related = ("webhook", "event")
    search_fields = ("event__title", "webhook__name", "last_error")
    fields = (
        "webhook",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "attempts_log",
    )
    readonly_fields = fields

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, delivery):
        return badge(delivery.status, delivery.get_status_display())

    @admin.display(description=_("attempts log"))
    def attempts_log(self, delivery):
        if not delivery.log:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    entry.get("at", ""),
                    entry.get("status_code") or "—",
                    entry.get("error") or "",
                    entry.get("duration_ms", ""),
                )
                for entry in delivery.log
                if isinstance(entry, dict)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("at"),
            _("answer"),
            _("error"),
            _("duration (ms)"),
            rows,
        )


class SubscriptionForm(forms.ModelForm):
    kinds = forms.TypedMultipleChoiceField(
        label=_("event kinds"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every kind."),
    )

    class Meta:
        model = Subscription
        fields = ("user", "webhook", "kinds", "family", "use_case", "deployment")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("pk", "user", "webhook", "kinds_shown", "family", "use_case", "deployment")
    list_select_related = ("user", "webhook", "family", "use_case", "deployment")
    list_filter = ("webhook",)
    autocomplete_fields = ("user", "webhook", "family", "use_case", "deployment")
    list_per_page = 50

    @admin.display(description=_("event kinds"))
    def kinds_shown(self, subscription):
        if not subscription.kinds:
            return _("every kind")
        labels = dict(EventKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in subscription.kinds)
