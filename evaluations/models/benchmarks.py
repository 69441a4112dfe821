from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import CuratedRecord
from evaluations.choices import Category, Metric

SCALE_EMPTY = _("The scale's maximum must be above its minimum.")


@track_history()
class Benchmark(CuratedRecord):
    """A test suite results are reported on (MMLU, MMLU-Pro, LiveCodeBench), or a private one
    the company keeps for its own tasks (``private``: visible to signed-in staff only)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derivatives",
        verbose_name=_("derived from"),
        help_text=_("The benchmark this one revises or subsets (MMLU for MMLU-Redux)."),
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    languages = ArrayField(
        models.CharField(max_length=16), verbose_name=_("languages"), default=list, blank=True
    )
    metric = models.CharField(
        _("metric"),
        max_length=24,
        choices=Metric.choices,
        help_text=_("The metric results usually report; a result may name another."),
    )
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    scale_min = models.DecimalField(_("scale minimum"), max_digits=12, decimal_places=4, default=0)
    scale_max = models.DecimalField(
        _("scale maximum"), max_digits=12, decimal_places=4, default=100
    )
    paper_url = models.URLField(_("paper"), max_length=500, blank=True)
    homepage_url = models.URLField(_("homepage"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    caveats = models.TextField(
        _("caveats"), blank=True, help_text=_("Known problems: contamination, saturation, errors.")
    )
    caveats_zh = models.TextField(_("caveats (Chinese)"), blank=True)
    private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_(
            "An internal task suite: it and its results are visible to signed-in staff only."
        ),
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="evaluations_benchmark_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="%(app_label)s_%(class)s_scale_not_empty",
                violation_error_message=SCALE_EMPTY,
            )
        ]
        verbose_name = _("benchmark")
        verbose_name_plural = _("benchmarks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.scale_min is not None
            and self.scale_max is not None
            and self.scale_max <= self.scale_min
        ):
            raise ValidationError({"scale_max": SCALE_EMPTY})
