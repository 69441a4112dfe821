"""The evaluation pages: benchmarks, a benchmark's leaderboard (comparable results only unless
asked), and the best model that fits."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalog.architecture import variant_architecture
from estimator import EstimateError, count_parameters
from evaluations import selectors
from evaluations.bestfit import best_fit_chart
from evaluations.choices import Category
from evaluations.display import setting_text, value_text
from evaluations.filters import BenchmarkFilterSet
from evaluations.forms import BestFitForm, LeaderboardForm, answer_best_fit, best_fit_form
from evaluations.models import Result
from hardware import selectors as hardware_selectors
from hardware.forms import CONTEXT_SUGGESTIONS
from hardware.ranking import fit_row, hardware_spec
from hardware.views._common import _add_option_errors, _options_summary, _with_defaults
from licenses.choices import CommercialUse

LEADERBOARD_PAGE_SIZE = 50  # rows per page: a page stays well under 100 KB


def benchmark_list(request):
    """Every visible benchmark by category, with how many results and models it has."""
    filterset = BenchmarkFilterSet(
        request.GET or None,
        queryset=selectors.benchmark_list(user=request.user).order_by("category", "name", "pk"),
    )
    benchmarks = list(filterset.qs) if filterset.is_valid() or not request.GET else []
    order = {value: index for index, value in enumerate(Category.values)}
    groups: dict[str, list] = {}
    for benchmark in sorted(benchmarks, key=lambda b: (order.get(b.category, 99), b.name)):
        groups.setdefault(benchmark.get_category_display(), []).append(benchmark)
    status = 400 if request.GET and not filterset.is_valid() else 200
    return render(
        request,
        "evaluations/benchmark_list.html",
        {
            "filterset": filterset,
            "groups": groups,
            "count": len(benchmarks),
            "categories": Category.choices,
        },
        status=status,
    )


@dataclass
class LeaderboardRow:
    rank: int | None
    result: Result
    value: str
    setting: str
    comparable: bool  # under the chosen setting
    fits: bool | None = None  # on the chosen hardware, when one is chosen


@require_http_methods(["GET", "HEAD"])
def benchmark_detail(request, slug: str):
    """A benchmark and its leaderboard: by default only the results under one comparable
    setting (the most common; others to choose), ranked; incomparable ones only when asked,
    and then unranked. Filters: licence allows commercial use, open weights only, fits this
    hardware at this precision and context."""
    user = request.user
    benchmark = selectors.benchmark_detail(user=user).filter(slug=slug).first()
    if benchmark is None:
        raise Http404(_("No such benchmark."))
    accelerators = hardware_selectors.accelerator_list(user=user)
    profiles = hardware_selectors.profile_list(user=user)
    bound = bool(request.GET)
    data = _with_defaults(request.GET, LeaderboardForm) if bound else None
    form = LeaderboardForm(data, accelerators=accelerators, profiles=profiles)
    context = {
        "benchmark": benchmark,
        "form": form,
        "context_suggestions": CONTEXT_SUGGESTIONS,
    }
    if bound and not form.is_valid():
        return render(request, "evaluations/benchmark_detail.html", context, status=400)
    cleaned = form.cleaned_data if bound else {}
    results = selectors.benchmark_results(benchmark, user=user)
    if cleaned.get("open_weights"):
        results = results.filter(~Q(variant__hf_repo_id="") | ~Q(variant__modelscope_repo_id=""))
    if cleaned.get("commercial"):
        results = results.filter(
            Q(variant__license__commercial_use__in=LeaderboardForm.COMMERCIAL)
            | Q(
                variant__license__isnull=True,
                variant__version__license__commercial_use__in=LeaderboardForm.COMMERCIAL,
            )
        )
    results = list(results.order_by("pk"))
    groups = selectors.setting_groups(results)
    keys = {group.key for group in groups}
    chosen = cleaned.get("setting") or ""
    if chosen not in keys:
        chosen = groups[0].key if groups else ""
    all_settings = bool(cleaned.get("all_settings"))
    spec = hardware_spec(cleaned) if bound else None
    sign = 1 if benchmark.higher_is_better else -1
    shown = [r for r in results if all_settings or r.comparable_key == chosen]
    fits: dict[int, bool] = {}
    if spec is not None:
        options = form.options()
        try:
            for result in shown:
                variant = result.variant
                if variant.pk in fits:
                    continue
                arch = variant_architecture(variant)
                fits[variant.pk] = bool(
                    arch is not None
                    and fit_row(variant, arch, count_parameters(arch), options, spec).fits
                )
        except EstimateError as exc:
            _add_option_errors(form, {exc.field: str(exc)})
            return render(request, "evaluations/benchmark_detail.html", context, status=400)
        shown = [r for r in shown if fits.get(r.variant_id)]
        context.update(spec=spec, options=_options_summary(options))
    comparable = sorted(
        (r for r in shown if r.comparable_key == chosen), key=lambda r: (-sign * r.value, r.pk)
    )
    others = sorted(
        (r for r in shown if r.comparable_key != chosen),
        key=lambda r: (r.comparable_key, -sign * r.value, r.pk),
    )
    rows: list[LeaderboardRow] = []
    rank, previous = 0, None
    for position, result in enumerate(comparable, start=1):
        if result.value != previous:
            rank, previous = position, result.value
        rows.append(
            LeaderboardRow(rank, result, value_text(result.value), setting_text(result), True)
        )
    rows += [LeaderboardRow(None, r, value_text(r.value), setting_text(r), False) for r in others]
    context.update(
        groups=context_groups(groups),
        chosen=chosen,
        chosen_stated=next((g.stated for g in groups if g.key == chosen), True),
        chosen_text=next((text for g, text in context_groups(groups) if g.key == chosen), ""),
        all_settings=all_settings,
        rows=bool(rows),
        page_obj=Paginator(rows, LEADERBOARD_PAGE_SIZE).get_page(request.GET.get("page")),
        filtered=bool(cleaned.get("open_weights") or cleaned.get("commercial") or spec),
    )
    return render(request, "evaluations/benchmark_detail.html", context)


def context_groups(groups: list[selectors.SettingGroup]) -> list[tuple]:
    """Each setting group with its setting in words (a select's options)."""
    return [(g, setting_text(g.example)) for g in groups]


@require_http_methods(["GET", "HEAD"])
def best_fit_page(request):
    """The best model that fits: hardware, precision, context, licence constraints and a
    benchmark or category; the quality against memory chart with its Pareto frontier."""
    user = request.user
    bound = bool(request.GET)
    data = _with_defaults(request.GET, BestFitForm) if bound else None
    form, filterset = best_fit_form(data, user)
    context = {
        "form": form,
        "filterset": filterset,
        "context_suggestions": CONTEXT_SUGGESTIONS,
        "commercial_choices": CommercialUse.choices,
        "categories": Category.choices,
    }
    if not bound:
        return render(request, "evaluations/best_fit.html", context)
    form_valid, filters_valid = form.is_valid(), filterset.is_valid()
    if not (form_valid and filters_valid):
        return render(request, "evaluations/best_fit.html", context, status=400)
    try:
        question = answer_best_fit(form, filterset, user)
    except EstimateError as exc:
        _add_option_errors(form, {exc.field: str(exc)})
        return render(request, "evaluations/best_fit.html", context, status=400)
    answer = question.answer
    context.update(
        computed=True,
        spec=question.spec,
        options=_options_summary(question.options),
        best_fit=answer,
        best_fit_chart=mark_safe(best_fit_chart(answer, question.spec))  # noqa: S308 - the chart module escapes every text it draws
        if answer.points
        else "",
        setting_groups=context_groups(answer.groups),
    )
    return render(request, "evaluations/best_fit.html", context)
