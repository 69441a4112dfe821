"""The journeys people make through the registry, in a real headless Chromium."""

import json
import re

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.django_db

CONFIG = ROOT / "tests/fixtures/configs/meta-llama__Llama-3.1-8B.json"


def _result_rows(page, table: str):
    return page.locator(f"#{table} tbody tr")


def test_search_then_filter_the_model_list_without_a_reload(page, screenshot):
    page.goto("/")
    page.fill("#home-search", "qwen")
    page.press("#home-search", "Enter")
    page.wait_for_url(re.compile(r"/models/\?q=qwen"))
    rows = _result_rows(page, "variant-results")
    assert rows.count() > 5
    assert all("Qwen" in text for text in rows.locator("td:first-child, th").all_inner_texts()[:5])
    searched = rows.count()

    # A filter change swaps the results in place (htmx) and keeps the address shareable.
    page.evaluate("window.stillTheSamePage = true")
    with page.expect_response(re.compile(r"/models/\?.*moe=true")):
        page.select_option("#filter-moe", "true")
    page.wait_for_url(re.compile(r"moe=true"))
    assert page.evaluate("window.stillTheSamePage") is True
    assert 0 < rows.count() < searched
    screenshot(page, "desktop-model-list")

    # The shared address reproduces the view for someone else.
    shared = page.url
    page.goto(shared)
    assert page.input_value("#filter-q") == "qwen"
    assert 0 < _result_rows(page, "variant-results").count() < searched


def test_the_model_list_filters_and_sorts_without_javascript(no_js_page):
    page = no_js_page
    page.goto("/models/")
    everything = _result_rows(page, "variant-results").count()
    page.fill("#filter-q", "deepseek")
    page.click("#variant-filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=deepseek"))
    assert 0 < _result_rows(page, "variant-results").count() < everything
    page.click("#variant-results th a.sort >> nth=0")
    page.wait_for_url(re.compile(r"ordering="))
    assert page.locator("#variant-results th[aria-sort]").count() == 1


def test_bad_filter_values_are_explained_on_the_page(page):
    response = page.goto("/models/?total_parameters__gte=lots")
    assert response.status < 500
    assert page.locator("[role=alert]").first.is_visible()
    assert "total_parameters__gte" in page.locator("[role=alert]").first.inner_text()


def test_open_a_variant_from_the_list(page, screenshot):
    page.goto("/models/?q=qwen2.5-7b")
    page.locator("#variant-results tbody tr a").first.click()
    page.wait_for_selector("#variant-detail")
    assert page.locator("h1").inner_text().startswith("Qwen2.5")
    chart = page.locator("#variant-memory-chart svg[role=img]")
    assert chart.count() == 1
    assert chart.locator("title").first.text_content()
    assert _result_rows(page, "variant-fits").count() > 0
    assert page.locator("#variant-license").is_visible()
    screenshot(page, "desktop-variant")


def test_compare_three_variants(page, screenshot):
    page.goto("/compare/")
    options = page.locator("#compare-variant-1 option[value]:not([value=''])")
    keys = [
        key
        for key in options.evaluate_all("nodes => nodes.map(n => n.value)")
        if key.startswith(("qwen/qwen2-5/", "meta-llama/", "deepseek/", "llama/"))
    ]
    chosen = [keys[0], keys[len(keys) // 2], keys[-1]]
    for number, key in enumerate(chosen, start=1):
        page.select_option(f"#compare-variant-{number}", key)
    page.select_option("#compare-precision", "bf16")
    page.fill("#compare-context", "32768")
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector("#compare-table")
    assert page.locator("#compare-table thead th[scope=col]").count() == 3
    assert page.locator("#compare-table tr.is-different").count() > 0
    assert page.url.count("variant=") - page.url.count("variant=&") == 3
    screenshot(page, "desktop-compare")


def test_can_i_run_it_with_a_pasted_config(page, screenshot):
    config = json.loads(CONFIG.read_text())
    page.goto("/can-i-run-it/config/")
    page.fill("#config-form textarea[name=config]", json.dumps(config, indent=2))
    page.click("#config-form button[type=submit]")
    page.wait_for_selector("#config-results")
    text = page.locator("#config-results").inner_text()
    assert "8.03B" in page.content() or "8,030,261,248" in page.content()
    assert "GiB" in text
    screenshot(page, "desktop-fit-config")


def test_a_pasted_config_that_is_not_json_is_explained(page):
    page.goto("/can-i-run-it/config/")
    page.fill("#config-form textarea[name=config]", '{"hidden_size": ')
    page.click("#config-form button[type=submit]")
    page.wait_for_selector("#config-form")
    assert "JSON" in page.locator("main").inner_text()
    assert page.input_value("#config-form textarea[name=config]") == '{"hidden_size": '


def test_can_i_run_it_on_chosen_hardware(page, screenshot):
    page.goto("/can-i-run-it/")
    page.select_option("#fit-form #id_accelerator", "nvidia-rtx-4090")
    page.fill("#fit-form #id_count", "2")
    page.select_option("#fit-form #id_precision", "awq-int4")
    page.fill("#fit-form #id_context_tokens", "32768")
    page.click("#fit-form button[type=submit]")
    page.wait_for_selector("#fit-results")
    fitting = page.locator("#fit-results tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.variant)"
    )
    assert "qwen/qwen2-5/qwen2-5-32b-instruct" in fitting or "qwen/qwen2-5/qwen2-5-32b" in fitting
    assert not any(key.endswith("-72b") for key in fitting if key)
    screenshot(page, "desktop-fit")


def test_the_licence_checker_answers_with_the_clause(page, screenshot):
    page.goto("/licenses/check/")
    page.select_option("#id_license", "llama-2-community")
    page.fill("input[name=monthly_users]", "800000000")
    page.click("#license-check-form button[type=submit]")
    page.wait_for_selector("#license-check-results")
    answer = page.locator("#answer-commercial_product")
    assert answer.get_attribute("data-verdict") == "no"
    assert "700" in answer.inner_text()
    assert page.locator("#license-check-disclaimer").is_visible()
    screenshot(page, "desktop-license-check")


def test_may_we_use_it_in_the_eu_names_the_excluded_territories(page):
    page.goto("/licenses/check/")
    page.select_option("#id_license", "tencent-hunyuan-community")
    page.select_option("#id_territory", "DE")
    page.click("#license-check-form button[type=submit]")
    page.wait_for_selector("#license-check-results")
    answer = page.locator("#answer-territory")
    assert answer.get_attribute("data-verdict") == "no"
    assert "Germany" in answer.inner_text()
    assert "EUROPEAN UNION" in answer.inner_text()  # the quoted clause


def test_whats_new_lists_the_catalog_changes_and_links_them(page, screenshot):
    page.goto("/")
    page.click("nav .site-nav >> text=What's new")
    page.wait_for_selector("#whats-new")
    added = page.locator("li.change-added[data-kind=variant] a")
    assert added.count() > 10
    screenshot(page, "desktop-whats-new")
    added.first.click()
    page.wait_for_selector("h1")
    assert "/families/" in page.url


def test_switching_the_language_keeps_the_page_and_its_filters(page, screenshot):
    page.goto("/models/")
    with page.expect_response(re.compile(r"/models/\?.*moe=true")):
        page.select_option("#filter-moe", "true")
    page.wait_for_url(re.compile(r"moe=true"))
    page.click("#language-zh-hans")
    page.wait_for_url(re.compile(r"/zh-hans/models/\?.*moe=true"))
    assert page.locator("#filter-moe").input_value() == "true"
    page.goto("/licenses/")
    page.click("#language-zh-hans")
    page.wait_for_url(re.compile(r"/zh-hans/licenses/"))
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "许可证" in page.locator("header nav").inner_text()
    screenshot(page, "desktop-licenses-zh-hans")
    page.click("#language-en")
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/licenses/"))
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_keyboard_reaches_the_content_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_a_leaderboard_ranks_only_comparable_results_until_asked(page, screenshot):
    page.goto("/")
    page.click("nav .site-nav >> text=Benchmarks")
    page.wait_for_selector("tr[data-benchmark=gpqa-diamond]")
    page.click("tr[data-benchmark=gpqa-diamond] a")
    page.wait_for_selector("#leaderboard-table")
    rows = page.locator("#leaderboard-table tbody tr")
    assert rows.count() > 0
    assert page.locator("#leaderboard-table tr[data-comparable=false]").count() == 0
    settings = page.locator("#id_setting option").count()
    assert settings > 1, "GPQA-Diamond is reported under several settings"
    screenshot(page, "desktop-leaderboard")
    page.check("#id_all_settings")
    page.click("#leaderboard-form button[type=submit]")
    page.wait_for_selector("#leaderboard-table tr[data-comparable=false]")
    unranked = page.locator("#leaderboard-table tr[data-comparable=false] td").first.inner_text()
    assert unranked.strip() == "—"


def test_the_best_model_that_fits_draws_its_frontier(page, screenshot):
    page.goto("/best-fit/")
    page.select_option("#best-fit-form #id_accelerator", "nvidia-rtx-4090")
    page.fill("#best-fit-form #id_count", "2")
    page.select_option("#best-fit-form #id_precision", "awq-int4")
    page.fill("#best-fit-form #id_context_tokens", "32768")
    page.select_option("#best-fit-form #id_benchmark", "mmlu-redux")
    page.click("#best-fit-form button[type=submit]")
    page.wait_for_selector("#best-fit-chart svg")
    frontier = page.locator("#best-fit-table tr[data-frontier=true]")
    assert frontier.count() >= 1
    assert page.locator("#best-fit-table tbody tr").first.get_attribute("data-frontier") == "true"
    screenshot(page, "desktop-best-fit")
