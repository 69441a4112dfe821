"""Accelerators, the hardware profiles teams own or rent, and the seed's sizing table."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.base import CuratedRecord
from hardware.choices import AcceleratorForm
from llmregistry.history import track_history


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
    form = models.CharField(_("form"), max_length=16, choices=AcceleratorForm.choices)
    memory_gib = models.DecimalField(
        _("memory (GiB)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Memory as the datasheet states it (vendors' GB for GPU memory are GiB)."),
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
            models.Index(fields=["vendor", "name", "id"], name="hardware_accel_order_idx"),
            models.Index(fields=["memory_gib"], name="hardware_accel_memory_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(memory_gib__gt=0),
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
