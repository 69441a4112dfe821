"""The admin's "History" page of a curated record: every version, who made it and what changed,
with "Restore this version" for editors (core/history_restore.py)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.history_restore import (
    history_event_model,
    record_history,
    record_version_restore,
)

RESTORED = gettext_lazy("Restored the version of %(time)s (event %(event)s): %(fields)s.")
ALREADY_CURRENT = gettext_lazy(
    "The record already holds the version of %(time)s: nothing to restore."
)
NOT_RESTORED = gettext_lazy("This version cannot be restored: %(errors)s")


class HistoryRestoreAdmin:
    """Mix into a ModelAdmin whose model is tracked by pghistory (``track_history``)."""

    history_template = "admin/history/record_history.html"

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/history/<int:event_id>/restore/",
                self.admin_site.admin_view(self.history_restore_view),
                name=self._url_name("history_restore"),
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(record)s") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "object": record,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "entries": record_history(record),
            "can_restore": self.has_change_permission(request, record),
            "restore_url_name": f"admin:{self._url_name('history_restore')}",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def history_restore_view(self, request, object_id, event_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, record):
            raise PermissionDenied
        event_model = history_event_model(type(record))
        event = get_object_or_404(event_model, pk=event_id, pgh_obj_id=record.pk)
        when = event.pgh_created_at.strftime("%Y-%m-%d %H:%M:%S")
        try:
            changed = record_version_restore(record=record, event=event)
        except ValidationError as exc:
            self.message_user(
                request, NOT_RESTORED % {"errors": " ".join(exc.messages)}, messages.ERROR
            )
        else:
            if changed:
                message = RESTORED % {"time": when, "event": event.pk, "fields": ", ".join(changed)}
                self.log_change(request, record, message)
                self.message_user(request, message, messages.SUCCESS)
            else:
                self.message_user(request, ALREADY_CURRENT % {"time": when}, messages.INFO)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self._url_name('history')}",
                args=[record.pk],
                current_app=self.admin_site.name,
            )
        )
