"""The curated claims that a version uses an architecture feature."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.versions import ModelVersion
from core.history import track_history


@track_history()
class VersionFeature(models.Model):
    """A curated claim that a version uses an architecture feature."""

    version = models.ForeignKey(
        ModelVersion,
        on_delete=models.CASCADE,
        related_name="version_features",
        verbose_name=_("version"),
    )
    feature = models.ForeignKey(
        "catalog.ArchitectureFeature",
        on_delete=models.PROTECT,
        related_name="version_features",
        verbose_name=_("feature"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "feature", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "feature"], name="%(app_label)s_%(class)s_unique_feature"
            )
        ]
        verbose_name = _("version feature")
        verbose_name_plural = _("version features")

    def __str__(self) -> str:
        return f"{self.version_id}:{self.feature_id}"
