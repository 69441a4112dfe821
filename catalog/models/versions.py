"""Versions: the generations of a family and what their variants share."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import Capability, DatePrecision, Modality
from catalog.keys import version_url
from catalog.models.families import ModelFamily
from core.history import track_history
from core.models import CuratedRecord

# Messages users see; tests assert on them.
RELEASE_DATE_IN_FUTURE = _("The release date cannot be in the future.")
MAX_CONTEXT_BELOW_DEFAULT = _("The maximum context cannot be smaller than the default context.")
OWN_PREDECESSOR = _("A version cannot be its own predecessor.")
PREDECESSOR_OTHER_FAMILY = _("The predecessor must belong to the same family.")
PRECISION_NOT_FIRST_DAY = _(
    "A release date known to the month is its month's first day, and one known to the year "
    "is 1 January."
)


def release_date_precision_field() -> models.CharField:
    return models.CharField(
        _("release date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_(
            "How much of the release date the sources give. Month or year: the date is the "
            "month's first day or 1 January, and it is shown as the month or the year."
        ),
    )


def release_date_precision_consistent() -> models.CheckConstraint:
    """The database's half of ``release_date_precision_error``."""
    return models.CheckConstraint(
        condition=models.Q(release_date__isnull=True)
        | models.Q(release_date_precision=DatePrecision.DAY)
        | models.Q(release_date_precision=DatePrecision.MONTH, release_date__day=1)
        | models.Q(
            release_date_precision=DatePrecision.YEAR, release_date__day=1, release_date__month=1
        ),
        name="%(app_label)s_%(class)s_release_date_precision",
        violation_error_message=PRECISION_NOT_FIRST_DAY,
    )


def release_date_precision_error(record) -> str | None:
    """The message when a month's or a year's date is not its first day."""
    date, precision = record.release_date, record.release_date_precision
    if date is None or precision == DatePrecision.DAY:
        return None
    if date.day != 1 or (precision == DatePrecision.YEAR and date.month != 1):
        return str(PRECISION_NOT_FIRST_DAY)
    return None


def release_date_not_in_future(field: str = "release_date") -> models.CheckConstraint:
    """The database's half of the rule ``clean()`` checks: no release date in the future.
    A variant's own release date keeps it too (``catalog/models/variants.py``)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__lte": Now()}),
        name=f"%(app_label)s_%(class)s_{field}_not_future",
        violation_error_message=RELEASE_DATE_IN_FUTURE,
    )


@track_history()
class ModelVersion(CuratedRecord):
    """One generation of a family (Llama 2, Qwen2.5, DeepSeek-V3) and what its variants share."""

    family = models.ForeignKey(
        ModelFamily, on_delete=models.PROTECT, related_name="versions", verbose_name=_("family")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    aliases = ArrayField(
        models.CharField(max_length=120), blank=True, default=list, verbose_name=_("aliases")
    )
    release_date = models.DateField(_("release date"), null=True, blank=True)
    release_date_precision = release_date_precision_field()
    default_context_tokens = models.PositiveIntegerField(
        _("default context (tokens)"), null=True, blank=True
    )
    max_context_tokens = models.PositiveIntegerField(
        _("maximum context (tokens)"), null=True, blank=True
    )
    training_tokens = models.PositiveBigIntegerField(_("training tokens"), null=True, blank=True)
    tokenizer = models.CharField(_("tokenizer"), max_length=120, blank=True)
    vocab_size = models.PositiveIntegerField(_("vocabulary size"), null=True, blank=True)
    languages = ArrayField(
        models.CharField(max_length=8),
        blank=True,
        default=list,
        verbose_name=_("languages"),
        help_text=_("ISO 639-1 codes of the main languages."),
    )
    language_count = models.PositiveIntegerField(
        _("number of languages"),
        null=True,
        blank=True,
        help_text=_("As published, where it is more than the languages listed."),
    )
    modalities = ArrayField(
        models.CharField(max_length=16, choices=Modality.choices),
        blank=True,
        default=list,
        verbose_name=_("modalities"),
    )
    capabilities = ArrayField(
        models.CharField(max_length=32, choices=Capability.choices),
        blank=True,
        default=list,
        verbose_name=_("capabilities"),
    )
    license = models.ForeignKey(
        "licenses.License",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("licence"),
    )
    features = models.ManyToManyField(
        "catalog.ArchitectureFeature",
        through="catalog.VersionFeature",
        related_name="versions",
        blank=True,
        verbose_name=_("architecture features"),
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor"),
    )
    paper_url = models.URLField(_("paper"), blank=True)
    blog_url = models.URLField(_("announcement"), blank=True)
    repo_url = models.URLField(_("code repository"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        ordering = ["family", "release_date", "slug", "pk"]
        indexes = [
            GinIndex(
                SearchVector("name", "name_zh", "description", "description_zh", config="simple"),
                name="catalog_version_search_idx",
            ),
            models.Index(
                fields=["family", "release_date", "slug", "id"], name="catalog_version_order_idx"
            ),
            models.Index(fields=["release_date"], name="catalog_version_released_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "slug"], name="%(app_label)s_%(class)s_unique_slug_per_family"
            ),
            release_date_not_in_future(),
            release_date_precision_consistent(),
            models.CheckConstraint(
                condition=models.Q(max_context_tokens__isnull=True)
                | models.Q(default_context_tokens__isnull=True)
                | models.Q(max_context_tokens__gte=models.F("default_context_tokens")),
                name="%(app_label)s_%(class)s_max_context_gte_default",
                violation_error_message=MAX_CONTEXT_BELOW_DEFAULT,
            ),
            models.CheckConstraint(
                condition=~models.Q(predecessor=models.F("pk")),
                name="%(app_label)s_%(class)s_not_own_predecessor",
                violation_error_message=OWN_PREDECESSOR,
            ),
        ]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Reads the family: select it with the version."""
        return version_url(self)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.release_date and self.release_date > timezone.localdate():
            errors.setdefault("release_date", []).append(RELEASE_DATE_IN_FUTURE)
        if message := release_date_precision_error(self):
            errors.setdefault("release_date_precision", []).append(message)
        if (
            self.max_context_tokens is not None
            and self.default_context_tokens is not None
            and self.max_context_tokens < self.default_context_tokens
        ):
            errors.setdefault("max_context_tokens", []).append(MAX_CONTEXT_BELOW_DEFAULT)
        if self.predecessor_id is not None:
            if self.pk is not None and self.predecessor_id == self.pk:
                errors.setdefault("predecessor", []).append(OWN_PREDECESSOR)
            elif self.family_id is not None and self.predecessor.family_id != self.family_id:
                errors.setdefault("predecessor", []).append(PREDECESSOR_OTHER_FAMILY)
        if errors:
            raise ValidationError(errors)
