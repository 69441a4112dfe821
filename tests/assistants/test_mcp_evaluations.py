"""Benchmark results over MCP, through the SDK's own client on the curated catalog:
get_evaluations checked against the REST API, rank_by_benchmark in search_models and
recommend_hardware checked against the results and the best-fit API, and who sees internal
results and private benchmarks."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistants.evaluation_tools import (
    COMPARABLE_ONLY,
    NONE_RANKED,
    NOTHING_ASKED,
    RANKED,
    SETTING_WITHOUT_RANKING,
)
from catalog.keys import variant_key
from catalog.models import ModelVariant
from evaluations import selectors
from evaluations.models import Result
from tests.assistants.test_mcp import QWEN_7B, api, call, error, ok
from tests.factories import BenchmarkFactory, ResultFactory, make_editor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("curated_catalog")]

QWEN_72B_BASE = "qwen/qwen2-5/qwen2-5-72b"
MMLU_5_SHOT = "mmlu||accuracy|5|?|?|?|?|||"
ON_2_RTX_4090 = {
    "accelerator": "nvidia-rtx-4090",
    "count": 2,
    "precision": "awq-int4",
    "context_tokens": 32768,
}


def best_values(benchmark: str, key: str, variant_keys) -> dict[str, Decimal]:
    """Each model's best published value under one comparable setting, from the rows."""
    best: dict[str, Decimal] = {}
    for result in selectors.result_list().filter(benchmark__slug=benchmark, comparable_key=key):
        model = variant_key(result.variant)
        if model in variant_keys:
            best[model] = max(best.get(model, result.value), result.value)
    return best


def test_a_models_results_are_the_apis_with_setting_and_source():
    answer = ok("get_evaluations", {"model": QWEN_7B, "limit": 50})
    expected = api(reverse("evaluation-list"), variant=QWEN_7B, page_size=50)
    assert answer["count"] == expected["count"] > 5
    by_id = {row["id"]: row for row in expected["results"]}
    assert {row["id"] for row in answer["results"]} == set(by_id)
    for row in answer["results"]:
        mirror = by_id[row["id"]]
        assert row["model"] == QWEN_7B
        assert row["value_number"] == mirror["value"]
        assert row["setting"] == mirror["setting"]
        assert row["comparable_key"] == mirror["comparable_key"]
        assert row["source"]["url"] == mirror["source_url"]
        assert row["source"]["locator"] == mirror["source_locator"]
        assert row["setting_fields"]["shots"] == mirror["shots"]
        assert row["setting_fields"]["thinking"] == mirror["thinking"]
        assert (row["reported_by"], row["date"]) == (mirror["reported_by"], mirror["date"])
    assert {b["slug"] for b in answer["benchmarks"]} == {r["benchmark"] for r in answer["results"]}
    assert answer["note"] == str(COMPARABLE_ONLY)
    assert answer["settings"] == [], "settings come with a benchmark"


def test_a_value_is_printed_as_its_source_printed_it():
    answer = ok("get_evaluations", {"model": QWEN_72B_BASE, "benchmark": "mmlu"})
    [result] = [r for r in answer["results"] if r["comparable_key"] == MMLU_5_SHOT]
    assert (result["value"], result["value_number"]) == ("86.1", 86.1)
    assert result["setting"] == "5-shot"
    assert result["source"]["title"] == "Qwen2.5 Technical Report"
    assert result["source"]["locator"].startswith("Table 2")
    assert result["reporter"] == "Qwen Team (Alibaba)"
    assert result["model_page"] == f"/families/{QWEN_72B_BASE}/"


def test_a_benchmarks_settings_say_what_is_comparable_most_common_first():
    answer = ok("get_evaluations", {"benchmark": "MMLU", "limit": 50})
    [mmlu] = answer["benchmarks"]
    assert (mmlu["slug"], mmlu["higher_is_better"], mmlu["scale_max"]) == ("mmlu", True, 100)
    assert mmlu["page"] == "/benchmarks/mmlu/"
    settings = answer["settings"]
    assert settings[0]["comparable_key"] == MMLU_5_SHOT
    assert settings[0]["setting"] == "5-shot"
    # Stated settings first, the most common first; the results whose sources state no
    # setting last (they share a key, nothing shows they were obtained alike): the order
    # the pages use.
    groups = selectors.setting_groups(list(Result.objects.filter(benchmark__slug="mmlu")))
    assert [s["comparable_key"] for s in settings] == [g.key for g in groups]
    stated = [s["results"] for s, g in zip(settings, groups, strict=True) if g.stated]
    assert stated == sorted(stated, reverse=True)
    assert not any(g.stated for g in groups[len(stated) :])
    counts = [s["results"] for s in settings]
    assert sum(counts) == answer["count"] == Result.objects.filter(benchmark__slug="mmlu").count()
    keys = [r["comparable_key"] for r in answer["results"]]
    assert set(keys) <= {s["comparable_key"] for s in settings}
    for key in set(keys):
        values = [r["value_number"] for r in answer["results"] if r["comparable_key"] == key]
        assert values == sorted(values, reverse=True), "best first within one setting"


def test_one_setting_of_a_benchmark_pages_with_offset():
    first = ok("get_evaluations", {"benchmark": "mmlu", "setting": MMLU_5_SHOT, "limit": 10})
    rest = ok(
        "get_evaluations",
        {"benchmark": "mmlu", "setting": MMLU_5_SHOT, "offset": first["next_offset"]},
    )
    rows = first["results"] + rest["results"]
    assert first["count"] == len(rows) == first["settings"][0]["results"]
    assert rest["next_offset"] is None
    assert {r["comparable_key"] for r in rows} == {MMLU_5_SHOT}
    values = [r["value_number"] for r in rows]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"benchmark": "aime-2025", "thinking": True}, lambda r: r["setting_fields"]["thinking"]),
        ({"category": "math", "shots": 4}, lambda r: r["setting_fields"]["shots"] == 4),
        ({"family": ["yi"], "reported_by": ["independent"]}, lambda r: r["model"][:3] == "yi/"),
        (
            {"family": ["llama"], "chain_of_thought": True},
            lambda r: r["setting_fields"]["chain_of_thought"],
        ),
    ],
)
def test_the_filters_are_the_apis(filters, check):
    answer = ok("get_evaluations", {**filters, "limit": 50})
    query = {k: (",".join(v) if isinstance(v, list) else v) for k, v in filters.items()}
    query = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in query.items()}
    expected = api(reverse("evaluation-list"), **query, page_size=50)
    assert 0 < answer["count"] == expected["count"] <= 50
    assert {r["id"] for r in answer["results"]} == {r["id"] for r in expected["results"]}
    assert all(check(r) for r in answer["results"])


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({}, "model"),
        ({"model": "nope/x/y"}, "model"),
        ({"benchmark": "no-such-bench"}, "benchmark"),
        ({"category": "cooking"}, "category"),
        ({"model": QWEN_7B, "shots": -1}, "shots"),
        ({"model": QWEN_7B, "limit": 500}, "limit"),
        ({"model": QWEN_7B, "reported_by": ["me"]}, "reported_by"),
        ({"model": QWEN_7B, "setting": "x" * 601}, "setting"),
        ({"model": QWEN_7B, "family": ["qwen\x00"]}, "family: Null characters"),
    ],
)
def test_get_evaluations_names_a_bad_argument(arguments, named):
    assert f"get_evaluations: {named}" in error("get_evaluations", arguments)


def test_get_evaluations_asks_for_something_to_answer():
    assert error("get_evaluations", {}).endswith(f"model: {NOTHING_ASKED}")


def test_a_setting_needs_a_benchmark_to_rank_by():
    text = f"setting: {SETTING_WITHOUT_RANKING}"
    assert error("search_models", {"setting": MMLU_5_SHOT}).endswith(text)
    assert error("recommend_hardware", {**ON_2_RTX_4090, "setting": MMLU_5_SHOT}).endswith(text)


@pytest.mark.parametrize("named", ["mmlu-pro", "MMLU-Pro", "MMLU Pro", "mmlu_pro"])
def test_a_benchmark_is_named_as_people_write_it(named):
    answer = ok("get_evaluations", {"benchmark": named, "limit": 1})
    assert [b["slug"] for b in answer["benchmarks"]] == ["mmlu-pro"]


@pytest.mark.parametrize(
    ("named", "near"),
    [("mmlu pro max", "mmlu-pro"), ("redux", "mmlu-redux"), ("zzz", "get_evaluations")],
)
def test_an_unknown_benchmark_is_answered_with_the_near_ones(named, near):
    text = error("get_evaluations", {"benchmark": named})
    assert text.startswith("Error executing tool get_evaluations: benchmark: no benchmark")
    assert near in text.split("(")[-1]


def test_internal_results_and_private_benchmarks_reach_staff_only():
    qwen = ModelVariant.objects.get(slug="qwen2-5-7b-instruct")
    private = BenchmarkFactory(slug="our-tickets", name="Our support tickets", private=True)
    internal = ResultFactory(variant=qwen, benchmark=private, reported_by="internal", value=71)
    mmlu = BenchmarkFactory(slug="mmlu")
    own_run = ResultFactory(
        variant=qwen,
        benchmark=mmlu,
        reported_by="internal",
        value=99,
        harness="own",
        harness_version="2026.1",
    )
    editor = make_editor()

    public = ok("get_evaluations", {"model": QWEN_7B, "limit": 50})
    assert not {internal.pk, own_run.pk} & {r["id"] for r in public["results"]}
    assert "benchmark: " in error("get_evaluations", {"benchmark": "our-tickets"})
    assert "rank_by_benchmark: " in error("search_models", {"rank_by_benchmark": "our-tickets"})

    staff = ok("get_evaluations", {"model": QWEN_7B, "limit": 50}, editor)
    assert {internal.pk, own_run.pk} <= {r["id"] for r in staff["results"]}
    assert staff["count"] == public["count"] + 2
    tickets = ok("get_evaluations", {"benchmark": "our-tickets"}, editor)
    assert tickets["benchmarks"][0]["private"] is True
    assert [r["reported_by"] for r in tickets["results"]] == ["internal"]
    client = HttpClient()
    client.force_login(editor)
    mirrored = client.get(reverse("evaluation-list"), {"variant": QWEN_7B, "page_size": 50})
    assert mirrored.json()["count"] == staff["count"]

    ranked = ok(
        "search_models",
        {"rank_by_benchmark": "mmlu", "setting": own_run.comparable_key, "q": "qwen2.5 7b"},
        editor,
    )
    top = ranked["results"][0]
    assert (top["key"], top["score"]["value"], top["score"]["reported_by"]) == (
        QWEN_7B,
        "99",
        "internal",
    )
    anonymous = call(
        "search_models",
        {"rank_by_benchmark": "mmlu", "setting": own_run.comparable_key, "q": "qwen2.5 7b"},
    )
    assert anonymous.is_error, "the internal run's setting is not one anybody else sees"


def test_search_ranked_by_a_benchmark_puts_the_best_first_and_the_rest_after():
    arguments = {"family": ["qwen"], "rank_by_benchmark": "mmlu", "limit": 50}
    answer = ok("search_models", arguments)
    ranking = answer["ranking"]
    rows = answer["results"]
    while len(rows) < answer["count"]:
        rows += ok("search_models", {**arguments, "offset": len(rows)})["results"]
    assert answer["count"] == len(rows) == ranking["ranked_count"] + ranking["unranked_count"]
    key = ranking["comparable_key"]
    assert key == ranking["settings"][0]["comparable_key"], "the most common setting by default"
    ranked = rows[: ranking["ranked_count"]]
    assert ranked
    assert all(row["score"]["comparable_key"] == key for row in ranked)
    assert all(row["score"] is None for row in rows[ranking["ranked_count"] :])
    scores = [row["score"]["value_number"] for row in ranked]
    assert scores == sorted(scores, reverse=True)
    expected = best_values("mmlu", key, {row["key"] for row in rows})
    assert {row["key"]: Decimal(str(row["score"]["value_number"])) for row in ranked} == expected
    assert ranking["setting"] == ranked[0]["score"]["setting"]
    assert ranking["note"] == RANKED % {
        "benchmark": "MMLU",
        "setting": ranking["setting"],
        "ranked": ranking["ranked_count"],
        "unranked": ranking["unranked_count"],
    }


def test_ranked_pages_follow_one_order():
    arguments = {"rank_by_benchmark": "gpqa-diamond", "ordering": "-total_parameters"}
    whole = ok("search_models", {**arguments, "limit": 50})
    first = ok("search_models", {**arguments, "limit": 7})
    second = ok("search_models", {**arguments, "limit": 7, "offset": 7})
    keys = [row["key"] for row in whole["results"]]
    assert [row["key"] for row in first["results"] + second["results"]] == keys[:14]
    tail = whole["results"][whole["ranking"]["ranked_count"] :]
    sizes = [row["total_parameters"] for row in tail]
    assert sizes == sorted(sizes, reverse=True), "ordering sorts the unranked models"


def test_search_ranked_under_another_setting():
    settings = ok("get_evaluations", {"benchmark": "mmlu", "family": ["qwen"]})["settings"]
    other = settings[1]["comparable_key"]
    answer = ok("search_models", {"rank_by_benchmark": "mmlu", "setting": other, "limit": 50})
    assert answer["ranking"]["comparable_key"] == other
    ranked = [row for row in answer["results"] if row["score"]]
    assert len(ranked) == answer["ranking"]["ranked_count"] > 0
    assert {row["score"]["comparable_key"] for row in ranked} == {other}


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"rank_by_benchmark": "no-such-bench"}, "rank_by_benchmark"),
        ({"setting": MMLU_5_SHOT}, "setting"),
        ({"rank_by_benchmark": "mmlu", "setting": "mmlu||accuracy|7|?|?|?|?|||"}, "setting"),
    ],
)
def test_ranking_names_a_bad_argument(arguments, named):
    assert f"search_models: {named}: " in error("search_models", arguments)
    hardware = {**ON_2_RTX_4090, **arguments}
    assert f"recommend_hardware: {named}: " in error("recommend_hardware", hardware)


def test_an_unknown_setting_is_answered_with_the_known_ones():
    text = error("search_models", {"rank_by_benchmark": "mmlu", "setting": "mmlu|nope"})
    assert MMLU_5_SHOT in text
    assert "5-shot" in text


def test_a_benchmark_none_of_the_models_reports_leaves_them_unranked():
    BenchmarkFactory(slug="fresh-bench", name="Fresh bench")
    answer = ok("search_models", {"family": ["qwen"], "rank_by_benchmark": "fresh-bench"})
    ranking = answer["ranking"]
    assert (ranking["ranked_count"], ranking["comparable_key"], ranking["settings"]) == (0, "", [])
    assert ranking["unranked_count"] == answer["count"]
    assert all(row["score"] is None for row in answer["results"])
    assert ranking["note"] == NONE_RANKED % {
        "unranked": answer["count"],
        "benchmark": "Fresh bench",
    }


def test_hardware_ranked_by_a_benchmark_marks_the_frontier_as_the_best_fit_api():
    asked = {**ON_2_RTX_4090, "total_parameters__gte": "20B", "limit": 50}
    plain = ok("recommend_hardware", asked)
    answer = ok("recommend_hardware", {**asked, "rank_by_benchmark": "mmlu"})
    ranking = answer["ranking"]
    rows = answer["fitting"]
    assert answer["fitting_count"] == plain["fitting_count"] == len(rows)
    assert {r["model"]["key"] for r in rows} == {r["model"]["key"] for r in plain["fitting"]}
    ranked, unranked = rows[: ranking["ranked_count"]], rows[ranking["ranked_count"] :]
    assert ranked
    assert unranked
    assert len(unranked) == ranking["unranked_count"]
    scores = [r["score"]["value_number"] for r in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(r["score"] is None and r["on_frontier"] is None for r in unranked)
    sizes = [r["model"]["total_parameters"] for r in unranked]
    assert sizes == sorted(sizes, reverse=True), "the unranked ones in the sort's order"
    frontier = {r["model"]["key"] for r in ranked if r["on_frontier"]}
    assert frontier == set(ranking["frontier"])
    assert ranked[0]["on_frontier"], "the best score is on the frontier"

    best_fit = api(
        reverse("api-best-fit"), **ON_2_RTX_4090, total_parameters__gte="20B", benchmark="mmlu"
    )
    assert best_fit["comparable_key"] == ranking["comparable_key"]
    assert {p["variant"] for p in best_fit["points"]} == {r["model"]["key"] for r in ranked}
    assert {p["variant"] for p in best_fit["points"] if p["on_frontier"]} == frontier
    for row in ranked:
        # Not dominated: every fitting model that scores better needs more memory.
        better = [r for r in ranked if r["score"]["value_number"] > row["score"]["value_number"]]
        less = [r for r in better if r["total_memory_bytes"] <= row["total_memory_bytes"]]
        assert row["on_frontier"] == (not less)


def test_the_ranked_answers_take_the_same_queries_for_1_and_5_rows():
    def queries(name, arguments):
        with CaptureQueriesContext(connection) as captured:
            ok(name, arguments)
        return [query["sql"] for query in captured.captured_queries]

    for name, arguments in [
        ("search_models", {"rank_by_benchmark": "mmlu"}),
        ("get_evaluations", {"benchmark": "mmlu"}),
        ("get_evaluations", {"model": QWEN_7B}),
        ("recommend_hardware", {**ON_2_RTX_4090, "rank_by_benchmark": "mmlu"}),
    ]:
        one, five = (
            queries(name, {**arguments, "limit": 1}),
            queries(name, {**arguments, "limit": 5}),
        )
        assert len(one) == len(five), "\n\n".join(five)
