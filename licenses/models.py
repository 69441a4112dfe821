"""Licences with structured terms."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.history import track_history
from core.models import CuratedRecord
from licenses.choices import CommercialUse, LicenseKind, OutputsUse

TERRITORIES_WITHOUT_RESTRICTION = _(
    "Excluded territories are only recorded for a licence with a territorial restriction."
)
RESTRICTION_WITHOUT_TERRITORIES = _("Name the territories the licence excludes.")
MAU_WITHOUT_CONDITION = _(
    "A monthly-active-user threshold only applies when commercial use is conditional."
)


@track_history()
class License(CuratedRecord):
    """A licence under which model weights are published, with its terms as structured data.

    Nullable booleans mean "not stated or not verified".
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    spdx_id = models.CharField(_("SPDX identifier"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=40, blank=True)
    url = models.URLField(_("licence text"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=LicenseKind.choices)
    summary = models.TextField(_("summary"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    commercial_use = models.CharField(
        _("commercial use"),
        max_length=16,
        choices=CommercialUse.choices,
        blank=True,
        help_text=_("Empty where the licence text could not be verified."),
    )
    mau_threshold = models.PositiveBigIntegerField(
        _("monthly active user threshold"),
        null=True,
        blank=True,
        help_text=_("Above this many monthly active users a separate licence is needed."),
    )
    attribution_required = models.BooleanField(_("attribution required"), null=True, blank=True)
    naming_requirement = models.CharField(_("naming requirement"), max_length=300, blank=True)
    patent_grant = models.BooleanField(_("patent grant"), null=True, blank=True)
    modification_allowed = models.BooleanField(_("modification allowed"), null=True, blank=True)
    redistribution_allowed = models.BooleanField(_("redistribution allowed"), null=True, blank=True)
    share_alike = models.BooleanField(_("share-alike"), null=True, blank=True)
    outputs_train_other_models = models.CharField(
        _("outputs may train other models"),
        max_length=16,
        choices=OutputsUse.choices,
        blank=True,
    )
    acceptable_use_policy_url = models.URLField(
        _("acceptable use policy"), max_length=500, blank=True
    )
    registration_required = models.BooleanField(
        _("registration or approval required"), null=True, blank=True
    )
    territory_restricted = models.BooleanField(
        _("territorial restriction"),
        null=True,
        blank=True,
        help_text=_(
            "Whether the licence grants no rights in some territories. Empty where not verified."
        ),
    )
    excluded_territories = CountryField(
        _("excluded territories"),
        multiple=True,
        blank=True,
        help_text=_("The countries (or the European Union as a whole) the licence excludes."),
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            # Serves the API's and pages' free-text search `q` (core.filtering).
            GinIndex(
                SearchVector("name", "name_zh", "summary", "summary_zh", config="simple"),
                name="licenses_license_search_idx",
            ),
            models.Index(fields=["name", "id"], name="licenses_license_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mau_threshold__isnull=True)
                | models.Q(commercial_use=CommercialUse.CONDITIONAL, mau_threshold__gt=0),
                name="%(app_label)s_%(class)s_mau_only_when_conditional",
                violation_error_message=MAU_WITHOUT_CONDITION,
            )
        ]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.mau_threshold is not None and (
            self.commercial_use != CommercialUse.CONDITIONAL or self.mau_threshold <= 0
        ):
            raise ValidationError({"mau_threshold": MAU_WITHOUT_CONDITION})
        if self.excluded_territories and self.territory_restricted is not True:
            raise ValidationError({"excluded_territories": TERRITORIES_WITHOUT_RESTRICTION})
        if self.territory_restricted and not self.excluded_territories:
            raise ValidationError({"excluded_territories": RESTRICTION_WITHOUT_TERRITORIES})
