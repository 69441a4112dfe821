"""The admin of use cases: the uses the company defines and the licence questions they imply.
Editors keep them; writes go through ``adoption.services.approvals.use_case_upsert``."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from adoption.admin.mixins import ServiceRejected, ServiceWriteAdmin, service_errors
from adoption.models import UseCase
from adoption.services.approvals import USE_CASE_FIELDS, USE_CASE_QUESTION_FIELDS, use_case_upsert


@admin.register(UseCase)
class UseCaseAdmin(ServiceWriteAdmin):
    list_display = ("name", "slug", "owner", "commercial_product", "hosted_service", "territory")
    list_filter = ("commercial_product", "hosted_service", "publish_finetune")
    search_fields = ("name", "slug", "owner", "description")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "owner", "owner_contact")}),
        (
            _("Licence questions"),
            {
                "description": _(
                    "What the licence checker asks of each model's licence for this use."
                ),
                "fields": USE_CASE_QUESTION_FIELDS,
            },
        ),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in USE_CASE_FIELDS if name in form.fields}
        current = UseCase.objects.get(pk=obj.pk) if change else None
        try:
            saved = use_case_upsert(use_case=current, **values)
        except ValidationError as exc:
            raise ServiceRejected(service_errors(exc)) from exc
        obj.pk = saved.pk
