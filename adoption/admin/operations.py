"""The admin of what runs and what is stored: deployments with the health check's findings,
and artifacts (copies of weights) with their files and verification."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from adoption.admin.mixins import ServiceRejected, ServiceWriteAdmin, badge
from adoption.choices import DeploymentStatus, Health
from adoption.forms import ManifestUploadForm
from adoption.models import Artifact, ArtifactFile, Deployment
from adoption.selectors import artifact_list, deployment_list
from adoption.services import health
from adoption.services.artifacts import (
    ArtifactInputError,
    FileCheck,
    artifact_upsert,
    artifact_verify,
    artifact_verify_from_location,
)

# "Check now" asks the endpoints one after the other, each bounded by the health timeout
# (settings.ADOPTION_HEALTH_TIMEOUT_SECONDS): at most this many per request.
MAX_CHECKS_PER_ACTION = 10
CHECKED = _("%(up)d up, %(down)d down.")
TOO_MANY_TO_CHECK = _(
    "Only the first %(limit)d selected deployments were checked; the periodic check covers "
    "every active one."
)
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


@admin.register(Deployment)
class DeploymentAdmin(ServiceWriteAdmin):
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
    readonly_fields = (
        "health_badge",
        "last_checked_at",
        "last_seen_up_at",
        "last_error",
        "consecutive_failures",
        "served_models",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "variant", "environment", "status")}),
        (
            _("Serving"),
            {
                "fields": (
                    "endpoint_url",
                    "engine",
                    "engine_version",
                    "profile",
                    "precision",
                    "max_context_tokens",
                )
            },
        ),
        (_("Owners"), {"fields": ("owner_team", "owner_contact")}),
        (
            _("Health (written by the check)"),
            {
                "fields": (
                    "health_badge",
                    "last_checked_at",
                    "last_seen_up_at",
                    "last_error",
                    "consecutive_failures",
                    "served_models",
                )
            },
        ),
        (_("Record"), {"classes": ("collapse",), "fields": ("created_at", "updated_at")}),
    )
    actions = ("check_now",)

    def get_queryset(self, request):
        queryset = deployment_list()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, deployment):
        return badge(deployment.health, deployment.get_health_display())

    def save_model(self, request, obj, form, change):
        obj.full_clean()
        obj.save()

    @admin.action(description=_("Check the selected endpoints now"), permissions=["change"])
    def check_now(self, request, queryset):
        chosen = list(queryset.order_by("pk")[: MAX_CHECKS_PER_ACTION + 1])
        up = down = 0
        for deployment in chosen[:MAX_CHECKS_PER_ACTION]:
            checked = health.deployment_check(deployment)
            if checked.health == Health.UP:
                up += 1
            else:
                down += 1
        self.message_user(request, CHECKED % {"up": up, "down": down}, messages.SUCCESS)
        if len(chosen) > MAX_CHECKS_PER_ACTION:
            self.message_user(
                request, TOO_MANY_TO_CHECK % {"limit": MAX_CHECKS_PER_ACTION}, messages.WARNING
            )


class ArtifactFileInline(admin.TabularInline):
    model = ArtifactFile
    extra = 0
    fields = ("path", "size_bytes", "sha256", "verified")
    readonly_fields = ("verified",)


@admin.register(Artifact)
class ArtifactAdmin(ServiceWriteAdmin):
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

    def get_queryset(self, request):
        queryset = artifact_list()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

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
