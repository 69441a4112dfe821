"""Can I run it? Every visible variant on chosen hardware, ranked, and a fit matrix."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.architecture import variant_architecture
from catalog.choices import VariantKind
from catalog.effective import effective_context_tokens
from catalog.filters import VariantFilterSet
from catalog.keys import variant_url
from catalog.models import ModelVariant
from catalog.selectors import variant_list
from core.extensions import page_context
from core.lib.charts import BarRow, Segment, stacked_bar_chart
from core.lib.units import GIB
from estimator import (
    ESTIMATOR_VERSION,
    Architecture,
    EstimateError,
    EstimateOptions,
    ParameterCount,
    ProfileSpec,
    count_parameters,
    estimate,
)
from hardware import selectors
from hardware.forms import CONTEXT_SUGGESTIONS, UNKNOWN_VARIANT, FitForm, FitSort
from hardware.ranking import FitRow, fit_row, hardware_spec, rank
from hardware.services import FINE_TUNE_CONTEXT, INFERENCE_CONTEXTS, INFERENCE_PRECISIONS
from hardware.views._common import (
    _TUNE_PRECISION,
    FIT_ASSUMPTION,
    SPEED_ASSUMPTION,
    _add_option_errors,
    _gib_text,
    _options_summary,
    _profile_fits,
    _with_defaults,
)
from licenses.choices import CommercialUse

MATRIX_ROWS = 20  # variants in the fit matrix: enough to compare, small enough to read
FIT_PAGE_SIZE = 25  # fitting variants per page: with its best-model chart, under 100 KB
MISSING_ROWS = 20  # variants that do not fit, closest first; the rest are only counted
SKIPPED_ROWS = 30  # variants without architecture numbers named; the rest are only counted
CHART_FITTING_ROWS = 8  # bars of the fit chart: the best-ranked fitting variants…
CHART_MISSING_ROWS = 2  # …and the ones closest to fitting, so the capacity line means something


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
        max_context = effective_context_tokens(variant)
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
    names = (_("Weights"), _("KV cache"), _("Activations and overhead"))
    bars = [
        BarRow(
            label=row.variant.name,
            segments=tuple(
                Segment(name, value / GIB)
                for name, value in zip(names, row.chart_segments, strict=True)
            ),
            href=variant_url(row.variant),
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
        spec = hardware_spec(cleaned)
    else:
        options, variant_key, sort, spec = EstimateOptions(), None, FitSort.PARAMETERS, None

    queryset = filterset.qs if bound else variant_list(user=user)
    if variant_key:
        family, version, slug = variant_key
        queryset = queryset.filter(version__family__slug=family, version__slug=version, slug=slug)
    variants = list(queryset.order_by(*selectors.LARGEST_FIRST))
    if variant_key and not variants:
        form.add_error("variant", UNKNOWN_VARIANT)
        return render(request, "hardware/fit.html", context, status=400)

    candidates, skipped = [], []
    for variant in variants:
        arch = variant_architecture(variant)
        if arch is None:
            skipped.append(variant)
        else:
            candidates.append((variant, arch, count_parameters(arch)))

    profile_pairs = selectors.profile_specs()
    try:
        if spec is not None:
            rows = [fit_row(v, arch, params, options, spec) for v, arch, params in candidates]
            fitting, missing = rank(rows, sort)
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
                single_max_context=effective_context_tokens(variant),
            )
        matrix = _fit_matrix(matrix_candidates, options, profile_pairs, len(candidates))
    except EstimateError as exc:
        _add_option_errors(form, {exc.field: str(exc)})
        return render(request, "hardware/fit.html", context, status=400)

    if spec is not None:
        # The best model that fits by a benchmark (evaluations app), from the rows above.
        context.update(
            page_context(
                "fit",
                request,
                spec=spec,
                options=options,
                variants=queryset,
                fit_rows=[*fitting, *missing],
            )
        )
    context.update(
        computed=True,
        sort=sort,
        options=_options_summary(options),
        skipped=skipped,
        skipped_shown=skipped[:SKIPPED_ROWS],
        skipped_more=max(len(skipped) - SKIPPED_ROWS, 0),
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
