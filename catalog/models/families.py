"""Families: the brand lines of models (LLaMA, Qwen, DeepSeek…)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.keys import family_url
from core.history import track_history
from core.models import CuratedRecord


@track_history()
class ModelFamily(CuratedRecord):
    """A brand line of models from one publisher (LLaMA, Qwen, DeepSeek…)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    organization = models.ForeignKey(
        "catalog.Organization",
        on_delete=models.PROTECT,
        related_name="families",
        verbose_name=_("organization"),
    )
    aliases = ArrayField(
        models.CharField(max_length=120), blank=True, default=list, verbose_name=_("aliases")
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(
                SearchVector("name", "name_zh", "description", "description_zh", config="simple"),
                name="catalog_family_search_idx",
            ),
            models.Index(fields=["name", "id"], name="catalog_family_name_idx"),
        ]
        verbose_name = _("model family")
        verbose_name_plural = _("model families")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return family_url(self)
