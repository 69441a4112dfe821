"""Publishers of models."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import OrganizationKind
from core.history import track_history
from core.models import CuratedRecord


@track_history()
class Organization(CuratedRecord):
    """A company, lab or community that publishes models (Meta AI, Alibaba Cloud Qwen team…)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code.")
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.COMPANY
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            # Serves the API's and pages' free-text search `q` (core.filtering).
            GinIndex(
                SearchVector("name", "name_zh", "description", "description_zh", config="simple"),
                name="catalog_org_search_idx",
            ),
            models.Index(fields=["name", "id"], name="catalog_org_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="%(app_label)s_%(class)s_country_iso",
                violation_error_message=_("Country must be a two-letter ISO code."),
            )
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name
