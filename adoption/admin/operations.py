"""The admin of what runs and what is stored: deployments with the health check's findings,
and artifacts (copies of weights) with their files and verification."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from adoption.admin.mixins import (
    SelectorQuerysetMixin,
    ServiceRejected,
    ServiceWriteAdmin,
    badge,
    masked,
    service_errors,
)
from adoption.choices import DeploymentStatus, Health
from adoption.forms import ManifestUploadForm
from adoption.models import Artifact, ArtifactFile, Deployment
from adoption.models.deployments import HEALTH_FIELDS
from adoption.selectors import artifact_list, deployment_list
from adoption.services import health
from adoption.services.artifacts import (
    ArtifactInputError,
    FileCheck,
    artifact_upsert,
    artifact_verify,
    artifact_verify_from_location,
)
from adoption.services.deployments import (
    DEPLOYMENT_FIELDS,
    DEPLOYMENT_OWNER_FIELDS,
    DEPLOYMENT_SERVING_FIELDS,
    deployment_upsert,
)

# "Check now" queues the check (a request never waits for an endpoint).
CHECK_QUEUED = _(
    "A check of %(count)d deployments is queued: reload this page in a few seconds to see "
    "what the endpoints answered."
)
CHECK_NOT_QUEUED = _(
    "The task queue cannot be reached: the periodic health check will cover these deployments "
    "when it is back."
)
# The health check's findings as the admin shows them (the health as a badge), read only.
HEALTH_SHOWN = ("health_badge", *(name for name in HEALTH_FIELDS if name != "health"))
API_KEY_KEPT = _("Leave empty to keep the current key.")
API_KEY_CLEAR_AND_NEW = _("Type a new key or remove the current one, not both.")
VERIFIED = _("Verification: %(state)s.")
NOT_VERIFIED = _("Not verified: %(field)s: %(message)s")


class EndpointsDownFilter(admin.SimpleListFilter):
    title = _("endpoints down")
    parameter_name = "down"

    def lookups(self, request, model_admin):
        return (("yes", _("Active and down")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=DeploymentStatus.ACTIVE, health=Health.DOWN)
        return queryset


class DeploymentForm(forms.ModelForm):
    """The endpoint's API key is never sent back to the browser: an empty field keeps it, and
    a box removes it."""

    # Addresses typed without a scheme are https (Django 6.0's default, chosen now).
    endpoint_url = Deployment._meta.get_field("endpoint_url").formfield(assume_scheme="https")
    api_key_clear = forms.BooleanField(label=_("Remove the API key"), required=False)

    class Meta:
        model = Deployment
        fields = DEPLOYMENT_FIELDS
        widgets = {"api_key": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "api_key" in self.fields:
            field = self.fields["api_key"]
            field.help_text = f"{API_KEY_KEPT} {field.help_text}"

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("api_key") or ""
        if cleaned.get("api_key_clear"):
            if typed:
                self.add_error("api_key_clear", API_KEY_CLEAR_AND_NEW)
            cleaned["api_key"] = ""
        elif not typed and self.instance.pk and "api_key" in self.fields:
            cleaned["api_key"] = Deployment.objects.values_list("api_key", flat=True).get(
                pk=self.instance.pk
            )
        return cleaned


@admin.register(Deployment)
class DeploymentAdmin(SelectorQuerysetMixin, ServiceWriteAdmin):
    form = DeploymentForm
    list_selector = staticmethod(deployment_list)
    list_display = (
        "name",
        "variant",
        "environment",
        "engine",
        "status",
        "health_badge",
        "last_seen_up_at",
        "last_error",
    )
    list_filter = (EndpointsDownFilter, "health", "status", "environment", "engine")
    search_fields = ("name", "owner_team", "endpoint_url", "variant__name")
    autocomplete_fields = ("variant", "profile")
    readonly_fields = (*HEALTH_SHOWN, "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "variant", "environment", "status")}),
        (_("Serving"), {"fields": DEPLOYMENT_SERVING_FIELDS}),
        (_("Owners"), {"fields": DEPLOYMENT_OWNER_FIELDS}),
        (_("Health (written by the check)"), {"fields": HEALTH_SHOWN}),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    actions = ("check_now",)

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, deployment):
        return badge(deployment.health, deployment.get_health_display())

    @admin.display(description=_("API key"))
    def api_key_masked(self, deployment):
        return masked(deployment.api_key)

    def get_fieldsets(self, request, obj=None):
        """The key's field and its "remove" box where the page edits a saved deployment; a
        read-only page (viewers) shows the key masked, and an empty new form has nothing to
        remove."""
        editable = self.has_change_permission(request, obj) if obj is not None else True

        def shown(name):
            if name == "api_key":
                if not editable:
                    return ("api_key_masked",)
                return ("api_key", "api_key_clear") if obj is not None else ("api_key",)
            return (name,)

        return [
            (title, {**options, "fields": [n for f in options["fields"] for n in shown(f)]})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields += ("api_key_masked",)
        return fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {name: data[name] for name in DEPLOYMENT_FIELDS if name in form.fields}
        current = Deployment.objects.get(pk=obj.pk) if change else None
        try:
            saved = deployment_upsert(deployment=current, **values)
        except ValidationError as exc:
            raise ServiceRejected(service_errors(exc)) from exc
        obj.pk = saved.pk

    @admin.action(description=_("Check the selected endpoints now"), permissions=["change"])
    def check_now(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        if health.deployments_check_enqueue(ids):
            self.message_user(request, CHECK_QUEUED % {"count": len(ids)}, messages.SUCCESS)
        else:
            self.message_user(request, CHECK_NOT_QUEUED, messages.WARNING)


class ArtifactFileInline(admin.TabularInline):
    model = ArtifactFile
    extra = 0
    fields = ("path", "size_bytes", "sha256", "verified")
    readonly_fields = ("verified",)


@admin.register(Artifact)
class ArtifactAdmin(SelectorQuerysetMixin, ServiceWriteAdmin):
    list_selector = staticmethod(artifact_list)
    list_display = ("uri", "variant", "format", "quantization", "verification_badge", "verified_at")
    list_filter = ("verification", "format")
    search_fields = ("uri", "variant__name", "upstream_revision")
    autocomplete_fields = ("variant",)
    inlines = (ArtifactFileInline,)
    readonly_fields = (
        "verification_badge",
        "verified_at",
        "verified_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {"fields": ("variant", "uri", "format", "quantization", "upstream_revision", "note")},
        ),
        (_("Verification"), {"fields": ("verification_badge", "verified_at", "verified_by")}),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    change_form_template = "admin/adoption/artifact/change_form.html"

    @admin.display(description=_("verification"), ordering="verification")
    def verification_badge(self, artifact):
        return badge(artifact.verification, artifact.get_verification_display())

    # -- writing through artifact_upsert (a changed file list resets the verification)

    def save_model(self, request, obj, form, change):
        """Saved with its files in :meth:`save_related`, in one service call."""

    def save_related(self, request, form, formsets, change):
        files = []
        for formset in formsets:
            for file_form in formset.forms:
                data = getattr(file_form, "cleaned_data", None)
                if not data or data.get("DELETE"):
                    continue
                files.append(
                    {
                        "path": data["path"],
                        "size_bytes": data["size_bytes"],
                        "sha256": data["sha256"],
                    }
                )
        data = form.cleaned_data
        target = Artifact.objects.get(pk=form.instance.pk) if change else form.instance
        try:
            saved = artifact_upsert(
                artifact=target,
                variant=data["variant"],
                uri=data["uri"],
                format=data["format"],
                quantization=data.get("quantization", ""),
                upstream_revision=data.get("upstream_revision", ""),
                note=data.get("note", ""),
                files=files,
                user=request.user,
            )
        except ArtifactInputError as exc:
            raise ServiceRejected({k: [v] for k, v in exc.errors.items()}) from exc
        form.instance.pk = saved.pk

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline rows were replaced by the service, not saved by the formsets.
        return super().construct_change_message(request, form, [], add)

    # -- verification pages

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/verify/manifest/",
                self.admin_site.admin_view(self.verify_manifest_view),
                name=f"{info}_verify_manifest",
            ),
            path(
                "<path:object_id>/verify/location/",
                self.admin_site.admin_view(self.verify_location_view),
                name=f"{info}_verify_location",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        artifact = self.get_object(request, unquote(object_id))
        extra = {}
        if artifact is not None:
            extra = {
                "report": verification_rows(artifact.verification_report),
                "can_verify": self.has_change_permission(request, artifact),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _artifact_for_change(self, request, object_id):
        artifact = self.get_object(request, unquote(object_id))
        if artifact is None:
            return None
        if not self.has_change_permission(request, artifact):
            raise PermissionDenied
        return artifact

    def _change_url(self, artifact):
        return reverse("admin:adoption_artifact_change", args=[artifact.pk])

    def _report(self, request, artifact):
        self.log_change(request, artifact, str(VERIFIED % {"state": artifact.verification}))
        level = messages.SUCCESS if artifact.verification == "verified" else messages.WARNING
        self.message_user(request, VERIFIED % {"state": artifact.get_verification_display()}, level)

    def _refused(self, request, exc: ArtifactInputError):
        for field, message in exc.errors.items():
            self.message_user(
                request, NOT_VERIFIED % {"field": field, "message": message}, messages.ERROR
            )

    def verify_manifest_view(self, request, object_id):
        """Upload or paste a manifest and compare the recorded files with it."""
        artifact = self._artifact_for_change(request, object_id)
        if artifact is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = ManifestUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    artifact_verify(
                        artifact=artifact,
                        manifest_text=form.cleaned_data["manifest_text"],
                        user=request.user,
                    )
                except ArtifactInputError as exc:
                    self._refused(request, exc)
                else:
                    self._report(request, artifact)
                    return HttpResponseRedirect(self._change_url(artifact))
            else:
                for field, errors in form.errors.items():
                    for message in errors:
                        self.message_user(
                            request,
                            NOT_VERIFIED % {"field": field, "message": message},
                            messages.ERROR,
                        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Verify with a manifest"),
            "artifact": artifact,
            "form": form,
        }
        request.current_app = self.admin_site.name
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/adoption/artifact/manifest.html", context, status=status
        )

    def verify_location_view(self, request, object_id):
        """Compare the recorded files with the checksum file beside the weights (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        artifact = self._artifact_for_change(request, object_id)
        if artifact is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        try:
            artifact_verify_from_location(artifact=artifact, user=request.user)
        except ArtifactInputError as exc:
            self._refused(request, exc)
        else:
            self._report(request, artifact)
        return HttpResponseRedirect(self._change_url(artifact))


def verification_rows(report: list) -> list[dict]:
    """The stored report with each status in words."""
    labels = dict(FileCheck.choices)
    rows = []
    for line in report or []:
        if isinstance(line, dict):
            rows.append(
                {**line, "status_label": labels.get(line.get("status"), line.get("status"))}
            )
    return rows
