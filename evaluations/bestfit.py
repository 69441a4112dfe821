"""The best model that fits: for chosen hardware, precision and context, each model with a
comparable result on a benchmark, its memory need against its score, and the Pareto frontier
(no other fitting model needs less memory and scores higher).

The pages (the best-fit page and the "Can I run it?" page), the API and the MCP tools all ask
:func:`best_fit`, so they give one answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from catalog.architecture import variant_architecture
from catalog.keys import variant_key, variant_url
from catalog.models import ModelVariant
from core.lib.charts import Point, scatter_chart
from core.lib.units import GIB
from estimator import EstimateOptions, ProfileSpec, count_parameters
from evaluations import selectors
from evaluations.comparability import Candidate, pareto_frontier
from evaluations.display import setting_text, value_text
from evaluations.models import Benchmark, Result
from hardware.ranking import FitRow, fit_row

# Chart series: the frontier is drawn in the first palette colour, the others after it.
FRONTIER, OTHERS = 0, 1
# The "category" meaning any: the benchmark most of the models report.
MOST_REPORTED = "*"
# Models drawn and listed: the whole frontier, then the best of the rest (a page stays small).
POINTS_SHOWN = 60


@dataclass
class BestFitPoint:
    """One model that fits, with its result under the chosen setting (the best value where
    several sources report one)."""

    row: FitRow
    result: Result
    score: float
    on_frontier: bool = False

    @property
    def variant(self) -> ModelVariant:
        return self.row.variant

    @property
    def key(self) -> str:
        return variant_key(self.row.variant)

    @property
    def value(self) -> str:
        return value_text(self.result.value)


@dataclass
class BestFit:
    """The answer: the benchmark and setting used, the fitting models (frontier first, then by
    score) and what was left out."""

    benchmark: Benchmark | None
    setting_key: str = ""
    setting: str = ""
    setting_stated: bool = True  # False: the sources state none of the setting
    groups: list[selectors.SettingGroup] = field(default_factory=list)
    points: list[BestFitPoint] = field(default_factory=list)
    not_fitting: int = 0
    without_architecture: int = 0

    @property
    def frontier(self) -> list[BestFitPoint]:
        return [p for p in self.points if p.on_frontier]

    @property
    def shown(self) -> list[BestFitPoint]:
        """The frontier and the best-scoring others, ``POINTS_SHOWN`` in all at most (never
        fewer than the frontier)."""
        return self.points[: max(POINTS_SHOWN, len(self.frontier))]

    @property
    def not_shown(self) -> int:
        return len(self.points) - len(self.shown)


def choose_benchmark(
    results: QuerySet[Result], *, benchmark: Benchmark | None, category: str
) -> Benchmark | None:
    """The benchmark asked for, or for a category (``MOST_REPORTED``: any) its benchmark with
    the most results among ``results`` (one query)."""
    if benchmark is not None or not category:
        return benchmark
    counts: dict[int, int] = {}
    if category != MOST_REPORTED:
        results = results.filter(benchmark__category=category)
    for benchmark_id in results.values_list("benchmark_id", flat=True):
        counts[benchmark_id] = counts.get(benchmark_id, 0) + 1
    if not counts:
        return None
    best = min(counts, key=lambda pk: (-counts[pk], pk))
    return Benchmark.objects.get(pk=best)


def best_fit(
    *,
    variants: QuerySet[ModelVariant],
    spec: ProfileSpec,
    options: EstimateOptions,
    benchmark: Benchmark | None,
    category: str = "",
    setting_key: str = "",
    open_weights: bool = False,
    user=None,
    rows: dict[int, FitRow] | None = None,
) -> BestFit:
    """Models of ``variants`` that fit ``spec`` at ``options`` with a result on ``benchmark``
    (or on the ``category``'s most reported one) under ``setting_key`` (default: the setting
    most results share). ``rows``: the fit rows already computed for these options by
    variant id (the "Can I run it?" page has them), so nothing is estimated twice. Raises the
    estimator's ``EstimateError`` for options it refuses. Three queries whatever the number of
    models."""
    if open_weights:
        variants = variants.filter(~Q(hf_repo_id="") | ~Q(modelscope_repo_id=""))
    visible = Result.objects.filter(selectors.result_condition(user), variant__in=variants)
    chosen = choose_benchmark(visible, benchmark=benchmark, category=category)
    if chosen is None:
        return BestFit(benchmark=None)
    results = list(
        visible.filter(benchmark=chosen)
        .select_related("variant__version__family__organization", "benchmark")
        .order_by("pk")
    )
    groups = selectors.setting_groups(results)
    answer = BestFit(benchmark=chosen, groups=groups)
    if not groups:
        return answer
    keys = {group.key for group in groups}
    answer.setting_key = setting_key if setting_key in keys else groups[0].key
    answer.setting_stated = next(g.stated for g in groups if g.key == answer.setting_key)
    in_group = [r for r in results if r.comparable_key == answer.setting_key]
    answer.setting = setting_text(in_group[0], chosen)
    sign = 1 if chosen.higher_is_better else -1
    best: dict[int, Result] = {}
    for result in in_group:
        current = best.get(result.variant_id)
        if current is None or sign * result.value > sign * current.value:
            best[result.variant_id] = result
    for result in best.values():
        variant = result.variant
        row = rows.get(variant.pk) if rows is not None else None
        if row is None:
            arch = variant_architecture(variant)
            if arch is None:
                answer.without_architecture += 1
                continue
            row = fit_row(variant, arch, count_parameters(arch), options, spec)
        if not row.fits:
            answer.not_fitting += 1
            continue
        answer.points.append(BestFitPoint(row=row, result=result, score=float(result.value)))
    frontier = {
        c.key
        for c in pareto_frontier(
            Candidate(key=p.key, memory_bytes=p.row.memory_bytes, score=sign * p.score)
            for p in answer.points
        )
    }
    for point in answer.points:
        point.on_frontier = point.key in frontier
    answer.points.sort(
        key=lambda p: (not p.on_frontier, -sign * p.score, p.row.memory_bytes, p.key)
    )
    return answer


def best_fit_chart(
    answer: BestFit, spec: ProfileSpec, *, limit: int = POINTS_SHOWN, with_table: bool = True
) -> str:
    """Score against memory, the frontier in its own colour and shape, the whole frontier and
    the best of the rest up to ``limit`` points (an SVG; every text escaped by the chart
    module)."""
    assert answer.benchmark is not None
    frontier_name, others_name = _("Pareto frontier"), _("Other models that fit")
    points = [
        Point(
            x=p.row.memory_bytes / GIB,
            y=p.score,
            label=f"{p.variant.name}: {p.value}",
            series=frontier_name if p.on_frontier else others_name,
            href=variant_url(p.variant),
        )
        for p in answer.points[: max(limit, len(answer.frontier))]
    ]
    return scatter_chart(
        points,
        title=_("%(benchmark)s against memory on %(hardware)s")
        % {"benchmark": answer.benchmark.localized("name"), "hardware": spec.name},
        description=(
            _(
                "Each point is a model that fits: across, the memory it needs at this precision "
                "and context; up, its result under one comparable setting (%(setting)s). The "
                "frontier marks the models no other fitting model beats with less memory. The "
                "table below gives the same figures."
            )
            if with_table
            else _(
                "Each point is a model that fits: across, the memory it needs; up, its result "
                "under one comparable setting; the frontier is drawn in its own colour and shape."
            )
        )
        % {"setting": answer.setting},
        x_label=_("Memory needed (GiB, all accelerators)"),
        y_label=answer.benchmark.localized("name"),
        x_kind="number",
        empty_text=_("No model with a comparable result fits."),
        colours={frontier_name: FRONTIER, others_name: OTHERS},
    )
