"""The catalog's admin: organisations, features, families, versions, variants, lineage,
sources and citations."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    Source,
    VersionFeature,
)
from core.lib.units import bytes_to_gib
from curation.admin.mixins import URL_FIELDS_ASSUME_HTTPS, CuratedAdmin, ServiceWriteAdmin
from curation.services import curated_record_delete, curated_record_save
from hardware.models import Recommendation
from hardware.services import variants_changed


@admin.register(Organization)
class OrganizationAdmin(CuratedAdmin):
    list_display = ("name", "name_zh", "country", "kind", "status")
    list_filter = ("status", "kind", "country")
    search_fields = ("name", "name_zh", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ArchitectureFeature)
class ArchitectureFeatureAdmin(CuratedAdmin):
    list_display = ("name", "name_zh", "category", "parent", "derivable", "status")
    list_filter = ("status", "category", "derivable")
    list_select_related = ("parent",)
    search_fields = ("name", "name_zh", "slug", "description", "description_zh")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ModelFamily)
class ModelFamilyAdmin(CuratedAdmin):
    list_display = ("name", "name_zh", "organization", "status")
    list_filter = ("status", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "name_zh", "slug", "aliases")
    autocomplete_fields = ("organization",)
    prepopulated_fields = {"slug": ("name",)}


class VersionFeatureInline(admin.TabularInline):
    model = VersionFeature
    extra = 0
    autocomplete_fields = ("feature",)
    verbose_name_plural = _("architecture features (curated)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("feature")


class VariantInline(admin.TabularInline):
    """Variants edited inside their version: the numbers editors correct most often."""

    model = ModelVariant
    extra = 0
    show_change_link = True
    fields = (
        "name",
        "slug",
        "kind",
        "total_parameters",
        "active_parameters",
        "hf_repo_id",
        "status",
    )
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version")


@admin.register(ModelVersion)
class ModelVersionAdmin(CuratedAdmin):
    list_display = ("name", "family", "release_date", "license", "max_context_tokens", "status")
    list_filter = ("status", "family", "license", "release_date")
    list_select_related = ("family", "license")
    search_fields = ("name", "name_zh", "slug", "aliases", "family__name", "description")
    autocomplete_fields = ("family", "license", "predecessor")
    date_hierarchy = "release_date"
    inlines = (VersionFeatureInline, VariantInline, *CuratedAdmin.inlines)

    def save_formset(self, request, form, formset, change):
        if formset.model is ModelVariant:
            for variant in formset.save(commit=False):
                curated_record_save(record=variant)
            for variant in formset.deleted_objects:
                curated_record_delete(record=variant)
            formset.save_m2m()
        else:
            super().save_formset(request, form, formset, change)


class OriginInline(admin.TabularInline):
    model = Lineage
    fk_name = "child"
    extra = 0
    autocomplete_fields = ("parent",)
    fields = ("parent", "kind", "note")
    verbose_name_plural = _("derived from")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


class RecommendationInline(admin.TabularInline):
    """What the variant needs, computed by the estimator (read-only)."""

    model = Recommendation
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = (
        "workload",
        "precision",
        "context_tokens",
        "memory",
        "smallest_profile",
        "decode_tokens_per_s",
        "estimator_version",
        "computed_at",
    )
    readonly_fields = fields
    verbose_name_plural = _("hardware recommendations (computed)")

    @admin.display(description=_("memory"))
    def memory(self, obj):
        if obj is None or obj.total_bytes is None:  # the inline's empty form
            return "—"
        return f"{bytes_to_gib(obj.total_bytes):,.1f} GiB"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("smallest_profile")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ModelVariant)
class ModelVariantAdmin(CuratedAdmin):
    list_display = (
        "name",
        "version",
        "kind",
        "total_parameters",
        "active_parameters",
        "license",
        "status",
    )
    list_filter = ("status", "kind", "version__family", "license")
    list_select_related = ("version", "license")
    search_fields = ("name", "slug", "hf_repo_id", "modelscope_repo_id", "version__name")
    autocomplete_fields = ("version", "license")
    inlines = (OriginInline, *CuratedAdmin.inlines, RecommendationInline)
    actions = (*CuratedAdmin.actions, "recompute")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "version",
                    "name",
                    "slug",
                    "kind",
                    "status",
                    "release_date",
                    "release_date_precision",
                    "license",
                    "hf_repo_id",
                    "modelscope_repo_id",
                )
            },
        ),
        (_("Parameters"), {"fields": ("total_parameters", "active_parameters")}),
        (
            _("Architecture"),
            {
                "fields": (
                    "architecture_class",
                    "model_type",
                    "num_layers",
                    "hidden_size",
                    "num_attention_heads",
                    "num_kv_heads",
                    "head_dim",
                    "intermediate_size",
                    "vocab_size",
                    "tie_word_embeddings",
                    "qkv_bias",
                    "max_position_embeddings",
                    "sliding_window",
                    "rope_theta",
                    "rope_scaling_type",
                )
            },
        ),
        (
            _("Mixture of experts"),
            {
                "classes": ("collapse",),
                "fields": (
                    "num_experts",
                    "num_experts_per_token",
                    "num_shared_experts",
                    "moe_intermediate_size",
                    "shared_expert_intermediate_size",
                    "first_dense_layers",
                ),
            },
        ),
        (
            _("Latent attention (MLA)"),
            {
                "classes": ("collapse",),
                "fields": (
                    "q_lora_rank",
                    "kv_lora_rank",
                    "qk_rope_head_dim",
                    "qk_nope_head_dim",
                    "v_head_dim",
                ),
            },
        ),
        (_("Text"), {"fields": ("description", "description_zh", "seed_claim", "config")}),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )

    @admin.action(description=_("Recompute hardware recommendations"), permissions=["change"])
    def recompute(self, request, queryset):
        variants_changed(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("Recompute queued for %(count)d variants.") % {"count": queryset.count()}
        )


@admin.register(Lineage)
class LineageAdmin(ServiceWriteAdmin):
    list_display = ("child", "kind", "parent")
    list_filter = ("kind",)
    list_select_related = ("child", "parent")
    search_fields = ("child__name", "parent__name")
    autocomplete_fields = ("child", "parent")


@admin.register(Source)
class SourceAdmin(ServiceWriteAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ("title", "publisher", "url", "accessed_on")
    list_filter = ("publisher",)
    search_fields = ("title", "url", "publisher")


@admin.register(Citation)
class CitationAdmin(ServiceWriteAdmin):
    list_display = ("source", "content_type", "object_id", "fields")
    list_filter = ("content_type",)
    list_select_related = ("source", "content_type")
    search_fields = ("source__title", "source__url", "quote", "note")
    autocomplete_fields = ("source",)
