"""Admin of ingestion: watched publishers, runs, and the editors' inbox of release candidates."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.ingest.diff import REVIEW_FIELDS, field_label
from catalog.ingest.forms import NEW, CandidateReviewForm
from catalog.ingest.messages import note_message
from catalog.ingest.services import IngestOptions, ingest_run_enqueue
from catalog.models import (
    IngestRun,
    IngestSourceResult,
    ReleaseCandidate,
    WatchedPublisher,
)
from curation.admin.mixins import URL_FIELDS_ASSUME_HTTPS
from curation.services import curated_record_save
from curation.services.card_results import CardResultRow, card_result_rows
from curation.services.review import (
    NewVersion,
    ReviewError,
    release_candidate_approve,
    release_candidate_reject,
)
from evaluations.choices import Metric, ReportedBy

PAYLOAD_SHOWN_CHARS = 200_000  # the raw payload shown on the review page, past which it is cut
INGEST_QUEUED = _("Ingestion queued; its run appears below when it starts.")


@admin.register(WatchedPublisher)
class WatchedPublisherAdmin(admin.ModelAdmin):
    list_display = (
        "author",
        "source",
        "organization",
        "default_family",
        "active",
        "last_checked_at",
    )
    list_filter = ("source", "active")
    list_select_related = ("organization", "default_family")
    search_fields = ("author", "feed_location")
    autocomplete_fields = ("organization", "default_family")
    readonly_fields = ("last_checked_at",)
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    actions = ("ingest_now",)

    def save_model(self, request, obj, form, change):
        curated_record_save(record=obj)

    @admin.action(description=_("Ingest the selected publishers now"), permissions=["change"])
    def ingest_now(self, request, queryset):
        for publisher in queryset:
            ingest_run_enqueue(
                options=IngestOptions(sources=(publisher.source,), author=publisher.author),
                user=request.user,
            )
        self.message_user(request, INGEST_QUEUED)


class SourceResultInline(admin.TabularInline):
    model = IngestSourceResult
    extra = 0
    can_delete = False
    fields = ("source", "label", "seen", "created", "updated", "skipped", "failed", "error_list")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("errors"))
    def error_list(self, obj):
        if not obj.errors:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(["<li><code>{}</code> {} {}</li>"] * len(obj.errors)),
                *[
                    part
                    for error in obj.errors
                    for part in (error.get("entry", ""), error.get("field", ""), error["message"])
                ],
            ),
        )


@admin.register(IngestRun)
class IngestRunAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "started_at",
        "finished_at",
        "trigger",
        "status",
        "seen",
        "created",
        "failed",
        "started_by",
    )
    list_filter = ("status", "trigger")
    list_select_related = ("started_by",)
    inlines = (SourceResultInline,)
    readonly_fields = (
        "trigger",
        "status",
        "options",
        "started_at",
        "finished_at",
        "started_by",
        "error",
    )
    change_list_template = "admin/catalog/ingestrun/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                seen=Sum("results__seen"),
                created=Sum("results__created"),
                failed=Sum("results__failed"),
            )
        )

    @admin.display(description=_("seen"), ordering="seen")
    def seen(self, obj):
        return obj.seen or 0

    @admin.display(description=_("created"), ordering="created")
    def created(self, obj):
        return obj.created or 0

    @admin.display(description=_("failed"), ordering="failed")
    def failed(self, obj):
        return obj.failed or 0

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_ingest": request.user.has_perm("catalog.change_watchedpublisher"),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "ingest-now/",
                self.admin_site.admin_view(self.ingest_now_view),
                name="catalog_ingestrun_ingest_now",
            ),
            *super().get_urls(),
        ]

    def ingest_now_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("catalog.change_watchedpublisher"):
            raise PermissionDenied
        ingest_run_enqueue(options=IngestOptions(), user=request.user)
        self.message_user(request, INGEST_QUEUED)
        return HttpResponseRedirect(reverse("admin:catalog_ingestrun_changelist"))


class ChangesFilter(admin.SimpleListFilter):
    title = _("kind of candidate")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return (("new", _("New variant")), ("conflict", _("Changes a curated variant")))

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(variant__isnull=True)
        if self.value() == "conflict":
            return queryset.filter(variant__isnull=False)
        return queryset


@admin.register(ReleaseCandidate)
class ReleaseCandidateAdmin(admin.ModelAdmin):
    """The inbox: pending candidates first; a candidate's page is its review."""

    list_display = (
        "upstream_id",
        "source",
        "status",
        "variant",
        "version",
        "changes",
        "first_seen_at",
        "updated_at",
    )
    list_filter = ("status", ChangesFilter, "source", "publisher")
    list_select_related = ("variant", "version__family")
    search_fields = ("upstream_id",)
    list_per_page = 50
    actions = ("reject_selected",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload", "facts")

    @admin.display(description=_("changes"))
    def changes(self, obj):
        return len(obj.diff) + len(obj.proposed_results)

    def has_add_permission(self, request):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            raise PermissionDenied
        return self.review_view(request, object_id)

    def review_view(self, request, object_id):
        candidate = get_object_or_404(
            ReleaseCandidate.objects.select_related(
                "variant__version__family",
                "version__family",
                "publisher__default_family",
                "publisher__organization",
            ),
            pk=object_id,
        )
        can_review = self.has_change_permission(request, candidate)
        pending = candidate.status == ReleaseCandidate.Status.PENDING
        results = card_result_rows(candidate=candidate)
        form = CandidateReviewForm(
            request.POST if request.method == "POST" else None,
            candidate=candidate,
            accepted_results=[row.key for row in results if row.acceptable],
        )
        if request.method == "POST":
            if not can_review or not pending:
                raise PermissionDenied
            if form.is_valid():
                try:
                    self._apply_review(request, candidate, form)
                except ReviewError as exc:
                    for name, problems in exc.errors.items():
                        target = name if name in form.fields else None
                        for problem in problems:
                            form.add_error(target, problem)
                else:
                    return HttpResponseRedirect(
                        reverse("admin:catalog_releasecandidate_changelist")
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review %(candidate)s") % {"candidate": candidate.upstream_id},
            "candidate": candidate,
            "form": form,
            "rows": _diff_rows(candidate, form),
            "result_rows": _result_rows(results, form),
            "notes": [note_message(note) for note in candidate.facts.get("notes", [])],
            "payload": _pretty(candidate.payload),
            "unresolved_parents": [
                edge for edge in candidate.proposed.get("lineage", []) if not edge.get("parent")
            ],
            "can_review": can_review and pending,
            "original": candidate,
        }
        return TemplateResponse(request, "admin/catalog/releasecandidate/review.html", context)

    def _apply_review(self, request, candidate, form):
        data = form.cleaned_data
        if request.POST.get("action") == "reject":
            release_candidate_reject(
                candidate=candidate,
                editor=request.user,
                revision=data["revision"],
                note=data["note"],
            )
            self.message_user(request, _("Candidate %(id)s rejected.") % {"id": candidate})
            return
        new_version = None
        if form.is_new_variant and data.get("target") == NEW:
            new_version = NewVersion(
                family_slug=data["new_version_family"],
                slug=data["new_version_slug"],
                name=data["new_version_name"],
            )
        variant = release_candidate_approve(
            candidate=candidate,
            editor=request.user,
            accepted=data["fields"],
            accepted_results=data["results"],
            version=data.get("version") if new_version is None else None,
            new_version=new_version,
            publish=data.get("publish", True),
            revision=data["revision"],
            note=data["note"],
        )
        self.message_user(
            request,
            _("Candidate %(id)s approved: %(variant)s saved.")
            % {"id": candidate, "variant": variant},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected candidates"), permissions=["change"])
    def reject_selected(self, request, queryset):
        done = 0
        for candidate in queryset.filter(status=ReleaseCandidate.Status.PENDING):
            release_candidate_reject(candidate=candidate, editor=request.user)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d candidate rejected.", "%(count)d candidates rejected.", done)
            % {"count": done},
        )


def _pretty(value) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > PAYLOAD_SHOWN_CHARS:
        return text[:PAYLOAD_SHOWN_CHARS] + "\n…"
    return text


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value, force_grouping=True)
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return str(value)


def _diff_rows(candidate: ReleaseCandidate, form: CandidateReviewForm) -> list[dict]:
    field = form["fields"] if "fields" in form.fields else None
    checkboxes = {widget.data["value"]: widget for widget in field} if field is not None else {}
    return [
        {
            "name": name,
            "label": field_label(name),
            "current": _shown(change.get("current")),
            "upstream": _shown(change.get("upstream")),
            "long": isinstance(change.get("upstream"), dict | list),
            "checkbox": checkboxes.get(name),
        }
        for name, change in sorted(candidate.diff.items(), key=lambda item: _order(item[0]))
    ]


def _result_rows(results: list[CardResultRow], form: CandidateReviewForm) -> list[dict]:
    """The proposed results as the review page shows them: the card's words, what accepting
    records, and why a row cannot be accepted (no checkbox then)."""
    checkboxes = {widget.data["value"]: widget for widget in form["results"]}
    rows = []
    for row in results:
        card, values = row.card, row.values
        rows.append(
            {
                "key": row.key,
                "where": card.get("where", ""),
                "dataset": " · ".join(
                    str(card[name])
                    for name in ("dataset_name", "dataset_type", "dataset_config", "dataset_split")
                    if card.get(name)
                )
                or "—",
                "metric": " · ".join(
                    str(card[name]) for name in ("metric_type", "metric_name") if card.get(name)
                )
                or "—",
                "written": card.get("value") or "—",
                "benchmark": values.get("benchmark") or "—",
                "benchmark_version": values.get("benchmark_version", ""),
                "value": values.get("value") or "—",
                "metric_recorded": _label(Metric, values.get("metric")),
                "shots": "—" if values.get("shots") is None else values["shots"],
                "pass_k": values.get("pass_k"),
                "reported_by": _label(ReportedBy, values.get("reported_by")),
                "reporter": values.get("reporter", ""),
                "source_url": values.get("source_url", ""),
                "error": row.error,
                "recorded": row.recorded,
                "checkbox": checkboxes.get(row.key) if row.acceptable else None,
            }
        )
    return rows


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else "—"


def _order(name: str) -> int:
    return REVIEW_FIELDS.index(name) if name in REVIEW_FIELDS else len(REVIEW_FIELDS)
