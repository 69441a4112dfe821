from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from adoption.choices import ArtifactFormat, Verification
from catalog.models import ModelVariant
from core.history import track_history

NOT_HEX = _("A SHA-256 checksum is 64 hexadecimal digits.")
sha256_validator = RegexValidator(r"\A[0-9a-fA-F]{64}\Z", NOT_HEX, code="sha256")


@track_history()
class Artifact(models.Model):
    """A copy of a variant's weights in the company's storage: where it is, its format, and
    what the last verification of its files found. The registry never downloads weights."""

    variant = models.ForeignKey(
        ModelVariant, on_delete=models.PROTECT, related_name="artifacts", verbose_name=_("variant")
    )
    uri = models.CharField(
        _("location"),
        max_length=1000,
        help_text=_("s3://, gs://, file://, https:// or a path on shared storage."),
    )
    format = models.CharField(_("format"), max_length=16, choices=ArtifactFormat.choices)
    quantization = models.CharField(
        _("quantisation"), max_length=40, blank=True, help_text=_("Q4_K_M, AWQ 4-bit, FP8…")
    )
    upstream_revision = models.CharField(
        _("upstream revision"),
        max_length=64,
        blank=True,
        help_text=_("The publisher's commit the copy was taken from."),
    )
    verification = models.CharField(
        _("verification"),
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        editable=False,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verification_report = models.JSONField(
        _("verification report"), default=list, blank=True, editable=False
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["variant", "uri", "pk"]
        indexes = [
            models.Index(fields=["variant", "uri", "id"], name="adoption_artifact_order_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "uri"],
                name="%(app_label)s_%(class)s_unique_uri",
                violation_error_message=_("This copy is already recorded for this variant."),
            )
        ]
        verbose_name = _("artifact")
        verbose_name_plural = _("artifacts")

    def __str__(self) -> str:
        return self.uri


class ArtifactFile(models.Model):
    """One file of an artifact with the size and SHA-256 it must have (the publisher's, or
    recorded when the copy was made)."""

    artifact = models.ForeignKey(
        Artifact, on_delete=models.CASCADE, related_name="files", verbose_name=_("artifact")
    )
    path = models.CharField(_("path"), max_length=500)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, validators=[sha256_validator])
    verified = models.BooleanField(_("verified"), null=True, editable=False)

    class Meta:
        ordering = ["artifact", "path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact", "path"],
                name="%(app_label)s_%(class)s_unique_path",
                violation_error_message=_("This file is listed twice."),
            )
        ]
        verbose_name = _("artifact file")
        verbose_name_plural = _("artifact files")

    def __str__(self) -> str:
        return self.path

    def save(self, *args, **kwargs):
        self.sha256 = self.sha256.lower()
        super().save(*args, **kwargs)
