"""What the evaluations app adds to the pages and FilterSets of the apps below it, registered
in ``EvaluationsConfig.ready()`` through core.extensions: the variant page's scores, the
compare page's benchmark rows, the "Can I run it?" page's best-model chart, the version page's
checked seed claims, and the variant list's ``score__<benchmark>__gte``/``__lte`` filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.filters import VariantFilterSet
from core.extensions import PatternFilter, add_page_context, extend_filterset_patterns
from evaluations import selectors
from evaluations.bestfit import MOST_REPORTED, best_fit, best_fit_chart
from evaluations.display import compare_rows, scores_by_category
from evaluations.models import Result

FIT_PAGE_POINTS = 10  # points drawn on "Can I run it?" (the whole frontier, always)
SCORE_PARAMETER = re.compile(r"score__(?P<benchmark>[-a-z0-9]+)__(?P<lookup>gte|lte)")
UNKNOWN_BENCHMARK = gettext_lazy("Unknown benchmark '%(slug)s'.")
NOT_A_SCORE = gettext_lazy("Enter a number.")


def variant_scores(request, *, variant) -> dict:
    """The variant page's scores by category (one query) and the seed's checked claims."""
    results = selectors.variant_results(variant, user=request.user)
    return {
        "score_categories": scores_by_category(results),
        "scores_section": True,
        "internal_visible": selectors.shows_internal(request.user),
    }


def version_claims(request, *, version) -> dict:
    return {"seed_claims": selectors.claims_for_version(version, user=request.user)}


@dataclass
class _Cell:
    text: str
    note: str = ""
    href: str = ""
    badge: str = ""


@dataclass
class _Row:
    label: str
    cells: list[_Cell]
    differs: bool


@dataclass
class _Section:
    title: str
    rows: list[_Row] = field(default_factory=list)


def compare_scores(request, *, variants) -> dict:
    """The compare page's benchmark rows: one per benchmark and comparable setting that two
    or more of the variants share (one query)."""
    ids = [v.pk for v in variants]
    results = selectors.results_for_variants(ids, user=request.user)
    rows = [row for row in compare_rows(results, ids) if row.aligned]
    if not rows:
        return {}
    section = _Section(title=_("Benchmarks (comparable results only)"))
    for row in rows:
        cells = [
            _Cell(" / ".join(values) or "—", note=_("sources differ") if len(values) > 1 else "")
            for values in row.cells
        ]
        present = {tuple(values) for values in row.cells if values}
        section.rows.append(
            _Row(
                label=f"{row.benchmark.localized('name')} · {row.setting}",
                cells=cells,
                differs=len(present) > 1,
            )
        )
    return {"sections": [section]}


def _clean_score(match, value, request):
    slug = match.group("benchmark")
    benchmark = (
        selectors.benchmark_list(user=getattr(request, "user", None)).filter(slug=slug).first()
    )
    if benchmark is None:
        raise forms.ValidationError(UNKNOWN_BENCHMARK % {"slug": slug})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise forms.ValidationError(NOT_A_SCORE) from None
    if not number.is_finite() or abs(number) > 10**8:
        raise forms.ValidationError(NOT_A_SCORE)
    return benchmark, number


def _apply_score(queryset, match, cleaned, request):
    benchmark, number = cleaned
    lookup = match.group("lookup")
    results = Result.objects.filter(
        selectors.result_condition(getattr(request, "user", None)),
        variant=OuterRef("pk"),
        benchmark=benchmark,
        **{f"value__{lookup}": number},
    )
    return queryset.filter(Exists(results))


SCORE_FILTER = PatternFilter(
    pattern=SCORE_PARAMETER,
    clean=_clean_score,
    apply=_apply_score,
    help=gettext_lazy(
        "score__<benchmark>__gte / __lte: variants with at least one visible result on that "
        "benchmark at or above (below) the value, under any setting."
    ),
)


def register() -> None:
    """Called once the apps are loaded; registering again adds nothing."""
    add_page_context("variant_detail", variant_scores)
    add_page_context("version_detail", version_claims)
    add_page_context("compare_scores", compare_scores)
    add_page_context("fit", fit_best_model)
    extend_filterset_patterns(VariantFilterSet, SCORE_FILTER)


def fit_best_model(request, *, spec, options, variants, fit_rows) -> dict:
    """The "Can I run it?" page's best model that fits: for the ``benchmark`` asked for (a
    GET parameter), else the benchmark most of these models report, the quality against
    memory chart with its Pareto frontier, from the page's own fit rows."""
    user = request.user
    slug = request.GET.get("benchmark", "")
    benchmark = selectors.benchmark_list(user=user).filter(slug=slug).first() if slug else None
    answer = best_fit(
        variants=variants,
        spec=spec,
        options=options,
        benchmark=benchmark,
        category="" if benchmark else MOST_REPORTED,
        user=user,
        rows={row.variant.pk: row for row in fit_rows},
    )
    query = request.GET.copy()
    query.pop("page", None)
    if answer.benchmark is not None:
        query["benchmark"] = answer.benchmark.slug
    return {
        "best_fit_section": True,
        "best_fit_url": f"{reverse('evaluations:best_fit')}?{query.urlencode()}",
        "best_fit": answer,
        # The page is already long: a small chart and the frontier's names; the table, the
        # other benchmarks and every point are one link away.
        "best_fit_chart": mark_safe(  # noqa: S308 - the chart module escapes every text it draws
            best_fit_chart(answer, spec, limit=FIT_PAGE_POINTS, with_table=False)
        )
        if answer.points
        else "",
    }
