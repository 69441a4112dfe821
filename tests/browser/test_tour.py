"""Every page, at desktop and phone width, in English and Chinese: it renders from this origin
only, fits a phone without sideways scrolling, and leaves a current screenshot. On a phone,
charts stay readable, answers stay on screen, and tables that still scroll say so and keep
their first column in view."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from tests.browser.conftest import DESKTOP, PHONE, _new_page

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
    "benchmarks": "/benchmarks/",
    "leaderboard": "/benchmarks/gpqa-diamond/?all_settings=on",
    "best-fit": (
        "/best-fit/?profile=2x-nvidia-rtx-4090&precision=awq-int4&context_tokens=32768"
        "&benchmark=mmlu-redux"
    ),
}
# The company's own pages (adoption/): internal, so the tour signs in as a viewer for them.
VIEWER = ("browser-viewer", "a long viewer passphrase")
ADOPTION_VARIANT = ("qwen", "qwen2-5", "qwen2-5-7b")
ADOPTION_PAGES = {
    "our": "/our/",
    "our-approved": "/our/approved/",
    "our-may-we-use": "/our/may-we-use/?variant=qwen/qwen2-5/qwen2-5-7b&use_case=customer-chat",
    "our-following": "/our/following/?family=qwen",
    "our-variant": "/families/qwen/qwen2-5/qwen2-5-7b/",
}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHINESE = ["home", "model-list", "variant", "licenses", "license-check", "trends", "leaderboard"]
SCROLL_HINT = "Scroll sideways for more columns"
# The smallest chart text a phone may render, in CSS pixels (at the old 600-unit drawing it was
# 7 to 8 px).
PHONE_MIN_CHART_TEXT_PX = 10
CHART_PAGES = ["variant", "fit", "trends", "features", "feature", "best-fit"]
# The answer of each "what fits" table on its page: it must be on screen on a phone, not
# beyond the right edge of a scrolling table.
ANSWERS = {
    "variant": "#variant-fits > tbody > tr:first-child > td.fit-profile",
    "fit": "#fit-results > tbody > tr:first-child > td:nth-of-type(2)",
    "profile": ".precision-group table > tbody > tr:first-child > td:nth-of-type(2)",
}
# Layout shift a page may show while it loads (Lighthouse calls under 0.1 good).
MAX_LAYOUT_SHIFT = 0.1


def _fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _unmarked_scrolling_tables(page) -> list[str]:
    """Tables that scroll sideways without the hint that says so, or without a shadow."""
    return page.evaluate(
        """hint => [...document.querySelectorAll('.table-scroll')]
          .filter(box => box.scrollWidth > box.clientWidth + 1)
          .filter(box => !getComputedStyle(box, '::before').content.includes(hint)
                      || !getComputedStyle(box).backgroundImage.includes('gradient'))
          .map(box => box.querySelector('table').id || box.querySelector('caption')?.textContent
                      || box.outerHTML.slice(0, 80))""",
        SCROLL_HINT,
    )


def _layout_shift(page) -> float:
    """The page's cumulative layout shift so far (Chromium's layout-shift entries)."""
    return page.evaluate(
        """() => new Promise(resolve => {
          let total = 0;
          const observer = new PerformanceObserver(list => {
            for (const shift of list.getEntries()) {
              if (!shift.hadRecentInput) total += shift.value;
            }
          });
          // Buffered entries arrive in the observer's next task; none come when nothing moved.
          observer.observe({type: 'layout-shift', buffered: true});
          setTimeout(() => { observer.disconnect(); resolve(total); }, 250);
        })"""
    )


# Scrolls the window down to an element (never sideways, nor the table it sits in); says where
# the element is then, and whether it is what shows at its centre.
ON_SCREEN = """element => {
  window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - 200);
  const box = element.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {left: box.left, right: box.right, visible: element.contains(hit)};
}"""


def _committed(work):
    """``work()`` on a connection of its own (autocommit): the live server sees its rows."""

    def run():
        try:
            return work()
        finally:
            connections.close_all()  # this thread's only

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _adoption_records() -> dict:
    """A viewer, and what the adoption pages show: a use case, an approval due for re-review,
    a proposed one for a whole version, a deployment whose endpoint is down and a verified
    copy of the weights."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from adoption.models import Approval, Artifact, ArtifactFile, Deployment, UseCase
    from adoption.services.approvals import answers_frozen
    from catalog.models import ModelVariant, ModelVersion
    from hardware.models import HardwareProfile

    viewer = get_user_model().objects.create_user(VIEWER[0], password=VIEWER[1], is_staff=True)
    viewer.groups.add(Group.objects.get(name="viewer"))
    family, version, slug = ADOPTION_VARIANT
    variant = ModelVariant.objects.select_related("version__license").get(
        version__family__slug=family, version__slug=version, slug=slug
    )
    use_case = UseCase.objects.create(
        slug="customer-chat",
        name="Customer chat",
        owner="Support platform",
        commercial_product=True,
        monthly_users=2_000_000,
        territory="DE",
    )
    approvals = [
        Approval.objects.create(
            use_case=use_case,
            variant=variant,
            status="approved_with_conditions",
            conditions="Only behind the content filter; no medical advice.",
            reviewer=viewer,
            decided_on=timezone.localdate() - datetime.timedelta(days=400),
            expires_on=timezone.localdate(),
            license_slug=variant.version.license.slug,
            license_answers=answers_frozen(variant.version.license, use_case),
        ),
        Approval.objects.create(
            use_case=use_case,
            version=ModelVersion.objects.get(family__slug="llama", slug="llama-3"),
            status="proposed",
        ),
    ]
    deployment = Deployment.objects.create(
        variant=variant,
        name="support-chat-production",
        environment="production",
        endpoint_url="https://llm.internal.example/support-chat",
        engine="vllm",
        engine_version="0.11.0",
        profile=HardwareProfile.objects.get(slug="2x-nvidia-rtx-4090"),
        precision="bf16",
        max_context_tokens=32768,
        owner_team="Support platform",
        owner_contact="#support-platform",
    )
    Deployment.objects.filter(pk=deployment.pk).update(health="down")
    artifact = Artifact.objects.create(
        variant=variant, uri="s3://models/qwen2.5-7b-instruct/", format="safetensors"
    )
    for index in range(2):
        ArtifactFile.objects.create(
            artifact=artifact,
            path=f"model-0000{index + 1}-of-00002.safetensors",
            size_bytes=3_900_000_000,
            sha256=f"{index:064x}",
        )
    Artifact.objects.filter(pk=artifact.pk).update(verification="verified")
    return {
        "viewer": viewer.pk,
        "use_case": use_case.pk,
        "approvals": [a.pk for a in approvals],
        "deployment": deployment.pk,
        "artifact": artifact.pk,
    }


def _adoption_records_removed(records: dict) -> None:
    from django.contrib.auth import get_user_model

    from adoption.models import Approval, Artifact, Deployment, UseCase

    Approval.objects.filter(pk__in=records["approvals"]).delete()
    Deployment.objects.filter(pk=records["deployment"]).delete()
    Artifact.objects.filter(pk=records["artifact"]).delete()
    UseCase.objects.filter(pk=records["use_case"]).delete()
    get_user_model().objects.filter(pk=records["viewer"]).delete()


def _signed_in_session(user_pk: int) -> tuple[str, str]:
    """A session of the user, as signing in leaves it: the cookie's name and value."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_pk))
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def viewer_session(registry_server):
    """The adoption records committed, and a viewer's signed-in session: the browser state
    of the contexts of the adoption pages."""
    records = _committed(_adoption_records)
    name, value = _committed(lambda: _signed_in_session(records["viewer"]))
    try:
        yield {"cookies": [{"name": name, "value": value, "url": registry_server}], "origins": []}
    finally:
        _committed(lambda: _adoption_records_removed(records))


@pytest.fixture
def viewer_page(chromium, registry_server, viewer_session):
    """A desktop page signed in as a viewer, watched like ``page``."""
    context, page, watch = _new_page(
        chromium, registry_server, DESKTOP, storage_state=viewer_session
    )
    yield page
    context.close()
    watch.assert_clean()


@pytest.fixture
def viewer_phone_page(chromium, registry_server, viewer_session):
    context, page, watch = _new_page(
        chromium,
        registry_server,
        PHONE,
        storage_state=viewer_session,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    context.close()
    watch.assert_clean()


def _axe_violations(page) -> dict:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return {
        violation["id"]: [node["target"] for node in violation["nodes"]][:5]
        for violation in results.response["violations"]
    }


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
    assert _unmarked_scrolling_tables(phone_page) == []
    assert _layout_shift(phone_page) < MAX_LAYOUT_SHIFT
    screenshot(phone_page, f"phone-{name}")


@pytest.mark.parametrize("name", CHART_PAGES)
def test_chart_text_stays_readable_on_a_phone(phone_page, name):
    phone_page.goto(PAGES[name])
    sizes = phone_page.evaluate(
        """() => [...document.querySelectorAll('svg.chart-svg text')].map(text => {
          const matrix = text.getScreenCTM();
          const scale = Math.hypot(matrix.a, matrix.b);
          return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
        })"""
    )
    assert sizes, f"{name} has no chart"
    too_small = [(text, round(px, 1)) for text, px in sizes if px < PHONE_MIN_CHART_TEXT_PX]
    assert too_small == []


@pytest.mark.parametrize("name", ANSWERS)
def test_what_fits_answers_are_on_screen_on_a_phone(phone_page, name):
    phone_page.goto(PAGES[name])
    answer = phone_page.locator(ANSWERS[name]).first.evaluate(ON_SCREEN)
    assert answer["left"] >= 0
    assert answer["right"] <= PHONE["width"]
    assert answer["visible"]


def test_compare_keeps_row_names_in_view_while_its_table_scrolls(phone_page):
    phone_page.goto(PAGES["compare"])
    box = phone_page.locator(".table-scroll:has(> #compare-table)")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth"), "fits a phone: no test"
    assert SCROLL_HINT in box.evaluate("box => getComputedStyle(box, '::before').content")
    box.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert box.evaluate("box => box.scrollLeft") > 0
    # Every row's name, down to the yes/no answers, still shows beside the last column.
    names = phone_page.locator("#compare-table > tbody > tr > th[scope=row]").all()
    assert len(names) > 10
    out_of_view = [
        name.text_content().strip()
        for name in names
        if not ((where := name.evaluate(ON_SCREEN))["visible"] and where["left"] >= 0)
    ]
    assert out_of_view == []


@pytest.mark.parametrize("name", ["variant", "fit", "compare", "profile"])
def test_phone_layouts_meet_wcag_2_1_aa(phone_page, name):
    """The layouts of their own that tables take on a phone, through axe-core too."""
    from axe_playwright_python.sync_playwright import Axe

    phone_page.goto(PAGES[name])
    results = Axe().run(phone_page, options={"runOnly": {"type": "tag", "values": WCAG}})
    violations = {
        violation["id"]: [node["target"] for node in violation["nodes"]][:5]
        for violation in results.response["violations"]
    }
    assert violations == {}


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


# -- the company's own pages, signed in as a viewer ------------------------------------------


@pytest.mark.parametrize("name", ADOPTION_PAGES)
def test_adoption_page_at_desktop_width_meets_wcag_2_1_aa(viewer_page, screenshot, name):
    response = viewer_page.goto(ADOPTION_PAGES[name])
    assert response.status == 200
    assert viewer_page.locator("h1").count() == 1
    assert viewer_page.locator("#nav-our-models").count() == 1
    if name == "our-variant":
        assert viewer_page.locator("#variant-adoption .review-due").count() == 1
        assert viewer_page.locator("#variant-recipe-result").count() == 1
    assert _axe_violations(viewer_page) == {}
    screenshot(viewer_page, f"desktop-{name}")


@pytest.mark.parametrize("name", ADOPTION_PAGES)
def test_adoption_page_at_phone_width(viewer_phone_page, screenshot, name):
    response = viewer_phone_page.goto(ADOPTION_PAGES[name])
    assert response.status == 200
    assert _fits_the_viewport(viewer_phone_page), f"{name} scrolls sideways on a phone"
    assert _unmarked_scrolling_tables(viewer_phone_page) == []
    assert _layout_shift(viewer_phone_page) < MAX_LAYOUT_SHIFT
    assert _axe_violations(viewer_phone_page) == {}
    screenshot(viewer_phone_page, f"phone-{name}")


@pytest.mark.parametrize("name", ["our-approved", "our-may-we-use"])
def test_adoption_page_in_chinese(viewer_page, screenshot, name):
    response = viewer_page.goto("/zh-hans" + ADOPTION_PAGES[name])
    assert response.status == 200
    assert viewer_page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(viewer_page, f"desktop-{name}-zh-hans")


@pytest.mark.parametrize("name", ADOPTION_PAGES)
def test_adoption_pages_show_anonymous_readers_nothing(page, viewer_session, name):
    """The same addresses without signing in: 404, and the variant page without the section
    (the records exist: ``viewer_session`` committed them)."""
    response = page.goto(ADOPTION_PAGES[name])
    if name == "our-variant":
        assert response.status == 200
        assert page.locator("#variant-adoption").count() == 0
        assert page.locator("#nav-our-models").count() == 0
    else:
        assert response.status == 404


def test_a_viewer_follows_a_family_from_its_model_page_then_stops(viewer_page, screenshot):
    viewer_page.goto(ADOPTION_PAGES["our-variant"])
    viewer_page.locator("#adoption-follow-family").click()
    viewer_page.wait_for_url("**/our/following/?family=qwen*")
    assert viewer_page.locator("#id_family").input_value() == "qwen"
    viewer_page.get_by_label("new release").check()
    viewer_page.locator("#follow-form button[type=submit]").click()

    viewer_page.wait_for_selector("#following-message")
    entry = viewer_page.locator("#following-list li[data-subscription]")
    assert entry.count() == 1
    assert "Qwen" in entry.inner_text()
    assert _axe_violations(viewer_page) == {}
    screenshot(viewer_page, "desktop-our-following-one")

    entry.get_by_role("button").click()
    viewer_page.wait_for_selector("#following-none")
    assert viewer_page.locator("#following-list li[data-subscription]").count() == 0
