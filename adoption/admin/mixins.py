"""Admin building blocks shared by the adoption layer's admins."""

from collections.abc import Callable

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.html import format_html

from core.history_admin import HistoryRestoreAdmin

# The colour of a status badge by its value (the admin's own palette: success, error, warning).
BADGE_TONES = {
    "approved": "ok",
    "approved_with_conditions": "ok",
    "verified": "ok",
    "up": "ok",
    "delivered": "ok",
    "rejected": "bad",
    "revoked": "bad",
    "mismatch": "bad",
    "down": "bad",
    "failed": "bad",
}
BADGE_STYLE = {
    "ok": "background:#dff0d8;color:#1e5a1e",
    "bad": "background:#f8d7da;color:#842029",
    "": "background:#eee;color:#333",
}


def masked(secret: str) -> str:
    """A secret as "••••" and its last two characters, enough to tell two apart."""
    if not secret:
        return "—"
    return "••••" + secret[-2:] if len(secret) > 8 else "••••"


def badge(value: str, label) -> str:
    """A coloured label for a status value (its words, never the colour alone)."""
    tone = BADGE_TONES.get(value, "")
    return format_html(
        '<span class="adoption-badge adoption-badge-{}" style="{};padding:1px 6px;'
        'border-radius:8px;white-space:nowrap">{}</span>',
        value,
        BADGE_STYLE[tone],
        label,
    )


class ServiceRejected(Exception):
    """A service refused a save the form had accepted: ``errors`` maps fields to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def service_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in value] for key, value in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


class ServiceFormMixin:
    """A model form that shows the errors a service raised on its fields.

    The admin saves through a service after the form validated; when the service refuses, the
    save is rolled back and the same POST is shown again with the service's errors on the
    fields it named (:meth:`ServiceWriteAdmin.changeform_view`)."""

    service_errors: dict[str, list[str]] = {}

    def clean(self):
        cleaned = super().clean()
        for name, messages in self.service_errors.items():
            field = name if name in self.fields else None
            for message in messages:
                self.add_error(field, message)
        return cleaned


class ServiceWriteAdmin(HistoryRestoreAdmin, admin.ModelAdmin):
    """An admin whose ``save_model`` calls a service; a refusal (:class:`ServiceRejected`)
    rolls the save back and the form comes back with the errors on their fields. Its
    "History" page lists every version of the record (pghistory)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_per_page = 50

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        errors = getattr(request, "_adoption_service_errors", None)
        if errors:
            form = type(form.__name__, (ServiceFormMixin, form), {"service_errors": errors})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRejected as exc:
            # The transaction of the first try was rolled back: nothing was written.
            request._adoption_service_errors = exc.errors
            return super().changeform_view(request, object_id, form_url, extra_context)


class SelectorQuerysetMixin:
    """An admin whose rows come from the adoption selector ``list_selector`` (its joins and
    annotations), sorted as the changelist asks."""

    list_selector: Callable[[], QuerySet]

    def get_queryset(self, request):
        queryset = self.list_selector()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset
