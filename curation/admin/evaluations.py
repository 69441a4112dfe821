"""The evaluations' admin: benchmarks, results (one at a time or a CSV of a run), and the
seed's checked claims. Internal results are entered here by editors; the CSV upload is all
rows or none, each bad row named with its field."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from curation.admin.mixins import CuratedAdmin
from evaluations.fileformat import SETTING_FIELDS
from evaluations.models import Benchmark, Claim, Result
from evaluations.services import RESULT_FIELDS, ResultImportError, results_import_csv

CSV_NOT_TEXT = _("The file is not UTF-8 text.")


@admin.register(Benchmark)
class BenchmarkAdmin(CuratedAdmin):
    list_display = ("name", "slug", "category", "metric", "scale_min", "scale_max", "private")
    list_filter = ("status", "category", "metric", "private")
    search_fields = ("name", "name_zh", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("derived_from",)
    fieldsets = (
        (None, {"fields": ("name", "name_zh", "slug", "derived_from", "category", "status")}),
        (
            _("Measure"),
            {"fields": ("metric", "higher_is_better", "scale_min", "scale_max", "languages")},
        ),
        (
            _("Text"),
            {
                "fields": (
                    "description",
                    "description_zh",
                    "caveats",
                    "caveats_zh",
                    "paper_url",
                    "homepage_url",
                    "private",
                    "seed_claim",
                )
            },
        ),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )


class ResultCSVForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "A header row naming the columns; variant (family/version/variant), benchmark "
            "(slug), value, metric, reporter and date are required; reported_by defaults to "
            "internal."
        ),
    )


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = (
        "variant",
        "benchmark",
        "value",
        "metric",
        "shots",
        "thinking",
        "reported_by",
        "reporter",
        "date",
    )
    list_filter = ("reported_by", "benchmark__category", "metric", "thinking", "harness")
    search_fields = (
        "variant__name",
        "variant__slug",
        "benchmark__name",
        "benchmark__slug",
        "reporter",
        "source_title",
    )
    list_select_related = ("variant", "benchmark")
    autocomplete_fields = ("variant", "benchmark")
    readonly_fields = ("comparable_key", "created_by", "created_at", "updated_at")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("variant", "benchmark", "benchmark_version", "value", "metric")}),
        (
            _("Setting"),
            {"fields": SETTING_FIELDS},
        ),
        (
            _("Source"),
            {
                "fields": (
                    "reported_by",
                    "reporter",
                    "date",
                    "source_url",
                    "source_title",
                    "source_locator",
                    "source_quote",
                    "note",
                )
            },
        ),
        (
            _("Record"),
            {
                "classes": ("collapse",),
                "fields": ("comparable_key", "created_by", "created_at", "updated_at"),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.save()

    def get_urls(self):
        return [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="evaluations_result_upload",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_upload": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        """Upload a run's results as CSV: every row checked, all written or none."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ResultCSVForm(request.POST or None, request.FILES or None)
        errors: list = []
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", CSV_NOT_TEXT)
            else:
                try:
                    imported = results_import_csv(text=text, user=request.user)
                except ResultImportError as exc:
                    errors = exc.errors
                else:
                    self.message_user(
                        request,
                        _("%(count)d results imported.") % {"count": len(imported)},
                        messages.SUCCESS,
                    )
                    return redirect("admin:evaluations_result_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Upload results (CSV)"),
            "form": form,
            "row_errors": errors,
            "columns": RESULT_FIELDS,
        }
        status = 400 if request.method == "POST" else 200
        return render(request, "admin/evaluations/result/upload.html", context, status=status)


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "benchmark", "verdict")
    list_filter = ("verdict",)
    search_fields = ("seed_text", "explanation", "version__name")
    list_select_related = ("version", "benchmark")
    autocomplete_fields = ("version", "variant", "benchmark")
