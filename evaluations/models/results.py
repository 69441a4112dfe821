from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ModelVariant
from core.history import track_history
from core.models.constraints import OneQueryCheckConstraints
from evaluations.choices import Harness, Metric, ReportedBy
from evaluations.comparability import Setting, comparable_key

OUTSIDE_SCALE = _("%(value)s is outside the scale of %(benchmark)s (%(low)s to %(high)s).")
PASS_K_NEEDED = _("A pass@k result names its k.")
SOURCE_NEEDED = _("Name the source: its address, or for an internal run its title.")
PRIVATE_BENCHMARK_PUBLIC = _("A result on a private benchmark can only be internal.")


def _plain(number: Decimal) -> str:
    """``Decimal("100.0000")`` as "100", not "1E+2"."""
    return format(Decimal(number).normalize(), "f")


@track_history()
class Result(OneQueryCheckConstraints):
    """One score of one variant on one benchmark, exactly as its source reports it, with the
    setting that produced it. ``reported_by`` says whose claim it is: the publisher's, an
    independent party's, or this company's own run (internal: signed-in staff only)."""

    variant = models.ForeignKey(
        ModelVariant, on_delete=models.PROTECT, related_name="results", verbose_name=_("variant")
    )
    benchmark = models.ForeignKey(
        "evaluations.Benchmark",
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("benchmark"),
    )
    benchmark_version = models.CharField(
        _("benchmark version"),
        max_length=100,
        blank=True,
        help_text=_("A dataset version, subset or window (LiveCodeBench 2408-2505)."),
    )
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=16)
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    # The setting (evaluations.comparability.Setting), then what describes it without deciding
    # comparability.
    shots = models.PositiveSmallIntegerField(_("shots"), null=True, blank=True)
    chain_of_thought = models.BooleanField(_("chain-of-thought"), null=True, blank=True)
    thinking = models.BooleanField(_("thinking mode"), null=True, blank=True)
    pass_k = models.PositiveSmallIntegerField(_("pass@k: k"), null=True, blank=True)
    samples = models.PositiveIntegerField(_("samples per question"), null=True, blank=True)
    harness = models.CharField(
        _("harness"), max_length=32, choices=Harness.choices, blank=True, default=""
    )
    harness_version = models.CharField(_("harness version"), max_length=40, blank=True)
    prompt_template = models.CharField(_("prompt template"), max_length=200, blank=True)
    sampling = models.CharField(_("sampling"), max_length=400, blank=True)
    checkpoint = models.CharField(
        _("checkpoint evaluated"),
        max_length=200,
        blank=True,
        help_text=_("Where the source names a checkpoint other than the variant's own."),
    )
    reported_by = models.CharField(_("reported by"), max_length=16, choices=ReportedBy.choices)
    reporter = models.CharField(_("reporter"), max_length=200)
    date = models.DateField(_("date"))
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_locator = models.CharField(
        _("where in the source"),
        max_length=300,
        blank=True,
        help_text=_("Table, row and column."),
    )
    source_quote = models.TextField(_("quote"), blank=True)
    note = models.TextField(_("note"), blank=True)
    comparable_key = models.CharField(max_length=600, editable=False)
    catalog_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["benchmark", "variant", "-date", "pk"]
        indexes = [
            models.Index(fields=["benchmark", "comparable_key"], name="evaluations_result_cmp_idx"),
            models.Index(fields=["variant", "benchmark"], name="evaluations_result_var_idx"),
            models.Index(
                fields=["benchmark", "variant", "-date", "id"], name="evaluations_result_order_idx"
            ),
        ]
        constraints = [
            # The same claim twice: same variant, benchmark, setting, sampling, checkpoint and
            # source (address, title and date: a card re-scored later is a claim of its own).
            models.UniqueConstraint(
                fields=[
                    "variant",
                    "benchmark",
                    "comparable_key",
                    "sampling",
                    "checkpoint",
                    "source_url",
                    "source_title",
                    "date",
                ],
                name="%(app_label)s_%(class)s_unique_claim",
                violation_error_message=_(
                    "This result is already recorded: same variant, benchmark, setting and source."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(source_url="", source_title=""),
                name="%(app_label)s_%(class)s_has_source",
                violation_error_message=SOURCE_NEEDED,
            ),
        ]
        permissions = [
            ("view_internal_results", _("Can view internal results and private benchmarks")),
        ]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.variant_id} · {self.benchmark_id}: {self.value}"

    @property
    def setting(self) -> Setting:
        return Setting(
            shots=self.shots,
            chain_of_thought=self.chain_of_thought,
            thinking=self.thinking,
            pass_k=self.pass_k,
            samples=self.samples,
            harness=self.harness,
            harness_version=self.harness_version,
            prompt_template=self.prompt_template,
        )

    def clean(self) -> None:
        errors: dict[str, object] = {}
        benchmark = self.benchmark if self.benchmark_id else None
        if (
            benchmark is not None
            and self.value is not None
            and not benchmark.scale_min <= self.value <= benchmark.scale_max
        ):
            errors["value"] = OUTSIDE_SCALE % {
                "value": _plain(self.value),
                "benchmark": benchmark.name,
                "low": _plain(benchmark.scale_min),
                "high": _plain(benchmark.scale_max),
            }
        if benchmark is not None and benchmark.private and self.reported_by != ReportedBy.INTERNAL:
            errors["reported_by"] = PRIVATE_BENCHMARK_PUBLIC
        if self.metric == Metric.PASS_AT_K and not self.pass_k:
            errors["pass_k"] = PASS_K_NEEDED
        if not self.source_url and not self.source_title:
            errors["source_url"] = SOURCE_NEEDED
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.comparable_key = self.compute_comparable_key()
        super().save(*args, **kwargs)

    def compute_comparable_key(self) -> str:
        slug = self.benchmark.slug if self.benchmark_id else ""
        return comparable_key(slug, self.benchmark_version, self.metric, self.setting)

    def validate_unique(self, exclude=None):
        self.comparable_key = self.compute_comparable_key()
        super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        self.comparable_key = self.compute_comparable_key()
        super().validate_constraints(exclude=exclude)
