"""The evaluation MCP tool, and the ranking by a benchmark that search_models and
recommend_hardware share. Results and benchmarks are the API's selectors and FilterSet with
the caller's visibility: internal results and private benchmarks for signed-in staff only."""

from dataclasses import dataclass, field
from typing import Annotated, Literal

from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.http import QueryDict
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from assistants.common import acting_user, argument_error, find_variant, form_errors, page
from assistants.schemas import (
    BenchmarkBrief,
    BenchmarkRanking,
    BenchmarkScore,
    EvaluationAnswer,
    EvaluationResult,
    EvaluationSource,
    SettingFields,
    SettingGroup,
)
from catalog.keys import variant_key
from evaluations import selectors
from evaluations.choices import Category, ReportedBy
from evaluations.display import setting_text, value_text
from evaluations.filters import ResultFilterSet
from evaluations.models import Benchmark, Result

MAX_EVALUATIONS = 50  # results one call answers: each carries its setting, source and note
SETTINGS_NAMED = 5  # settings an error about an unknown one lists
BENCHMARKS_NAMED = 6  # near benchmarks an error about an unknown one lists
NOTHING_ASKED = _("give a model, a benchmark, a category or a family.")
NO_BENCHMARK = _("no benchmark “%(value)s” in the registry (%(near)s).")
BENCHMARKS_LISTED = _("get_evaluations of a model lists them")
NO_SUCH_SETTING = _(
    "no result on %(benchmark)s among these models is under “%(setting)s” (%(known)s)."
)
NO_RESULT_ON_IT = _("none has a result on it")
SETTING_WITHOUT_RANKING = _("give rank_by_benchmark with a setting.")
COMPARABLE_ONLY = _(
    "Compare values only where comparable_key is equal: a different setting, benchmark version "
    "or metric measures something else. Cite the source of each."
)
RANKED = _(
    "Ranked by %(benchmark)s under one comparable setting (%(setting)s), best first: "
    "%(ranked)s models have a result under it. The other %(unranked)s have none under this "
    "setting and follow unranked, which says nothing of how they would score."
)
NONE_RANKED = _(
    "None of these %(unranked)s models has a result on %(benchmark)s: they are listed unranked, "
    "in the usual order."
)
# The tool's argument names for the fields of the results' FilterSet.
FILTER_ARGUMENTS = {"comparable_key": "setting"}
BenchmarkSlug = Annotated[str, Field(max_length=200)]
SettingKey = Annotated[str, Field(max_length=600)]
RANKING_SETTING = (
    "with rank_by_benchmark: one comparable_key (get_evaluations lists a benchmark's settings); "
    "default: the setting most results of these models share"
)


def benchmark_page(benchmark: Benchmark) -> str:
    return page(reverse("evaluations:benchmark_detail", kwargs={"slug": benchmark.slug}))


def benchmark_brief(benchmark: Benchmark) -> BenchmarkBrief:
    return BenchmarkBrief(
        slug=benchmark.slug,
        name=benchmark.localized("name"),
        category=benchmark.category,
        metric=benchmark.metric,
        higher_is_better=benchmark.higher_is_better,
        scale_min=float(benchmark.scale_min),
        scale_max=float(benchmark.scale_max),
        private=benchmark.private,
        caveats=benchmark.localized("caveats"),
        page=benchmark_page(benchmark),
    )


def find_benchmark(value: str, *, argument: str) -> Benchmark:
    """The visible benchmark named by its slug or its name, as people write either ("MMLU Pro",
    "mmlu_pro"); else a tool error naming ``argument`` with the benchmarks whose slug or name
    holds the words (all of them, else any)."""
    visible = Benchmark.objects.filter(selectors.benchmark_condition(acting_user()))
    text = value.strip()
    exact = Q(slug__iexact=text) | Q(name__iexact=text) | Q(slug=slugify(text.replace("_", "-")))
    found = visible.filter(exact).first() if text else None
    if found is not None:
        return found
    words = slugify(text.replace("_", "-")).split("-") if text else []
    every, some = Q(), Q()
    for word in filter(None, words):
        matches = Q(slug__icontains=word) | Q(name__icontains=word)
        every &= matches
        some |= matches
    near = []
    for condition in (every, some) if words else ():
        near = list(visible.filter(condition).values_list("slug", flat=True)[:BENCHMARKS_NAMED])
        if near:
            break
    raise argument_error(
        argument,
        NO_BENCHMARK
        % {"value": value, "near": ", ".join(near) if near else str(BENCHMARKS_LISTED)},
    )


def setting_groups(
    groups: list[selectors.SettingGroup], benchmark: Benchmark
) -> list[SettingGroup]:
    """The comparable settings of one benchmark's results, as evaluations.selectors groups
    them (the stated ones first, the most common first)."""
    return [
        SettingGroup(
            comparable_key=group.key,
            setting=setting_text(group.example, benchmark),
            results=group.count,
        )
        for group in groups
    ]


def check_setting(
    setting: str | None, chosen: str, groups: list[SettingGroup], benchmark: Benchmark
) -> None:
    """A tool error naming ``setting`` when one was asked for that no result has."""
    if not setting or setting == chosen:
        return
    known = "; ".join(f"{g.comparable_key} ({g.setting})" for g in groups[:SETTINGS_NAMED])
    raise argument_error(
        "setting",
        NO_SUCH_SETTING
        % {
            "benchmark": benchmark.localized("name"),
            "setting": setting,
            "known": known or str(NO_RESULT_ON_IT),
        },
    )


def benchmark_score(result: Result, benchmark: Benchmark) -> BenchmarkScore:
    return BenchmarkScore(
        value=value_text(result.value),
        value_number=float(result.value),
        comparable_key=result.comparable_key,
        setting=setting_text(result, benchmark),
        reported_by=result.reported_by,
        reporter=result.reporter,
        date=result.date.isoformat(),
        source_url=result.source_url,
        source_title=result.source_title,
        source_locator=result.source_locator,
        result_id=result.pk,
    )


def ranking_note(benchmark: Benchmark, setting: str, ranked: int, unranked: int) -> str:
    if not ranked:
        return NONE_RANKED % {"unranked": unranked, "benchmark": benchmark.localized("name")}
    return RANKED % {
        "benchmark": benchmark.localized("name"),
        "setting": setting,
        "ranked": ranked,
        "unranked": unranked,
    }


def ranking_answer(
    benchmark: Benchmark,
    *,
    setting_key: str,
    setting: str,
    groups: list[SettingGroup],
    ranked: int,
    unranked: int,
    frontier: list[str] | None = None,
) -> BenchmarkRanking:
    return BenchmarkRanking(
        benchmark=benchmark_brief(benchmark),
        comparable_key=setting_key,
        setting=setting,
        settings=groups,
        ranked_count=ranked,
        unranked_count=unranked,
        frontier=frontier or [],
        note=ranking_note(benchmark, setting, ranked, unranked),
    )


@dataclass
class Ranking:
    """The models of a query ranked on one benchmark under one comparable setting: each
    ranked model's best result (the lowest where lower is better)."""

    benchmark: Benchmark
    groups: list[SettingGroup]
    setting_key: str = ""
    setting: str = ""
    best: dict[int, Result] = field(default_factory=dict)

    def order(self, variants):
        """``variants`` with the ranked models first, best first (one subquery: pages stay
        consistent), then the others in ``variants``' own order."""
        values = (
            selectors.result_list(user=acting_user())
            .filter(
                benchmark=self.benchmark,
                comparable_key=self.setting_key,
                variant=OuterRef("pk"),
            )
            .order_by("-value" if self.benchmark.higher_is_better else "value")
            .values("value")[:1]
        )
        score = F("benchmark_score")
        first = (
            score.desc(nulls_last=True)
            if self.benchmark.higher_is_better
            else score.asc(nulls_last=True)
        )
        return variants.annotate(benchmark_score=Subquery(values)).order_by(
            first, *variants.query.order_by
        )

    def score(self, variant) -> BenchmarkScore | None:
        result = self.best.get(variant.pk)
        return benchmark_score(result, self.benchmark) if result else None


def rank_by(variants, benchmark: Benchmark, setting_key: str | None) -> Ranking:
    """``variants`` ranked on ``benchmark`` under ``setting_key`` (default: the setting most of
    their visible results share, as evaluations.bestfit chooses it). One query."""
    results = list(
        selectors.result_list(user=acting_user())
        .filter(benchmark=benchmark, variant__in=variants)
        .order_by("pk")
    )
    groups = setting_groups(selectors.setting_groups(results), benchmark)
    ranking = Ranking(benchmark=benchmark, groups=groups)
    if groups:
        keys = {group.comparable_key for group in groups}
        ranking.setting_key = setting_key if setting_key in keys else groups[0].comparable_key
        ranking.setting = next(g.setting for g in groups if g.comparable_key == ranking.setting_key)
    check_setting(setting_key, ranking.setting_key, groups, benchmark)
    sign = 1 if benchmark.higher_is_better else -1
    for result in results:
        if result.comparable_key != ranking.setting_key:
            continue
        current = ranking.best.get(result.variant_id)
        if current is None or sign * result.value > sign * current.value:
            ranking.best[result.variant_id] = result
    return ranking


def _result_query(arguments: dict) -> QueryDict:
    # catalog_tools.filter_query's rule; not imported, since catalog_tools imports this module.
    query = QueryDict(mutable=True)
    for name, value in arguments.items():
        if value is None:
            continue
        if isinstance(value, list):
            query.setlist(name, [str(v) for v in value])
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        else:
            query[name] = str(value)
    return query


def _evaluation(result: Result) -> EvaluationResult:
    benchmark = result.benchmark
    return EvaluationResult(
        id=result.pk,
        model=variant_key(result.variant),
        model_name=result.variant.name,
        model_page=page(result.variant.get_absolute_url()),
        benchmark=benchmark.slug,
        benchmark_version=result.benchmark_version,
        value=value_text(result.value),
        value_number=float(result.value),
        metric=result.metric,
        setting=setting_text(result, benchmark),
        setting_fields=SettingFields(
            shots=result.shots,
            chain_of_thought=result.chain_of_thought,
            thinking=result.thinking,
            pass_k=result.pass_k,
            samples=result.samples,
            harness=result.harness,
            harness_version=result.harness_version,
            prompt_template=result.prompt_template,
            sampling=result.sampling,
            checkpoint=result.checkpoint,
        ),
        comparable_key=result.comparable_key,
        reported_by=result.reported_by,
        reporter=result.reporter,
        date=result.date.isoformat(),
        source=EvaluationSource(
            url=result.source_url,
            title=result.source_title,
            locator=result.source_locator,
            quote=result.source_quote,
        ),
        note=result.note,
    )


def get_evaluations(
    model: Annotated[
        str | None, Field(description="a model, family/version/variant: its results")
    ] = None,
    benchmark: Annotated[
        BenchmarkSlug | None,
        Field(
            description="a benchmark's slug or name (mmlu, mmlu-pro, gpqa-diamond…): its "
            "results, and its settings"
        ),
    ] = None,
    category: Annotated[
        Literal[tuple(Category.values)] | None,
        Field(description="benchmarks of this category only"),
    ] = None,
    family: Annotated[
        list[str] | None, Field(description="model family slugs, any of them")
    ] = None,
    reported_by: Annotated[
        list[Literal[tuple(ReportedBy.values)]] | None,
        Field(
            description="whose claim: the publisher's, an independent party's, or internal "
            "(the company's own runs: signed-in staff only)"
        ),
    ] = None,
    thinking: Annotated[bool | None, Field(description="thinking mode on or off")] = None,
    chain_of_thought: bool | None = None,
    shots: Annotated[int | None, Field(ge=0, le=10_000, description="0: zero-shot")] = None,
    setting: Annotated[
        SettingKey | None,
        Field(description="one comparable_key (the answer's settings list a benchmark's)"),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_EVALUATIONS)] = 20,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> EvaluationAnswer:
    """Benchmark results exactly as their sources report them: of a model, of a benchmark, of
    a category or a family (give at least one), each with its value as printed, its setting
    (in words and as fields), who reported it and its source (address, title, where in it).
    Only results with the same comparable_key may be compared; with a benchmark the answer
    lists its settings, the stated ones first by how common they are. Results are grouped
    by benchmark and setting, best value first (the REST API's GET /api/v1/evaluations/)."""
    if not (model or benchmark or category or family):
        raise argument_error("model", NOTHING_ASKED)
    user = acting_user()
    variant = find_variant(model, argument="model") if model else None
    chosen = find_benchmark(benchmark, argument="benchmark") if benchmark else None
    filters = {
        "category": category,
        "family": family,
        "reported_by": reported_by,
        "thinking": thinking,
        "chain_of_thought": chain_of_thought,
        "shots": shots,
        "comparable_key": setting,
    }
    filterset = ResultFilterSet(_result_query(filters), queryset=selectors.result_list(user=user))
    if not filterset.is_valid():
        raise form_errors(filterset.errors, FILTER_ARGUMENTS)
    queryset = filterset.qs
    if variant is not None:
        queryset = queryset.filter(variant=variant)
    if chosen is not None:
        queryset = queryset.filter(benchmark=chosen)
    queryset = queryset.order_by(
        "benchmark__category",
        "benchmark__name",
        "benchmark_id",
        "comparable_key",
        Case(When(benchmark__higher_is_better=True, then="value")).desc(nulls_last=True),
        Case(When(benchmark__higher_is_better=False, then="value")).asc(nulls_last=True),
        "-date",
        "pk",
    )
    count = queryset.count()
    results = list(queryset[offset : offset + limit])
    after = offset + len(results)
    benchmarks: dict[int, Benchmark] = {}
    if chosen is not None:
        benchmarks[chosen.pk] = chosen
    for result in results:
        benchmarks.setdefault(result.benchmark_id, result.benchmark)
    groups = []
    if chosen is not None:
        everything = list(selectors.result_list(user=user).filter(benchmark=chosen).order_by("pk"))
        groups = setting_groups(selectors.setting_groups(everything), chosen)
    return EvaluationAnswer(
        count=count,
        offset=offset,
        next_offset=after if after < count else None,
        benchmarks=[benchmark_brief(b) for b in benchmarks.values()],
        settings=groups,
        results=[_evaluation(r) for r in results],
        note=str(COMPARABLE_ONLY),
    )
