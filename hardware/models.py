"""Accelerators, the hardware profiles teams own or rent, and the seed's sizing table."""

from decimal import Decimal
from fractions import Fraction

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import track_history
from core.models import CuratedRecord
from hardware.choices import MEMORY_UNIT_BYTES, FormFactor, MemoryUnit


def _positive_or_null(field: str, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gt": 0}),
        name=f"%(app_label)s_%(class)s_{field}_positive",
        violation_error_message=message,
    )


POSITIVE = _("Must be positive.")


@track_history()
class Accelerator(CuratedRecord):
    """One accelerator (GPU, NPU, unified-memory SoC or CPU server) with its datasheet figures."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    vendor = models.CharField(_("vendor"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    form = models.CharField(_("form"), max_length=16, choices=FormFactor.choices)
    memory = models.DecimalField(
        _("memory (as the datasheet states it)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("The capacity as the datasheet prints it, in the unit below."),
    )
    memory_unit = models.CharField(
        _("memory unit"),
        max_length=12,
        choices=MemoryUnit.choices,
        default=MemoryUnit.GB,
        help_text=_("The unit the datasheet prints; memory vendors' GB are 2³⁰ bytes (JEDEC)."),
    )
    memory_gib = models.DecimalField(
        _("memory (GiB)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The capacity in GiB, converted from the datasheet's figure and unit."),
    )
    memory_type = models.CharField(_("memory type"), max_length=40, blank=True)
    memory_bandwidth_gbps = models.DecimalField(
        _("memory bandwidth (GB/s)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Empty where the vendor publishes no figure."),
    )
    bf16_dense_tflops = models.DecimalField(
        _("BF16/FP16 dense TFLOPS"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    fp8_dense_tflops = models.DecimalField(
        _("FP8 dense TFLOPS"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    int8_dense_tops = models.DecimalField(
        _("INT8 dense TOPS"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    supports_fp8 = models.BooleanField(_("FP8 support"), default=False)
    supports_int4 = models.BooleanField(_("INT4 support"), default=False)
    interconnect = models.CharField(_("interconnect"), max_length=80, blank=True)
    interconnect_bandwidth_gbps = models.DecimalField(
        _("interconnect bandwidth (GB/s)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    tdp_watts = models.PositiveIntegerField(_("TDP (W)"), null=True, blank=True)
    release_year = models.PositiveSmallIntegerField(_("release year"), null=True, blank=True)
    datasheet_url = models.URLField(_("datasheet"), max_length=500, blank=True)

    class Meta:
        ordering = ["vendor", "name", "pk"]
        indexes = [
            GinIndex(
                SearchVector("name", "vendor", config="simple"), name="hardware_accel_search_idx"
            ),
            models.Index(fields=["vendor", "name", "id"], name="hardware_accel_order_idx"),
            models.Index(fields=["memory_gib"], name="hardware_accel_memory_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(memory__gt=0),
                name="%(app_label)s_%(class)s_memory_positive",
                violation_error_message=POSITIVE,
            ),
            _positive_or_null("memory_bandwidth_gbps", POSITIVE),
            _positive_or_null("bf16_dense_tflops", POSITIVE),
            _positive_or_null("fp8_dense_tflops", POSITIVE),
            _positive_or_null("int8_dense_tops", POSITIVE),
            _positive_or_null("interconnect_bandwidth_gbps", POSITIVE),
        ]
        verbose_name = _("accelerator")
        verbose_name_plural = _("accelerators")

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}"

    @property
    def memory_as_stated(self) -> str:
        """The capacity as the datasheet prints it: "80 GB", "512 GB"."""
        unit = "GiB" if self.memory_unit == MemoryUnit.GIB else "GB"
        return f"{self.memory.normalize():f} {unit}"

    @property
    def memory_bytes(self) -> int:
        """The capacity in whole bytes, exactly as the datasheet's figure and unit give it."""
        return int(Fraction(self.memory) * MEMORY_UNIT_BYTES[MemoryUnit(self.memory_unit)])

    def save(self, *args, **kwargs):
        if self.memory is not None:
            gib = Fraction(self.memory_bytes, 2**30)
            self.memory_gib = Decimal(gib.numerator) / Decimal(gib.denominator)
            self.memory_gib = self.memory_gib.quantize(Decimal("0.0001"))
        super().save(*args, **kwargs)


@track_history()
class HardwareProfile(CuratedRecord):
    """N identical accelerators in one machine (plus host RAM), as a team owns or rents it."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150, blank=True)
    accelerator = models.ForeignKey(
        Accelerator,
        on_delete=models.PROTECT,
        related_name="profiles",
        verbose_name=_("accelerator"),
    )
    count = models.PositiveSmallIntegerField(_("count"), default=1)
    host_memory_gib = models.PositiveIntegerField(_("host memory (GiB)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)

    class Meta:
        ordering = ["accelerator", "count", "pk"]
        indexes = [
            models.Index(fields=["accelerator", "count", "id"], name="hardware_profile_order_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(count__gt=0),
                name="%(app_label)s_%(class)s_count_positive",
                violation_error_message=POSITIVE,
            ),
            models.UniqueConstraint(
                fields=["accelerator", "count", "host_memory_gib"],
                name="%(app_label)s_%(class)s_unique_configuration",
            ),
        ]
        verbose_name = _("hardware profile")
        verbose_name_plural = _("hardware profiles")

    def __str__(self) -> str:
        return self.name


@track_history()
class SizeTier(CuratedRecord):
    """A row of the seed's sizing table (7B … 304B), kept verbatim as curated reference."""

    slug = models.SlugField(_("slug"), max_length=20, unique=True)
    label = models.CharField(_("label"), max_length=20)
    parameters_billion = models.DecimalField(
        _("parameters (billions)"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    training_memory = models.CharField(_("training memory (seed)"), max_length=120, blank=True)
    inference_memory = models.CharField(_("inference memory (seed)"), max_length=120, blank=True)
    cpu_memory = models.CharField(_("CPU memory (seed)"), max_length=120, blank=True)
    compute = models.CharField(_("compute (seed)"), max_length=120, blank=True)
    training_time = models.CharField(_("training time (seed)"), max_length=120, blank=True)
    multi_gpu = models.CharField(_("multiple GPUs (seed)"), max_length=120, blank=True)
    use_case = models.CharField(_("recommended use"), max_length=200, blank=True)
    use_case_zh = models.CharField(_("recommended use (Chinese)"), max_length=200, blank=True)

    class Meta:
        ordering = ["parameters_billion", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parameters_billion__gt=0),
                name="%(app_label)s_%(class)s_parameters_positive",
                violation_error_message=POSITIVE,
            )
        ]
        verbose_name = _("size tier")
        verbose_name_plural = _("size tiers")

    def __str__(self) -> str:
        return self.label


class Workload(models.TextChoices):
    INFERENCE = "inference", _("Inference")
    LORA = "lora", _("LoRA fine-tuning")
    QLORA = "qlora", _("QLoRA fine-tuning")
    FULL = "full", _("Full fine-tuning")


class Recommendation(models.Model):
    """What one variant needs for one workload at one precision and context (computed).

    Materialised by the recompute task from the estimator; ``estimator_version`` tells rows of
    an older estimator apart, ``input_digest`` lets a rerun skip rows whose inputs are
    unchanged.
    """

    variant = models.ForeignKey(
        "catalog.ModelVariant",
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("variant"),
    )
    workload = models.CharField(_("workload"), max_length=16, choices=Workload.choices)
    precision = models.CharField(_("precision"), max_length=16)
    context_tokens = models.PositiveIntegerField(_("context (tokens)"))
    batch = models.PositiveSmallIntegerField(_("batch"), default=1)
    total_bytes = models.PositiveBigIntegerField(_("memory (bytes)"))
    weights_bytes = models.PositiveBigIntegerField(_("weights (bytes)"))
    kv_cache_bytes = models.PositiveBigIntegerField(_("KV cache (bytes)"))
    breakdown = models.JSONField(_("breakdown"))
    fitting_profiles = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("fitting profiles"),
        help_text=_("Slugs of the published profiles that fit."),
    )
    smallest_profile = models.ForeignKey(
        HardwareProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("smallest fitting profile"),
    )
    decode_tokens_per_s = models.FloatField(
        _("decode speed (tokens/s)"),
        null=True,
        blank=True,
        help_text=_(
            "Decode speed of one sequence on the smallest fitting profile (a realistic "
            "estimate where the accelerator's runtime is calibrated)."
        ),
    )
    estimator_version = models.CharField(_("estimator version"), max_length=20)
    input_digest = models.CharField(_("input digest"), max_length=64)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["variant", "workload", "precision", "context_tokens", "pk"]
        indexes = [
            models.Index(
                fields=["variant", "workload", "precision", "context_tokens", "id"],
                name="hardware_rec_order_idx",
            ),
            models.Index(
                fields=["workload", "precision", "context_tokens"], name="hardware_rec_query_idx"
            ),
            GinIndex(fields=["fitting_profiles"], name="hardware_rec_profiles_gin"),
            models.Index(fields=["estimator_version"], name="hardware_rec_version_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "workload", "precision", "context_tokens", "batch"],
                name="%(app_label)s_%(class)s_unique_configuration",
            )
        ]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return f"{self.variant_id} {self.workload} {self.precision} {self.context_tokens}"


class RecomputeRun(models.Model):
    """One run of the recommendation recompute: scope, progress, outcome and duration."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # Never ran (its task was lost, e.g. while Redis was down): a later full recompute
        # covered its variants.
        SUPERSEDED = "superseded", _("Covered by a full recompute")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    scope = models.CharField(_("scope"), max_length=200, default="all")
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    variants_total = models.PositiveIntegerField(_("variants"), default=0)
    variants_done = models.PositiveIntegerField(_("variants done"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rows_deleted = models.PositiveIntegerField(_("rows deleted"), default=0)
    skipped = models.JSONField(_("skipped variants"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("recompute run")
        verbose_name_plural = _("recompute runs")

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
