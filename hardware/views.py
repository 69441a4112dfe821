"""Hardware pages: "can I run it", a pasted config.json, accelerators, profiles and the seed's
sizing table.

Every page reads through selectors in a fixed number of queries, then computes with the pure
estimator (hardware/estimator) in memory: the answers are the API's answers.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from catalog.choices import VariantKind
from catalog.filters import VariantFilterSet
from catalog.models import ModelVariant
from catalog.selectors import variant_list
from hardware import selectors
from hardware.estimator import (
    ESTIMATOR_VERSION,
    PRECISIONS,
    Architecture,
    Estimate,
    EstimateError,
    EstimateOptions,
    ParameterCount,
    ProfileSpec,
    count_parameters,
    estimate,
    parse_config,
)
from hardware.estimator.memory import kv_replication
from hardware.estimator.size_tiers import TierFigure, parse_seed_range, tier_figures
from hardware.filters import AcceleratorFilterSet
from hardware.forms import (
    CONFIG_FIELD_ERROR,
    CONTEXT_SUGGESTIONS,
    MAX_CONFIG_BYTES,
    UNKNOWN_VARIANT,
    ConfigForm,
    FitForm,
    FitSort,
    ProfileContextForm,
)
from hardware.models import Workload
from hardware.services import (
    FINE_TUNE_CONTEXT,
    INFERENCE_CONTEXTS,
    INFERENCE_PRECISIONS,
    EstimateInputError,
    estimate_for,
)
from licenses.choices import CommercialUse

logger = logging.getLogger(__name__)

GIB = 1024**3
GB = 10**9
MATRIX_ROWS = 20  # variants in the fit matrix: enough to compare, small enough to read
FIT_PAGE_SIZE = 30  # fitting variants per page: the page stays well under 100 KB
MISSING_ROWS = 30  # variants that do not fit, closest first; the rest are only counted
CHART_FITTING_ROWS = 8  # bars of the fit chart: the best-ranked fitting variants…
CHART_MISSING_ROWS = 2  # …and the ones closest to fitting, so the capacity line means something
PROFILE_ROWS_PER_PRECISION = 25  # a profile page lists this many variants per precision
# Representative catalog variants of a size tier: total parameters within a factor of 1.25
# of the tier's (symmetric on a log scale: 7B takes 5.6B-8.75B, 70B takes 56B-87.5B).
TIER_SPREAD = Fraction(5, 4)
TIER_REPRESENTATIVES = 4
# The seed's inference column gives FP16 sizes; BF16 takes the same two bytes per weight.
TIER_PRECISION = "bf16"
TIER_QUANTISED_PRECISION = "awq-int4"
TIER_CONTEXT = 4096

SPEED_ASSUMPTION = gettext_lazy(
    "Decode speed is a memory-bandwidth roofline, an upper bound that real engines do not "
    "reach: each generated token reads the active weights once and each sequence's KV cache. "
    "Reading the prompt (prefill) is not included."
)
FIT_ASSUMPTION = gettext_lazy(
    # xgettext:no-python-format
    "A model fits when, per accelerator, its share of the weights, KV cache, activations and "
    "1 GiB of runtime overhead stays within 90% of the memory (75% on Apple unified memory). "
    "Several accelerators split the model with tensor parallelism, which needs their count to "
    "divide the attention heads; fine-tuning shards everything (ZeRO-3/FSDP)."
)
TERM_LABELS = {
    "weights": gettext_lazy("Weights"),
    "lora_weights": gettext_lazy("LoRA adapters"),
    "kv_cache": gettext_lazy("KV cache"),
    "activations": gettext_lazy("Activations"),
    "logits": gettext_lazy("Logits"),
    "gradients": gettext_lazy("Gradients"),
    "optimizer": gettext_lazy("Optimizer states"),
    "overhead": gettext_lazy("Runtime overhead"),
}
ARCHITECTURE_LABELS = {
    "sliding_window_layers": gettext_lazy("sliding-window layers"),
    "num_mtp_layers": gettext_lazy("multi-token prediction layers"),
}
# Stored recommendations keep fine-tuning rows under the precision of their frozen base.
_TUNE_PRECISION = {"lora": "bf16", "qlora": "nf4", "full": "bf16"}
_OPTION_FIELDS = {
    "context": "context_tokens",
    "batch": "batch",
    "precision": "precision",
    "kv_dtype": "kv_dtype",
    "workload": "workload",
}


# -- shared pieces -------------------------------------------------------------------------


def _with_defaults(data: QueryDict, form_class) -> QueryDict:
    """``data`` with each absent option set to its default, so the form shows what is used."""
    data = data.copy()
    for name, form_field in form_class.base_fields.items():
        if name not in data and form_field.initial is not None:
            data[name] = form_field.initial
    return data


def _variant_key(variant: ModelVariant) -> str:
    return f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"


def _variant_url(variant: ModelVariant) -> str:
    version = variant.version
    return reverse(
        "catalog:variant_detail",
        kwargs={"family": version.family.slug, "version": version.slug, "variant": variant.slug},
    )


def _gib_text(value: float) -> str:
    return _("%(amount)s GiB") % {"amount": number_format(value / GIB, decimal_pos=1)}


def _gb_text(value: float) -> str:
    return _("%(amount)s GB") % {"amount": number_format(value / GB, decimal_pos=1)}


def _variant_max_context(variant: ModelVariant) -> int | None:
    # The same effective maximum the recommendation grid uses (hardware.services).
    return variant.version.max_context_tokens or variant.max_position_embeddings


def _add_option_errors(form, errors: dict[str, str]) -> None:
    """Put an estimator error on the form field it names (the API's field names differ)."""
    for name, message in errors.items():
        if name == "config" or name.startswith("config."):
            key = name.partition(".")[2]
            form.add_error(
                "config",
                CONFIG_FIELD_ERROR % {"field": key, "message": message} if key else message,
            )
        else:
            form.add_error(_OPTION_FIELDS.get(name), message)


@dataclass(frozen=True)
class ProfileFit:
    """How one hardware profile fares with one estimate (from ``Fit.as_dict()``)."""

    slug: str
    name: str
    count: int
    per_device_bytes: int
    usable_bytes: int
    fits: bool
    decode_per_sequence: float | None
    decode_aggregate: float | None
    heads_mismatch: bool
    link: bool = True
    smallest: bool = False

    @classmethod
    def from_answer(cls, answer: dict, *, link: bool = True, smallest: str = "") -> ProfileFit:
        return cls(
            slug=answer["profile"],
            name=answer["name"],
            count=answer["count"],
            per_device_bytes=answer["per_device_bytes"],
            usable_bytes=answer["usable_bytes"],
            fits=answer["fits"],
            decode_per_sequence=answer["decode_tokens_per_s_per_sequence"],
            decode_aggregate=answer["decode_tokens_per_s_aggregate"],
            # The estimator refuses tensor parallelism before counting memory.
            heads_mismatch=not answer["fits"] and answer["per_device_bytes"] == 0,
            link=link,
            smallest=answer["profile"] == smallest,
        )

    @property
    def headroom_bytes(self) -> int:
        return self.usable_bytes - self.per_device_bytes

    @property
    def missing_bytes(self) -> int:
        return max(self.per_device_bytes - self.usable_bytes, 0)

    @property
    def headroom_percent(self) -> float:
        return 100 * self.headroom_bytes / self.usable_bytes if self.usable_bytes else 0.0


def _profile_fits(answers: Iterable[dict], smallest: str | None) -> list[ProfileFit]:
    """Fitting profiles first, least usable memory first; then the others, closest first.
    ``smallest``: the estimator's smallest fitting profile (by memory, then device count)."""
    fits = [ProfileFit.from_answer(a, smallest=smallest or "") for a in answers]

    def order(fit: ProfileFit) -> tuple:
        if fit.fits:
            return (0, fit.usable_bytes * fit.count, fit.count, fit.slug)
        return (1, fit.heads_mismatch, fit.missing_bytes, fit.slug)

    return sorted(fits, key=order)


def _options_summary(options: EstimateOptions) -> dict:
    """What the templates say about the options (``_options_summary.html``)."""
    return {
        "inference": options.workload == "inference",
        "precision": options.precision,
        "precision_label": PRECISIONS[options.precision].label,
        "workload_label": Workload(options.workload).label,
        "context_tokens": options.context_tokens,
        "batch": options.batch,
        "kv_dtype": options.kv_dtype,
        "workload": options.workload,
    }


# -- can I run it ---------------------------------------------------------------------------


@dataclass
class FitRow:
    """One variant on the chosen hardware."""

    variant: ModelVariant
    parameters: ParameterCount
    memory_bytes: int  # all accelerators together
    fit: ProfileFit
    max_context: int | None
    beyond_context: bool
    chart_segments: tuple[int, int, int] = (0, 0, 0)  # per device: weights, KV cache, the rest

    @property
    def fits(self) -> bool:
        return self.fit.fits and not self.beyond_context

    @property
    def key(self) -> str:
        return _variant_key(self.variant)


def _hardware_spec(cleaned: dict) -> ProfileSpec | None:
    accelerator, profile = cleaned.get("accelerator"), cleaned.get("profile")
    if accelerator is not None:
        count = cleaned.get("count") or 1
        return ProfileSpec(
            slug=f"{count}x-{accelerator.slug}",
            name=f"{count} × {accelerator}",
            accelerator=selectors.accelerator_spec(accelerator),
            count=count,
        )
    if profile is not None:
        return ProfileSpec(
            slug=profile.slug,
            name=profile.name,
            accelerator=selectors.accelerator_spec(profile.accelerator),
            count=profile.count,
        )
    return None


def _fit_row(
    variant: ModelVariant,
    arch: Architecture,
    params: ParameterCount,
    options: EstimateOptions,
    spec: ProfileSpec,
) -> FitRow:
    result = estimate(arch, options, [spec], parameters=params)
    memory = result.memory
    fit = ProfileFit.from_answer(result.fits[0].as_dict(), link=False)
    max_context = _variant_max_context(variant)
    count = spec.count
    weights = math.ceil(memory.weights_bytes / count)
    kv = memory.kv_cache_bytes
    if options.workload == "inference":
        kv = math.ceil(kv * kv_replication(arch, count))
    kv = math.ceil(kv / count)
    rest = max(fit.per_device_bytes - weights - kv, 0)
    return FitRow(
        variant=variant,
        parameters=params,
        memory_bytes=memory.total_bytes,
        fit=fit,
        max_context=max_context,
        beyond_context=max_context is not None and options.context_tokens > max_context,
        chart_segments=(weights, kv, rest) if fit.per_device_bytes else (0, 0, 0),
    )


def _closeness(row: FitRow) -> tuple:
    """Misses by memory first, the smallest shortfall first (a bigger card or a lower precision
    away); then models whose context limit is below the one asked, the longest first; last the
    ones whose attention heads the accelerator count cannot split."""
    if row.fit.heads_mismatch:
        return (2, 0, row.variant.name)
    if row.beyond_context:
        return (1, -(row.max_context or 0), row.variant.name)
    return (0, row.fit.missing_bytes, row.variant.name)


def _rank(rows: list[FitRow], sort: str) -> tuple[list[FitRow], list[FitRow]]:
    """Fitting rows in the chosen order; the others closest to fitting first."""
    keys = {
        FitSort.PARAMETERS: lambda r: (-r.parameters.total, r.variant.name),
        FitSort.HEADROOM: lambda r: (-r.fit.headroom_bytes, r.variant.name),
        FitSort.SPEED: lambda r: (-(r.fit.decode_per_sequence or 0), r.variant.name),
        FitSort.MEMORY: lambda r: (r.fit.per_device_bytes, r.variant.name),
    }
    fitting = sorted((r for r in rows if r.fits), key=keys.get(sort, keys[FitSort.PARAMETERS]))
    missing = sorted((r for r in rows if not r.fits), key=_closeness)
    return fitting, missing


@dataclass
class MatrixCell:
    fits: bool | None  # None: not applicable (context beyond the variant's maximum)
    headroom_bytes: int | None = None
    missing_bytes: int | None = None

    # Bare numbers: the caption gives the unit once for hundreds of cells.
    @property
    def headroom_gib(self) -> str:
        return number_format((self.headroom_bytes or 0) / GIB, decimal_pos=1)

    @property
    def missing_gib(self) -> str:
        return number_format((self.missing_bytes or 0) / GIB, decimal_pos=1)


@dataclass
class MatrixRow:
    variant: ModelVariant
    memory_bytes: int | None
    cells: list[MatrixCell]
    stored: bool
    max_context: int | None = None
    beyond_context: bool = False


@dataclass
class FitMatrix:
    profiles: list
    rows: list[MatrixRow]
    total: int
    stored_rows: int = 0
    computed_at: object = None

    @property
    def computed_rows(self) -> int:
        return len(self.rows) - self.stored_rows


def _grid_point(options: EstimateOptions) -> tuple[str, str, int] | None:
    """The stored recommendation grid's (workload, precision, context) for ``options``, or
    ``None`` when no stored row was computed with these options (hardware.services)."""
    default = EstimateOptions()
    if options.batch != 1 or options.kv_dtype != default.kv_dtype:
        return None
    if options.workload == "inference":
        if options.precision in INFERENCE_PRECISIONS and options.context_tokens in (
            INFERENCE_CONTEXTS
        ):
            return ("inference", options.precision, options.context_tokens)
        return None
    if options.context_tokens == FINE_TUNE_CONTEXT:
        return (options.workload, _TUNE_PRECISION[options.workload], FINE_TUNE_CONTEXT)
    return None


def _fit_matrix(
    candidates: list[tuple[ModelVariant, Architecture, ParameterCount]],
    options: EstimateOptions,
    profile_pairs: list,
    total: int,
) -> FitMatrix:
    """Variants × published profiles: stored recommendations where they exist for these
    options (one query), otherwise computed now with the same estimator."""
    profiles = sorted(
        (spec for _, spec in profile_pairs), key=lambda s: (s.memory_bytes, s.count, s.slug)
    )
    point = _grid_point(options)
    stored = {}
    if point is not None and candidates:
        workload, precision, context = point
        stored = {
            r.variant_id: r
            for r in selectors.grid_recommendations(
                [v.pk for v, _, _ in candidates],
                workload=workload,
                precision=precision,
                context_tokens=context,
            )
        }
    matrix = FitMatrix(profiles=profiles, rows=[], total=total)
    for variant, arch, params in candidates:
        max_context = _variant_max_context(variant)
        if max_context is not None and options.context_tokens > max_context:
            matrix.rows.append(
                MatrixRow(
                    variant,
                    None,
                    [MatrixCell(None) for _ in profiles],
                    stored=False,
                    max_context=max_context,
                    beyond_context=True,
                )
            )
            continue
        row = stored.get(variant.pk)
        if row is not None:
            fitting = {f["profile"]: f for f in (row.breakdown or {}).get("fits", [])}
            cells = [
                MatrixCell(True, headroom_bytes=fitting[p.slug]["headroom_bytes"])
                if p.slug in fitting
                else MatrixCell(p.slug in row.fitting_profiles)
                for p in profiles
            ]
            matrix.rows.append(MatrixRow(variant, row.total_bytes, cells, stored=True))
            matrix.stored_rows += 1
            matrix.computed_at = max(filter(None, (matrix.computed_at, row.computed_at)))
            continue
        result = estimate(arch, options, profiles, parameters=params)
        cells = []
        for fit in result.fits:
            if fit.fits:
                cells.append(MatrixCell(True, headroom_bytes=fit.headroom_bytes))
            elif fit.per_device_bytes:
                cells.append(MatrixCell(False, missing_bytes=-fit.headroom_bytes))
            else:
                cells.append(MatrixCell(False))
        matrix.rows.append(MatrixRow(variant, result.memory.total_bytes, cells, stored=False))
    return matrix


def _chart_rows(fitting: list[FitRow], missing: list[FitRow]) -> list[FitRow]:
    near = [r for r in missing if r.fit.per_device_bytes and not r.beyond_context]
    return [*fitting[:CHART_FITTING_ROWS], *near[:CHART_MISSING_ROWS]]


def _fit_chart(rows: list[FitRow], spec: ProfileSpec) -> str:
    from llmregistry.charts import BarRow, Segment, stacked_bar_chart

    names = (_("Weights"), _("KV cache"), _("Activations and overhead"))
    bars = [
        BarRow(
            label=row.variant.name,
            segments=tuple(
                Segment(name, value / GIB)
                for name, value in zip(names, row.chart_segments, strict=True)
            ),
            href=_variant_url(row.variant),
        )
        for row in rows
    ]
    usable = rows[0].fit.usable_bytes
    chart = stacked_bar_chart(
        bars,
        title=_("Memory per accelerator on %(hardware)s") % {"hardware": spec.name},
        description=_(
            "Horizontal bars: memory each accelerator needs for the best-ranked models that "
            "fit and the ones closest to fitting, split into weights, KV cache and the rest; "
            "the dashed line is the usable memory of one accelerator. The table below gives "
            "the same figures."
        ),
        value_label=_("GiB per accelerator"),
        value_format=lambda v: _("%(amount)s GiB") % {"amount": number_format(v, decimal_pos=1)},
        markers=((_("usable %(gib)s") % {"gib": _gib_text(usable)}, usable / GIB),),
    )
    return mark_safe(chart)  # noqa: S308 - the chart module escapes every text it draws


@require_http_methods(["GET", "HEAD"])
def fit(request):
    """Can I run it? Every visible variant on the chosen hardware (an accelerator × count, or a
    profile) at a precision, context and workload: the ones that fit ranked, with memory,
    headroom and decode speed; the others with what they miss; and a fit matrix of variants
    × published profiles. ``?variant=family/version/variant`` narrows to one variant and,
    without hardware, shows it on every profile."""
    user = request.user
    bound = bool(request.GET)
    accelerators = selectors.accelerator_list(user=user)
    profiles = selectors.profile_list(user=user)
    data = _with_defaults(request.GET, FitForm) if bound else None
    form = FitForm(data, accelerators=accelerators, profiles=profiles)
    filterset = VariantFilterSet(request.GET if bound else None, queryset=variant_list(user=user))
    form_valid = form.is_valid() if bound else True
    filters_valid = filterset.is_valid() if bound else True
    context = {
        "form": form,
        "filterset": filterset,
        "context_suggestions": CONTEXT_SUGGESTIONS,
        "speed_assumption": SPEED_ASSUMPTION,
        "fit_assumption": FIT_ASSUMPTION,
        "estimator_version": ESTIMATOR_VERSION,
        "examples": _fit_examples(accelerators),
        "commercial_choices": CommercialUse.choices,
        "kind_choices": VariantKind.choices,
        "sort_choices": FitSort.choices,
    }
    if not (form_valid and filters_valid):
        return render(request, "hardware/fit.html", context, status=400)

    if bound:
        options = form.options()
        cleaned = form.cleaned_data
        variant_key = cleaned.get("variant")
        sort = cleaned.get("sort") or FitSort.PARAMETERS
        spec = _hardware_spec(cleaned)
    else:
        options, variant_key, sort, spec = EstimateOptions(), None, FitSort.PARAMETERS, None

    queryset = filterset.qs if bound else variant_list(user=user)
    if variant_key:
        family, version, slug = variant_key
        queryset = queryset.filter(version__family__slug=family, version__slug=version, slug=slug)
    variants = list(queryset.order_by("-total_parameters", "name", "pk"))
    if variant_key and not variants:
        form.add_error("variant", UNKNOWN_VARIANT)
        return render(request, "hardware/fit.html", context, status=400)

    candidates, skipped = [], []
    for variant in variants:
        arch = selectors.variant_architecture(variant)
        if arch is None:
            skipped.append(variant)
        else:
            candidates.append((variant, arch, count_parameters(arch)))

    profile_pairs = selectors.profile_specs()
    try:
        if spec is not None:
            rows = [_fit_row(v, arch, params, options, spec) for v, arch, params in candidates]
            fitting, missing = _rank(rows, sort)
            chart_rows = _chart_rows(fitting, missing)
            context.update(
                spec=spec,
                fitting=fitting,
                page_obj=Paginator(fitting, FIT_PAGE_SIZE).get_page(request.GET.get("page")),
                missing=missing,
                missing_shown=missing[:MISSING_ROWS],
                missing_more=max(len(missing) - MISSING_ROWS, 0),
                chart=_fit_chart(chart_rows, spec) if chart_rows else "",
                chart_rows=chart_rows,
            )
            ranked = [r.variant.pk for r in (*fitting, *missing)][:MATRIX_ROWS]
            order = {pk: i for i, pk in enumerate(ranked)}
            matrix_candidates = sorted(
                (c for c in candidates if c[0].pk in order), key=lambda c: order[c[0].pk]
            )
        else:
            matrix_candidates = candidates[:MATRIX_ROWS]
        if variant_key and spec is None and candidates:
            variant, arch, params = candidates[0]
            result = estimate(arch, options, [s for _, s in profile_pairs], parameters=params)
            context.update(
                single=candidates[0][0],
                single_estimate=result,
                single_fits=_profile_fits(
                    (f.as_dict() for f in result.fits),
                    result.smallest.profile.slug if result.smallest else None,
                ),
                single_max_context=_variant_max_context(variant),
            )
        matrix = _fit_matrix(matrix_candidates, options, profile_pairs, len(candidates))
    except EstimateError as exc:
        _add_option_errors(form, {exc.field: str(exc)})
        return render(request, "hardware/fit.html", context, status=400)

    context.update(
        computed=True,
        sort=sort,
        options=_options_summary(options),
        skipped=skipped,
        matrix=matrix,
        candidates_count=len(candidates),
    )
    return render(request, "hardware/fit.html", context)


def _fit_examples(accelerators) -> list[tuple[str, str]]:
    """Questions people ask, as links (each a complete GET of the form), for the accelerators
    this registry has (one query)."""
    base = reverse("hardware:fit")
    available = set(accelerators.values_list("slug", flat=True))
    examples = [
        (
            _("2 × RTX 4090 at INT4 (AWQ) with a 32K context"),
            f"{base}?accelerator=nvidia-rtx-4090&count=2&precision=awq-int4&context_tokens=32768",
        ),
        (
            _("One RTX 4090 at GGUF Q4_K_M, 8K context"),
            f"{base}?accelerator=nvidia-rtx-4090&count=1&precision=q4_k_m&context_tokens=8192",
        ),
        (
            _("8 × H100 serving 32 users at BF16, 32K context"),
            f"{base}?accelerator=nvidia-h100-sxm&count=8&precision=bf16&context_tokens=32768"
            "&workload=serving&batch=32",
        ),
        (
            _("QLoRA fine-tuning on one 48 GB card"),
            f"{base}?accelerator=nvidia-rtx-6000-ada&count=1&workload=qlora&batch=1",
        ),
    ]
    return [
        (label, url)
        for label, url in examples
        if url.partition("accelerator=")[2].partition("&")[0] in available
    ]


# -- paste a config.json --------------------------------------------------------------------


@dataclass
class ConfigResult:
    answer: dict
    architecture: list[tuple[str, str, object]]
    terms: list[dict]
    profile_fits: list[ProfileFit]
    chart: str = ""
    chart_rows: list[dict] = field(default_factory=list)


def _architecture_rows(architecture: dict) -> list[tuple[str, str, object]]:
    rows = []
    for key, value in architecture.items():
        if value in (None, "") or (key in ARCHITECTURE_LABELS and not value):
            continue
        try:
            label = ModelVariant._meta.get_field(key).verbose_name
        except Exception:  # FieldDoesNotExist: numbers only the estimator knows
            label = ARCHITECTURE_LABELS.get(key, key)
        rows.append((key, label, value))
    return rows


def _config_chart(config: dict, options: EstimateOptions, answer: dict) -> tuple[str, list]:
    """The memory breakdown of the pasted config at the chosen options and its neighbours
    (the other stored precisions, or the other fine-tuning methods), as stacked bars."""
    from llmregistry.charts import BarRow, Segment, stacked_bar_chart

    arch = parse_config(config)
    params = count_parameters(arch)
    if options.workload == "inference":
        keys = [options.precision, *(p for p in INFERENCE_PRECISIONS if p != options.precision)]
        choices = [
            (PRECISIONS[key].label, dataclasses.replace(options, precision=key)) for key in keys
        ]
    else:
        keys = [options.workload, *(w for w in _TUNE_PRECISION if w != options.workload)]
        choices = [
            (str(Workload(key).label), dataclasses.replace(options, workload=key)) for key in keys
        ]
    rows, table = [], []
    for label, choice in choices:
        memory = estimate(arch, choice, parameters=params).memory
        chosen = choice == options
        title = f"{label} ✓" if chosen else label
        rows.append(
            BarRow(
                label=title,
                segments=tuple(
                    Segment(str(TERM_LABELS.get(t.key, t.key)), t.bytes / GIB) for t in memory.terms
                ),
            )
        )
        table.append(
            {
                "label": label,
                "chosen": chosen,
                "terms": {t.key: t.bytes for t in memory.terms},
                "total": memory.total_bytes,
            }
        )
    markers = ()
    smallest = answer.get("smallest_profile")
    if smallest:
        best = next(f for f in answer["fits"] if f["profile"] == smallest)
        markers = ((best["name"], best["usable_bytes"] * best["count"] / GIB),)
    chart = stacked_bar_chart(
        rows,
        title=_("Memory breakdown of the pasted config"),
        description=_(
            "Horizontal stacked bars: total memory at the chosen options (marked ✓) and "
            "alternatives, split into weights, KV cache, activations and overhead; the dashed "
            "line is the usable memory of the smallest profile that fits. The table below "
            "gives the same figures."
        ),
        value_label=_("GiB, all accelerators together"),
        value_format=lambda v: _("%(amount)s GiB") % {"amount": number_format(v, decimal_pos=1)},
        markers=markers,
    )
    return mark_safe(chart), table  # noqa: S308 - the chart module escapes every text


@require_http_methods(["GET", "HEAD", "POST"])
def fit_config(request):
    """Paste a config.json: its parsed architecture, exact parameter count, memory breakdown
    and how every published profile fares — the answer of POST /api/v1/estimate/."""
    result = options = None
    status = 200
    if request.method == "POST":
        form = ConfigForm(_with_defaults(request.POST, ConfigForm))
        if form.is_valid():
            config = form.cleaned_data["config"]
            options = form.options()
            try:
                answer = estimate_for(config=config, options=options)
                chart, chart_rows = _config_chart(config, options, answer)
            except EstimateInputError as exc:
                _add_option_errors(form, exc.errors)
            except (TypeError, ValueError, ArithmeticError) as exc:
                # A config the parser let through with a value of the wrong kind: explain,
                # don't crash (the estimator's own checks name most fields already).
                logger.warning("Unreadable pasted config: %r", exc)
                form.add_error("config", _("This config could not be estimated: %s") % exc)
            else:
                result = ConfigResult(
                    answer=answer,
                    architecture=_architecture_rows(answer["architecture"]),
                    terms=[
                        {**t, "label": TERM_LABELS.get(t["key"], t["key"])}
                        for t in answer["breakdown"]
                    ],
                    profile_fits=_profile_fits(answer["fits"], answer["smallest_profile"]),
                    chart=chart,
                    chart_rows=chart_rows,
                )
        if result is None:
            status = 400
    else:
        form = ConfigForm()
    return render(
        request,
        "hardware/fit_config.html",
        {
            "form": form,
            "result": result,
            "context_suggestions": CONTEXT_SUGGESTIONS,
            "max_config_kb": MAX_CONFIG_BYTES // 1024,
            "options": _options_summary(options) if result else None,
            "speed_assumption": SPEED_ASSUMPTION,
            "fit_assumption": FIT_ASSUMPTION,
            "term_labels": TERM_LABELS,
        },
        status=status,
    )


# -- accelerators and profiles --------------------------------------------------------------


def _total_memory_gib(profile) -> object:
    return profile.accelerator.memory_gib * profile.count


@require_http_methods(["GET", "HEAD"])
def index(request):
    """Accelerators (filtered with the API's AcceleratorFilterSet) and the hardware profiles
    built from them, in two queries."""
    filterset = AcceleratorFilterSet(
        request.GET or None, queryset=selectors.accelerator_list(user=request.user)
    )
    accelerators = list(filterset.qs)
    profiles = sorted(
        selectors.profile_list(user=request.user).filter(accelerator__in=filterset.qs),
        key=lambda p: (_total_memory_gib(p), p.count, p.name),
    )
    for profile in profiles:
        profile.total_memory_gib = _total_memory_gib(profile)
    status = 400 if filterset.is_bound and filterset.errors else 200
    return render(
        request,
        "hardware/index.html",
        {
            "filterset": filterset,
            "accelerators": accelerators,
            "profiles": profiles,
            "ordering": request.GET.get("ordering", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def accelerator_detail(request, slug: str):
    """One accelerator's datasheet figures with their sources, and the profiles built on it."""
    accelerator = get_object_or_404(selectors.accelerator_detail(user=request.user), slug=slug)
    profiles = list(selectors.profile_list(user=request.user).filter(accelerator=accelerator))
    for profile in profiles:
        profile.total_memory_gib = _total_memory_gib(profile)
    fit_url = reverse("hardware:fit") + f"?accelerator={accelerator.slug}&count=1"
    return render(
        request,
        "hardware/accelerator_detail.html",
        {"accelerator": accelerator, "profiles": profiles, "fit_url": fit_url},
    )


@dataclass
class PrecisionGroup:
    precision: str
    label: str
    rows: list
    total: int
    more_url: str


@require_http_methods(["GET", "HEAD"])
def profile_detail(request, slug: str):
    """One hardware profile: its accelerator, memory and sources, and the variants whose stored
    recommendations fit it at a context, grouped by precision (one query for all of them)."""
    profile = get_object_or_404(selectors.profile_detail(user=request.user), slug=slug)
    form = ProfileContextForm(request.GET or None)
    status = 200
    context_tokens = INFERENCE_CONTEXTS[0]
    if form.is_bound:
        if form.is_valid():
            context_tokens = form.cleaned_data["context_tokens"]
        else:
            status = 400
    rows = list(
        selectors.profile_recommendations(profile, user=request.user, context_tokens=context_tokens)
    )
    by_precision: dict[str, list] = {}
    for row in rows:
        by_precision.setdefault(row.precision, []).append(row)
    order = [*INFERENCE_PRECISIONS, *sorted(set(by_precision) - set(INFERENCE_PRECISIONS))]
    fit_url = reverse("hardware:fit")
    groups = [
        PrecisionGroup(
            precision=key,
            label=PRECISIONS[key].label if key in PRECISIONS else key,
            rows=by_precision[key][:PROFILE_ROWS_PER_PRECISION],
            total=len(by_precision[key]),
            more_url=f"{fit_url}?profile={profile.slug}&precision={key}"
            f"&context_tokens={context_tokens}",
        )
        for key in order
        if key in by_precision
    ]
    return render(
        request,
        "hardware/profile_detail.html",
        {
            "profile": profile,
            "total_memory_gib": _total_memory_gib(profile),
            "form": form,
            "context_tokens": context_tokens,
            "groups": groups,
            "fit_url": f"{fit_url}?profile={profile.slug}",
            "speed_assumption": SPEED_ASSUMPTION,
        },
        status=status,
    )


# -- the seed's sizing table ----------------------------------------------------------------


@dataclass
class TierVariant:
    variant: ModelVariant
    parameters: int
    memory_bytes: int
    weights_bytes: int
    smallest: ProfileSpec | None
    quantised_bytes: int
    quantised_smallest: ProfileSpec | None
    disagrees: bool

    @property
    def memory_gb(self) -> str:
        return _gb_text(self.memory_bytes)

    @property
    def quantised_gb(self) -> str:
        return _gb_text(self.quantised_bytes)


@dataclass
class TierRow:
    tier: object
    figures: dict
    representatives: list[TierVariant]
    seed_inference_low: int | None
    seed_inference_high: int | None


def _tier_bounds(tier) -> tuple[int, int]:
    params = Fraction(str(tier.parameters_billion)) * 10**9
    return int(params / TIER_SPREAD), int(params * TIER_SPREAD)


def _smallest(result: Estimate) -> ProfileSpec | None:
    best = result.smallest
    return best.profile if best else None


@require_http_methods(["GET", "HEAD"])
def sizing(request):
    """The seed's sizing table, cell by cell, beside what the estimator computes: the tier's
    lower bounds (hardware.estimator.size_tiers, as the API's size-tier detail) and, for the
    catalog's variants of about that size, the memory at the seed's FP16 and at INT4 with
    the smallest published profile that fits. Four queries whatever the number of tiers."""
    tiers = list(selectors.size_tier_detail(user=request.user))
    bounds = [_tier_bounds(t) for t in tiers]
    variants = list(selectors.variants_sized_between(bounds, user=request.user)) if tiers else []
    specs = [spec for _, spec in selectors.profile_specs()] if tiers else []
    rows = []
    for tier, (low, high) in zip(tiers, bounds, strict=True):
        figures = {
            f.key: {"figure": f, "gb": _gb_text(f.computed_bytes)}
            for f in tier_figures(
                tier.parameters_billion,
                training_memory=tier.training_memory,
                inference_memory=tier.inference_memory,
            )
        }
        seed_low, seed_high = parse_seed_range(tier.inference_memory)
        target = float(tier.parameters_billion) * 10**9
        # The catalog's models nearest the tier's size (ratio, either side) are its examples.
        nearest = sorted(
            (v for v in variants if low <= (v.total_parameters or 0) <= high),
            key=lambda v: (abs(math.log(v.total_parameters / target)), v.name),
        )
        representatives, seen = [], set()
        for variant in nearest:
            arch = selectors.variant_architecture(variant)
            if arch is None:
                continue
            params = count_parameters(arch)
            # Base and chat checkpoints share an architecture: show one of each size.
            if params.total in seen:
                continue
            seen.add(params.total)
            full = estimate(
                arch,
                EstimateOptions(precision=TIER_PRECISION, context_tokens=TIER_CONTEXT),
                specs,
                parameters=params,
            )
            quantised = estimate(
                arch,
                EstimateOptions(precision=TIER_QUANTISED_PRECISION, context_tokens=TIER_CONTEXT),
                specs,
                parameters=params,
            )
            # The seed's cell holds the computed total or not, by the same rule as the tier's
            # own lower bounds (a closed range must leave room; an open one may not understate).
            check = TierFigure(
                "inference",
                "",
                full.memory.total_bytes,
                tier.inference_memory,
                seed_low,
                seed_high,
                "",
            )
            representatives.append(
                TierVariant(
                    variant=variant,
                    parameters=params.total,
                    memory_bytes=full.memory.total_bytes,
                    weights_bytes=full.memory.weights_bytes,
                    smallest=_smallest(full),
                    quantised_bytes=quantised.memory.total_bytes,
                    quantised_smallest=_smallest(quantised),
                    disagrees=check.disagrees,
                )
            )
            if len(representatives) == TIER_REPRESENTATIVES:
                break
        representatives.sort(key=lambda r: (r.parameters, r.variant.name))
        rows.append(TierRow(tier, figures, representatives, seed_low, seed_high))
    sources = {}
    for tier in tiers:
        for citation in tier.citations.all():
            sources.setdefault(citation.source.url, citation.source)
    return render(
        request,
        "hardware/sizing.html",
        {
            "rows": rows,
            "sources": list(sources.values()),
            "tier_context": TIER_CONTEXT,
            "tier_spread": float(TIER_SPREAD),
            "estimator_version": ESTIMATOR_VERSION,
        },
    )
