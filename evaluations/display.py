"""Results in words: a value as printed, a setting as a short phrase, and the grouping the
pages share (a variant's scores by category; the compare page's rows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from evaluations.choices import Category, Harness, Metric
from evaluations.models import Benchmark, Result


def value_text(value: Decimal | float | None) -> str:
    """The value with the digits its source printed (no trailing zeros of the column)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        value = Decimal(repr(value))
    normal = Decimal(format(value.normalize(), "f"))  # 100, not 1E+2
    places = max(-normal.as_tuple().exponent, 0)  # type: ignore[operator]
    return number_format(normal, decimal_pos=places)


def setting_parts(result: Result, benchmark: Benchmark | None = None) -> list[str]:
    """The setting of ``result`` as short phrases, the deciding ones first."""
    benchmark = benchmark or result.benchmark
    parts: list[str] = []
    if result.benchmark_version:
        parts.append(result.benchmark_version)
    if result.metric != benchmark.metric:
        parts.append(str(Metric(result.metric).label))
    if result.shots is not None:
        parts.append(_("zero-shot") if result.shots == 0 else _("%(n)s-shot") % {"n": result.shots})
    if result.chain_of_thought is True:
        parts.append(_("chain-of-thought"))
    elif result.chain_of_thought is False:
        parts.append(_("no chain-of-thought"))
    if result.thinking is True:
        parts.append(_("thinking"))
    elif result.thinking is False:
        parts.append(_("non-thinking"))
    if result.pass_k:
        parts.append(_("pass@%(k)s") % {"k": result.pass_k})
    if result.samples:
        if result.metric == Metric.CONS_AT_K:
            parts.append(_("cons@%(n)s") % {"n": result.samples})
        else:
            parts.append(_("%(n)s samples") % {"n": result.samples})
    if result.harness:
        harness = str(Harness(result.harness).label)
        parts.append(f"{harness} {result.harness_version}".strip())
    if result.prompt_template:
        parts.append(_("template: %(name)s") % {"name": result.prompt_template})
    return parts


def setting_text(result: Result, benchmark: Benchmark | None = None) -> str:
    """The setting as one line; "setting not stated" when the source gave none of it."""
    return " · ".join(setting_parts(result, benchmark)) or _("setting not stated")


@dataclass
class ScoreRow:
    """One result as a variant page lists it."""

    result: Result
    value: str
    setting: str
    disagrees: bool = False  # another source reports another value for the same setting


@dataclass
class BenchmarkScores:
    benchmark: Benchmark
    rows: list[ScoreRow]

    @property
    def disagreement(self) -> bool:
        return any(row.disagrees for row in self.rows)

    @property
    def settings_differ(self) -> bool:
        return len({row.result.comparable_key for row in self.rows}) > 1


@dataclass
class CategoryScores:
    category: str
    label: str
    benchmarks: list[BenchmarkScores] = field(default_factory=list)


def scores_by_category(results: Iterable[Result]) -> list[CategoryScores]:
    """A variant's results by category and benchmark (in the given order), each row marked
    where another source reports a different value under the same setting."""
    values_by_key: dict[tuple[int, str], set[Decimal]] = {}
    results = list(results)
    for result in results:
        values_by_key.setdefault((result.benchmark_id, result.comparable_key), set()).add(
            result.value.normalize()
        )
    categories: dict[str, CategoryScores] = {}
    benchmarks: dict[int, BenchmarkScores] = {}
    for result in results:
        benchmark = result.benchmark
        category = categories.get(benchmark.category)
        if category is None:
            category = categories[benchmark.category] = CategoryScores(
                benchmark.category, str(Category(benchmark.category).label)
            )
        scores = benchmarks.get(benchmark.pk)
        if scores is None:
            scores = benchmarks[benchmark.pk] = BenchmarkScores(benchmark, [])
            category.benchmarks.append(scores)
        scores.rows.append(
            ScoreRow(
                result=result,
                value=value_text(result.value),
                setting=setting_text(result, benchmark),
                disagrees=len(values_by_key[(benchmark.pk, result.comparable_key)]) > 1,
            )
        )
    order = {value: index for index, value in enumerate(Category.values)}
    return sorted(categories.values(), key=lambda c: order.get(c.category, len(order)))


@dataclass
class CompareRow:
    """One benchmark under one setting on the compare page: a cell per variant (the values
    its sources report under that setting; empty where it has none)."""

    benchmark: Benchmark
    setting: str
    cells: list[list[str]]
    covered: int  # how many of the variants have a value

    @property
    def aligned(self) -> bool:
        return self.covered > 1


def compare_rows(results: Iterable[Result], variant_ids: list[int]) -> list[CompareRow]:
    """Rows per benchmark and setting: values stand in one row only when comparable. Rows
    that align two or more variants come first within a benchmark."""
    groups: dict[tuple[int, str], dict[int, list[Result]]] = {}
    benchmarks: dict[int, Benchmark] = {}
    examples: dict[tuple[int, str], Result] = {}
    for result in results:
        key = (result.benchmark_id, result.comparable_key)
        groups.setdefault(key, {}).setdefault(result.variant_id, []).append(result)
        benchmarks[result.benchmark_id] = result.benchmark
        examples.setdefault(key, result)
    rows = []
    for key, by_variant in groups.items():
        benchmark = benchmarks[key[0]]
        cells = [
            [value_text(r.value) for r in by_variant.get(variant_id, [])]
            for variant_id in variant_ids
        ]
        rows.append(
            CompareRow(
                benchmark=benchmark,
                setting=setting_text(examples[key], benchmark),
                cells=cells,
                covered=sum(1 for cell in cells if cell),
            )
        )
    order = {value: index for index, value in enumerate(Category.values)}
    rows.sort(
        key=lambda row: (
            order.get(row.benchmark.category, len(order)),
            row.benchmark.name,
            -row.covered,
            row.setting,
        )
    )
    return rows
