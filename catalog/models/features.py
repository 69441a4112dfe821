"""The taxonomy of architecture features (RMSNorm, SwiGLU, GQA, MLA, MoE…)."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import FeatureCategory
from core.history import track_history
from core.models import CuratedRecord


@track_history()
class ArchitectureFeature(CuratedRecord):
    """One architectural technique a model version may use, explained in both languages."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    category = models.CharField(_("category"), max_length=24, choices=FeatureCategory.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("broader feature"),
    )
    derivable = models.BooleanField(
        _("derivable"),
        default=False,
        help_text=_("Whether the registry can derive it from a variant's architecture numbers."),
    )
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    paper_url = models.URLField(_("paper"), blank=True)

    class Meta:
        ordering = ["category", "slug", "pk"]
        indexes = [
            # Serves the API's and pages' free-text search `q` (core.filtering).
            GinIndex(
                SearchVector("name", "name_zh", "description", "description_zh", config="simple"),
                name="catalog_feature_search_idx",
            ),
            models.Index(fields=["category", "slug", "id"], name="catalog_feature_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A feature cannot be its own broader feature."),
            )
        ]
        verbose_name = _("architecture feature")
        verbose_name_plural = _("architecture features")

    def __str__(self) -> str:
        return self.name
