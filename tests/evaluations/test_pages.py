"""The evaluation pages over the curated catalog: a variant's scores with their settings, a
leaderboard that ranks only comparable results, the compare rows and the best model that fits,
with query counts that do not grow with rows."""

import re

import pytest
from django.urls import reverse

from evaluations.models import Result
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

LLAMA_2_7B = "/families/llama/llama-2/llama-2-7b/"


def _html(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_a_variant_page_lists_its_scores_by_category_with_setting_and_source(
    client, loaded_catalog
):
    html = _html(client, "/families/deepseek/deepseek-v3-1/deepseek-v3-1/")
    assert 'id="variant-scores"' in html
    assert 'data-category="knowledge"' in html
    # DeepSeek-V3.1's GPQA-Diamond: 80.1 thinking, 74.9 not; both shown, each with its mode.
    gpqa = re.findall(r'<tr data-benchmark="gpqa-diamond".*?</tr>', html, re.S)
    assert any("80.1" in row and "thinking" in row for row in gpqa)
    assert any("74.9" in row and "non-thinking" in row for row in gpqa)
    assert "github.com/deepseek-ai" in html or "huggingface.co/deepseek-ai" in html


def test_sources_that_disagree_under_one_setting_are_marked(client, loaded_catalog):
    variant = factories.VariantFactory()
    benchmark = factories.BenchmarkFactory(slug="mmlu-test", name="MMLU test")
    factories.ResultFactory(variant=variant, benchmark=benchmark, value=45.3)
    factories.ResultFactory(variant=variant, benchmark=benchmark, value=46.8)
    factories.ResultFactory(variant=variant, benchmark=benchmark, value=47.0, shots=0)
    html = _html(client, variant.get_absolute_url())
    rows = re.findall(r'<tr data-benchmark="mmlu-test".*?</tr>', html, re.S)
    assert len(rows) == 3
    assert sum('data-disagree="true"' in row for row in rows) == 2
    assert "sources disagree" in html


def test_the_leaderboard_ranks_only_comparable_results_unless_asked(client, loaded_catalog):
    url = reverse("evaluations:benchmark_detail", args=["gpqa-diamond"])
    html = _html(client, url)
    ranked = re.findall(r'data-comparable="true"', html)
    assert ranked
    assert 'data-comparable="false"' not in html
    keys = set(
        Result.objects.filter(benchmark__slug="gpqa-diamond").values_list(
            "comparable_key", flat=True
        )
    )
    assert len(keys) > 1, "the curated results hold several settings"
    everything = _html(client, url, {"all_settings": "on"})
    assert 'data-comparable="false"' in everything
    # An incomparable result is never given a rank.
    for row in re.findall(
        r'<tr data-variant="\d+" class="muted" data-comparable="false">.*?</tr>', everything, re.S
    ):
        assert "<span title=" in row


def test_every_setting_can_be_chosen_and_ranks_its_own_results(client, loaded_catalog):
    benchmark = "mmlu"
    keys = list(
        Result.objects.filter(benchmark__slug=benchmark)
        .values_list("comparable_key", flat=True)
        .distinct()
    )
    url = reverse("evaluations:benchmark_detail", args=[benchmark])
    for key in keys[:5]:
        html = _html(client, url, {"setting": key})
        expected = Result.objects.filter(benchmark__slug=benchmark, comparable_key=key).count()
        assert html.count('data-comparable="true"') == expected


def test_leaderboard_filters_commercial_open_weights_and_hardware(client, loaded_catalog):
    # HumanEval has fewer results than a page holds (50), so the counts are the whole list.
    url = reverse("evaluations:benchmark_detail", args=["humaneval"])
    every = _html(client, url, {"all_settings": "on"}).count("<tr data-variant=")
    assert every < 50
    commercial = _html(client, url, {"all_settings": "on", "commercial": "on"}).count(
        "<tr data-variant="
    )
    fits = _html(
        client,
        url,
        {
            "all_settings": "on",
            "accelerator": "nvidia-rtx-4090",
            "count": "1",
            "precision": "awq-int4",
            "context_tokens": "8192",
        },
    )
    assert 0 < commercial < every
    assert 0 < fits.count("<tr data-variant=") < every
    assert "Only models that fit" in fits
    assert "405B" not in fits


def test_bad_leaderboard_options_are_a_400_and_an_unknown_benchmark_a_404(client, loaded_catalog):
    url = reverse("evaluations:benchmark_detail", args=["mmlu"])
    _html(client, url, {"accelerator": "no-such-gpu"}, status=400)
    _html(client, url, {"context_tokens": "lots"}, status=400)
    _html(client, reverse("evaluations:benchmark_detail", args=["no-such"]), status=404)


def test_the_best_model_that_fits_draws_the_frontier(client, loaded_catalog):
    html = _html(
        client,
        reverse("evaluations:best_fit"),
        {
            "accelerator": "nvidia-rtx-4090",
            "count": "2",
            "precision": "awq-int4",
            "context_tokens": "32768",
            "benchmark": "mmlu-redux",
        },
    )
    assert 'id="best-fit-chart"' in html
    assert "<svg" in html
    frontier = re.findall(r'data-frontier="true"', html)
    assert frontier
    # Frontier rows come first, each with a value and memory.
    table = html[html.index('id="best-fit-table"') :]
    first = table[table.index("<tbody>") :]
    assert first.index('data-frontier="true"') < first.index("</tr>")


def test_the_best_model_that_fits_by_category_and_licence(client, loaded_catalog):
    params = {
        "profile": "8x-nvidia-h100-sxm",
        "precision": "fp8",
        "context_tokens": "32768",
        "category": "math",
        "commercial_use": "allowed",
    }
    html = _html(client, reverse("evaluations:best_fit"), params)
    assert "The best model that fits" in html
    assert "best-fit-table" in html or "No model with a comparable result fits" in html


def test_the_best_model_that_fits_needs_hardware_and_a_benchmark(client, loaded_catalog):
    html = _html(client, reverse("evaluations:best_fit"), {"precision": "fp8"}, status=400)
    assert "Choose a benchmark or a category." in html
    assert "Choose an accelerator or a hardware profile." in html


def test_can_i_run_it_shows_the_best_model_that_fits(client, loaded_catalog):
    html = _html(
        client,
        reverse("hardware:fit"),
        {"accelerator": "nvidia-rtx-4090", "count": "2", "precision": "awq-int4"},
    )
    assert 'id="best-fit"' in html
    assert 'id="best-fit-more"' in html
    assert 'id="best-fit-chart" data-frontier=' in html


def test_compare_aligns_benchmark_rows_only_where_comparable(client, loaded_catalog):
    html = _html(
        client,
        reverse("catalog:compare"),
        {
            "variant": [
                "qwen/qwen2-5/qwen2-5-7b-instruct",
                "qwen/qwen2-5/qwen2-5-72b-instruct",
            ]
        },
    )
    assert "Benchmarks (comparable results only)" in html
    section = html[html.index("Benchmarks (comparable results only)") :]
    rows = re.findall(r"<tr(?: class=\"is-different\")?>\s*<th scope=\"row\">(.*?)</th>", section)
    assert rows
    assert all(" · " in label for label in rows)


def test_the_version_page_shows_the_seed_claims_with_verdicts(client, loaded_catalog):
    html = _html(client, "/families/glm/chatglm2-6b/")
    assert 'id="seed-claims"' in html
    assert 'data-verdict="partly"' in html
    assert "MMLU +23%" in html or "MMLU" in html


def test_benchmark_pages_are_in_chinese_too(client, loaded_catalog):
    html = _html(client, "/zh-hans/benchmarks/")
    assert "基准" in html
    html = _html(client, "/zh-hans/benchmarks/mmlu/")
    assert "排行" in html


def test_page_queries_do_not_grow_with_rows(client):
    variant = factories.VariantFactory()
    benchmark = factories.BenchmarkFactory(slug="q-bench", name="Q bench")
    factories.ResultFactory(variant=variant, benchmark=benchmark)
    pages = {
        "benchmark list": (reverse("evaluations:benchmark_list"), {}),
        "leaderboard": (reverse("evaluations:benchmark_detail", args=["q-bench"]), {}),
        "leaderboard, every setting": (
            reverse("evaluations:benchmark_detail", args=["q-bench"]),
            {"all_settings": "on"},
        ),
        "variant page": (variant.get_absolute_url(), {}),
    }
    for url, params in pages.values():
        client.get(url, params)  # content types and translations are cached from here on
    one = {name: count_queries(lambda u=u, p=p: client.get(u, p)) for name, (u, p) in pages.items()}
    for _ in range(4):
        factories.ResultFactory(
            variant=factories.VariantFactory(version__family=variant.version.family),
            benchmark=benchmark,
        )
        factories.ResultFactory(variant=variant, benchmark=factories.BenchmarkFactory())
    for name, (url, params) in pages.items():
        many = count_queries(lambda u=url, p=params: client.get(u, p))
        assert_same_query_count(one[name], many, name)
