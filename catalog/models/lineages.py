"""Lineage: how one variant was derived from another, also across families."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import LineageKind
from catalog.models.variants import ModelVariant
from core.history import track_history

# A message users see; tests assert on it.
LINEAGE_SELF = _("A variant cannot derive from itself.")


@track_history()
class Lineage(models.Model):
    """A typed edge: ``child`` was derived from ``parent`` (also across families)."""

    parent = models.ForeignKey(
        ModelVariant,
        on_delete=models.PROTECT,
        related_name="derivatives",
        verbose_name=_("derived from"),
    )
    child = models.ForeignKey(
        ModelVariant,
        on_delete=models.CASCADE,
        related_name="origins",
        verbose_name=_("derived model"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=LineageKind.choices)
    note = models.TextField(_("note"), blank=True)
    citations = GenericRelation("catalog.Citation")
    catalog_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["child", "parent", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "child", "kind"], name="%(app_label)s_%(class)s_unique_edge"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")),
                name="%(app_label)s_%(class)s_not_self",
                violation_error_message=LINEAGE_SELF,
            ),
        ]
        verbose_name = _("lineage")
        verbose_name_plural = _("lineage")

    def __str__(self) -> str:
        return f"{self.child_id} ← {self.parent_id} ({self.kind})"

    def clean(self) -> None:
        if self.parent_id is not None and self.parent_id == self.child_id:
            raise ValidationError({"parent": LINEAGE_SELF})
