"""The licences' admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from curation.admin.mixins import CuratedAdmin
from licenses.models import License


@admin.register(License)
class LicenseAdmin(CuratedAdmin):
    list_display = (
        "name",
        "spdx_id",
        "kind",
        "commercial_use",
        "mau_threshold",
        "outputs_train_other_models",
        "status",
    )
    list_filter = (
        "status",
        "kind",
        "commercial_use",
        "outputs_train_other_models",
        "registration_required",
        "patent_grant",
        "territory_restricted",
    )
    search_fields = ("name", "name_zh", "slug", "spdx_id", "summary", "summary_zh")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (
            None,
            {"fields": ("name", "name_zh", "slug", "spdx_id", "version", "url", "kind", "status")},
        ),
        (
            _("Terms"),
            {
                "fields": (
                    "commercial_use",
                    "mau_threshold",
                    "attribution_required",
                    "naming_requirement",
                    "patent_grant",
                    "modification_allowed",
                    "redistribution_allowed",
                    "share_alike",
                    "outputs_train_other_models",
                    "acceptable_use_policy_url",
                    "registration_required",
                    "territory_restricted",
                    "excluded_territories",
                )
            },
        ),
        (_("Text"), {"fields": ("summary", "summary_zh", "seed_claim")}),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
