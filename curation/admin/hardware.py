"""The hardware admin: accelerators, profiles, size tiers, and the computed recommendations
with their recompute runs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.lib.units import bytes_to_gib
from curation.admin.mixins import CuratedAdmin
from hardware.models import (
    Accelerator,
    HardwareProfile,
    Recommendation,
    RecomputeRun,
    SizeTier,
)
from hardware.selectors import latest_recompute_run
from hardware.services import recompute_run_start


class ProfileInline(admin.TabularInline):
    model = HardwareProfile
    extra = 0
    fields = ("name", "slug", "count", "host_memory_gib", "status")
    show_change_link = True


@admin.register(Accelerator)
class AcceleratorAdmin(CuratedAdmin):
    list_display = (
        "name",
        "vendor",
        "form",
        "memory_gib",
        "memory_bandwidth_gbps",
        "bf16_dense_tflops",
        "supports_fp8",
        "status",
    )
    list_filter = ("status", "vendor", "form", "supports_fp8", "supports_int4")
    search_fields = ("name", "vendor", "slug", "memory_type")
    prepopulated_fields = {"slug": ("vendor", "name")}
    inlines = (ProfileInline, *CuratedAdmin.inlines)


@admin.register(HardwareProfile)
class HardwareProfileAdmin(CuratedAdmin):
    list_display = ("name", "accelerator", "count", "host_memory_gib", "status")
    list_filter = ("status", "count", "accelerator__vendor")
    list_select_related = ("accelerator",)
    search_fields = ("name", "name_zh", "slug", "accelerator__name")
    autocomplete_fields = ("accelerator",)


@admin.register(SizeTier)
class SizeTierAdmin(CuratedAdmin):
    list_display = ("label", "parameters_billion", "inference_memory", "training_memory", "status")
    list_filter = ("status",)
    search_fields = ("label", "use_case", "use_case_zh")


def _gib(value: int | None) -> str:
    return "—" if value is None else f"{bytes_to_gib(value):,.1f} GiB"


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    """Computed rows: read-only, recomputed by the task (see Recompute runs)."""

    list_display = (
        "variant",
        "workload",
        "precision",
        "context_tokens",
        "memory",
        "smallest_profile",
        "decode_tokens_per_s",
        "estimator_version",
        "computed_at",
    )
    list_filter = ("workload", "precision", "context_tokens", "estimator_version")
    list_select_related = ("variant", "smallest_profile")
    search_fields = ("variant__name", "variant__slug")
    readonly_fields = [f.name for f in Recommendation._meta.fields]

    @admin.display(description=_("memory"), ordering="total_bytes")
    def memory(self, obj):
        return _gib(obj.total_bytes)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    """The recompute's runs, newest first, with a button to start one."""

    list_display = (
        "created_at",
        "status",
        "scope",
        "progress",
        "duration",
        "rows_written",
        "rows_unchanged",
        "rows_deleted",
    )
    list_filter = ("status",)
    readonly_fields = [f.name for f in RecomputeRun._meta.fields]
    change_list_template = "admin/hardware/recomputerun/change_list.html"

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.variants_done}/{obj.variants_total}"

    @admin.display(description=_("duration"))
    def duration(self, obj):
        seconds = obj.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f} s"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "recompute/",
                self.admin_site.admin_view(self.recompute_view),
                name="hardware_recomputerun_recompute",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "latest_run": latest_recompute_run(),
            "can_recompute": request.user.has_perm("hardware.change_accelerator"),
        }
        return super().changelist_view(request, extra_context)

    def recompute_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("hardware.change_accelerator"):
            raise PermissionDenied
        with transaction.atomic():
            run = recompute_run_start(variant_ids=None)
        run.refresh_from_db()
        self.message_user(
            request,
            _("Recompute %(status)s (run %(id)d).")
            % {"status": run.get_status_display(), "id": run.pk},
            messages.SUCCESS if run.status != RecomputeRun.Status.FAILED else messages.ERROR,
        )
        return redirect("admin:hardware_recomputerun_changelist")
