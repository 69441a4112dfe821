"""Admin building blocks shared by the catalog's, licences' and hardware's admins."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Citation
from core.choices import PublicationStatus
from core.forms import StrictJSONField
from core.history_admin import HistoryRestoreAdmin
from curation.services import (
    curated_record_delete,
    curated_record_save,
    curated_records_delete,
    curated_records_set_status,
)

# URLs typed without a scheme are https (Django 6.0's default, chosen now).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class CitationInline(GenericTabularInline):
    """The sources a record cites, editable on the record's own page."""

    model = Citation
    extra = 0
    fields = ("source", "fields", "quote", "note")
    autocomplete_fields = ("source",)
    verbose_name = _("citation")
    verbose_name_plural = _("citations (sources behind the facts)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class SeedClaimFilter(admin.SimpleListFilter):
    """Records where the original seed material said something else than the sources."""

    title = _("seed claim")
    parameter_name = "seed_claim"

    def lookups(self, request, model_admin):
        return (("yes", _("Differs from the seed")), ("no", _("No seed claim")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(seed_claim="")
        if self.value() == "no":
            return queryset.filter(seed_claim="")
        return queryset


class ServiceWriteAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes (one record, the bulk action, inline rows) go
    through the curation services, so what depends on a record is recomputed after commit."""

    def save_model(self, request, obj, form, change):
        curated_record_save(record=obj)

    def delete_model(self, request, obj):
        curated_record_delete(record=obj)

    def delete_queryset(self, request, queryset):
        curated_records_delete(queryset=queryset)

    def save_formset(self, request, form, formset, change):
        # formset.save() would delete the rows marked for deletion itself.
        records = formset.save(commit=False)
        for record in formset.deleted_objects:
            curated_record_delete(record=record)
        for record in records:
            record.save()
        formset.save_m2m()


class CuratedAdmin(HistoryRestoreAdmin, ServiceWriteAdmin):
    """A curated record's admin: saves and deletes through the service layer, shows citations, and
    links to the record's history ("Events", recorded by database triggers). Its "History"
    page lists every version, and editors restore one from there."""

    inlines = (CitationInline,)
    formfield_overrides = {
        **URL_FIELDS_ASSUME_HTTPS,
        # Deep nesting, NUL characters and NaN in a pasted config.json: form errors, not 500s.
        models.JSONField: {"form_class": StrictJSONField},
    }
    list_per_page = 50
    save_on_top = True
    readonly_fields = ("created_at", "updated_at")
    actions = ("publish", "mark_deprecated")

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), SeedClaimFilter)

    @admin.action(description=_("Publish selected records"), permissions=["change"])
    def publish(self, request, queryset):
        updated = curated_records_set_status(queryset=queryset, status=PublicationStatus.PUBLISHED)
        self.message_user(request, _("%(count)d records published.") % {"count": updated})

    @admin.action(description=_("Mark selected records deprecated"), permissions=["change"])
    def mark_deprecated(self, request, queryset):
        updated = curated_records_set_status(queryset=queryset, status=PublicationStatus.DEPRECATED)
        self.message_user(request, _("%(count)d records deprecated.") % {"count": updated})
