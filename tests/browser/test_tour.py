"""Every page, at desktop and phone width, in English and Chinese: it renders from this origin
only, fits a phone without sideways scrolling, and leaves a current screenshot."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "home": "/",
    "model-list": "/models/?commercial_use=allowed&ordering=-total_parameters",
    "version-list": "/versions/",
    "family-list": "/families/",
    "family": "/families/qwen/",
    "version": "/families/deepseek/deepseek-v3/",
    "variant": "/families/qwen/qwen2-5/qwen2-5-7b/",
    "compare": (
        "/compare/?variant=qwen/qwen2-5/qwen2-5-7b&variant=llama/llama-3/meta-llama-3-8b"
        "&variant=deepseek/deepseek-v3/deepseek-v3&precision=bf16&context_tokens=32768"
    ),
    "fit": "/can-i-run-it/?profile=2x-nvidia-rtx-4090&precision=awq-int4&context_tokens=32768",
    "fit-config": "/can-i-run-it/config/",
    "licenses": "/licenses/",
    "license": "/licenses/llama-2-community/",
    "license-check": "/licenses/check/?license=llama-2-community&monthly_users=800000000",
    "features": "/features/",
    "feature": "/features/gqa/",
    "hardware": "/hardware/",
    "sizing": "/hardware/sizing/",
    "profile": "/hardware/profiles/2x-nvidia-rtx-4090/",
    "trends": "/trends/",
    "assistants": "/assistants/",
}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHINESE = ["home", "model-list", "variant", "licenses", "license-check", "trends"]


def _fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("name", PAGES)
def test_page_at_desktop_width(page, screenshot, name):
    response = page.goto(PAGES[name])
    assert response.status == 200
    assert page.locator("h1").count() == 1
    screenshot(page, f"desktop-{name}")


@pytest.mark.parametrize("name", PAGES)
def test_page_meets_wcag_2_1_aa(page, name):
    """axe-core's automated WCAG 2.1 A/AA rules: labels, names, contrast, structure."""
    from axe_playwright_python.sync_playwright import Axe

    page.goto(PAGES[name])
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    violations = {
        violation["id"]: [node["target"] for node in violation["nodes"]][:5]
        for violation in results.response["violations"]
    }
    assert violations == {}


@pytest.mark.parametrize("name", PAGES)
def test_page_at_phone_width(phone_page, screenshot, name):
    response = phone_page.goto(PAGES[name])
    assert response.status == 200
    assert _fits_the_viewport(phone_page), f"{name} scrolls sideways on a phone"
    screenshot(phone_page, f"phone-{name}")


@pytest.mark.parametrize("name", CHINESE)
def test_page_in_chinese(page, phone_page, screenshot, name):
    for viewport, current in (("desktop", page), ("phone", phone_page)):
        response = current.goto("/zh-hans" + PAGES[name])
        assert response.status == 200
        assert current.locator("html").get_attribute("lang") == "zh-hans"
        screenshot(current, f"{viewport}-{name}-zh-hans")


def test_pages_print_without_navigation(page):
    page.goto(PAGES["variant"])
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert page.locator("#variant-memory-chart svg").is_visible()
