"""Editors review ingested release candidates in the admin, in a real headless Chromium.

Each journey ingests an export of the curated catalog with one upstream change, approves or
rejects the candidate in the admin, and checks the public pages. The live server only sees
committed rows, while each test's own connection sits in the transaction pytest-django wraps
around it: every write of ours runs in a thread of its own, on its own connection. Journeys
change the catalog that the browser tests after them read, so ``catalog_put_back`` deletes
every row a journey created, puts back every curated row it changed, and checks that the
export and the row counts are what they were.
"""

import copy
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pghistory.models
import pytest
from django.apps import apps
from django.db import connections

from catalog.ingest.forms import NEW_VERSION_INCOMPLETE
from catalog.ingest.services import IngestOptions, ingest_run_execute
from catalog.models import IngestRun, ModelVariant, ModelVersion, ReleaseCandidate
from curation.services.export import catalog_export
from tests.browser.conftest import EDITOR

pytestmark = pytest.mark.django_db

INBOX = "/admin/catalog/releasecandidate/"
CURATED = "qwen/qwen2-5/qwen2-5-7b"
CURATED_PAGE = "/families/qwen/qwen2-5/qwen2-5-7b/"
CURATED_TOTAL_PARAMETERS = 7_615_616_512
UPSTREAM_TOTAL_PARAMETERS = 7_000_000_000
UPSTREAM_DESCRIPTION = "Upstream's new description of Qwen2.5-7B, proposed by the feed."
NEW_VARIANT = {
    "slug": "qwen2-5-7b-browser",
    "name": "Qwen2.5-7B-Browser",
    "hf_repo_id": "example-org/Qwen2.5-7B-Browser",
    "description": "A fine-tune of Qwen2.5-7B, added to review it in the browser.",
}
NEW_VERSION = {"family": "qwen", "slug": "qwen2-5-browser", "name": "Qwen2.5 Browser"}
APPS = ("catalog", "licenses", "hardware", "pghistory")
# Rows that point at others go first, so nothing a journey created is protected by another.
DELETE_FIRST = (
    "catalog.ReleaseCandidate",
    "catalog.IngestSourceResult",
    "catalog.IngestRun",
    "catalog.Citation",
    "catalog.Lineage",
    "hardware.Recommendation",
    "catalog.ModelVariant",
    "catalog.VersionFeature",
    "catalog.ModelVersion",
    "catalog.ModelFamily",
    "catalog.Organization",
    "catalog.Source",
)
# Curated rows an approval may change; put back column by column afterwards.
PUT_BACK = (
    "catalog.ModelVariant",
    "catalog.ModelVersion",
    "catalog.ModelFamily",
    "catalog.Organization",
    "catalog.Source",
    "catalog.Citation",
)


def committed(work):
    """``work()``'s result, run on a database connection of its own (autocommit), so its
    writes are seen by the live server and its reads see the server's."""

    def run():
        try:
            return work()
        finally:
            connections.close_all()  # this thread's only

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


# -- putting the catalog back ------------------------------------------------------------------
def _tables():
    """Every table the live server's catalog lives in, in the order to delete new rows."""
    first = [apps.get_model(label) for label in DELETE_FIRST]
    rest = [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and model._meta.managed and model not in first
    ]
    # History events, then their contexts, last: deleting the rows above records events too.
    return first + sorted(
        rest,
        key=lambda model: (
            model._meta.app_label == "pghistory",
            issubclass(model, pghistory.models.Event),
        ),
    )


@dataclass(frozen=True)
class CatalogState:
    export: dict
    counts: dict
    pks: dict
    rows: dict


def _catalog_state() -> CatalogState:
    export = catalog_export()
    export.pop("exported_at", None)
    tables = _tables()
    return CatalogState(
        export=export,
        counts={model._meta.label: model.objects.count() for model in tables},
        pks={model: set(model.objects.values_list("pk", flat=True)) for model in tables},
        rows={
            label: {row["id"]: row for row in apps.get_model(label).objects.values()}
            for label in PUT_BACK
        },
    )


def _put_back(before: CatalogState) -> None:
    for label, rows in before.rows.items():
        model = apps.get_model(label)
        for row in model.objects.filter(pk__in=rows).values():
            if row != rows[row["id"]]:
                model.objects.filter(pk=row["id"]).update(**rows[row["id"]])
    for model in _tables():
        model.objects.exclude(pk__in=before.pks[model]).delete()


@pytest.fixture
def catalog_put_back(registry_server):
    """After the test, the live server's catalog is the curated one it found."""
    before = committed(_catalog_state)
    yield
    committed(lambda: _put_back(before))
    after = committed(_catalog_state)
    assert after.counts == before.counts
    assert after.export == before.export


# -- candidates --------------------------------------------------------------------------------
def _ingest(tmp_path, change) -> ReleaseCandidate:
    """Ingest this registry's export as changed by ``change(document)``; return the one
    candidate it created."""

    def work():
        document = copy.deepcopy(catalog_export())
        change(document)
        feed = tmp_path / "export.json"
        feed.write_text(json.dumps(document), encoding="utf-8")
        run = ingest_run_execute(
            trigger=IngestRun.Trigger.COMMAND,
            options=IngestOptions(sources=("feed",), file=str(feed)),
        )
        result = run.results.get()
        assert (result.created, result.failed) == (1, 0), result.errors
        return ReleaseCandidate.objects.get(last_run=run)

    return committed(work)


def _curated_entry(document: dict) -> dict:
    return next(v for v in document["variants"] if v["slug"] == "qwen2-5-7b")


def _curated_values_changed(document: dict) -> None:
    _curated_entry(document).update(
        total_parameters=UPSTREAM_TOTAL_PARAMETERS, description=UPSTREAM_DESCRIPTION
    )


def _one_variant_added(document: dict) -> None:
    new = copy.deepcopy(_curated_entry(document))
    new.update(NEW_VARIANT)
    document["variants"].append(new)


def _reload(candidate: ReleaseCandidate) -> ReleaseCandidate:
    return committed(
        lambda: ReleaseCandidate.objects.select_related("reviewed_by").get(pk=candidate.pk)
    )


# -- pages -------------------------------------------------------------------------------------
def _log_in(page) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def _inbox_row(page, upstream_id: str):
    return page.locator("#result_list tbody tr").filter(
        has=page.locator("th.field-upstream_id a", has_text=re.compile(f"^{upstream_id}$"))
    )


def _diff_rows(page) -> dict[str, list[str]]:
    """The review page's diff table: field name to (curated, upstream)."""
    rows = page.locator("table.candidate-diff tbody tr")
    return {
        row.locator("th code.field-name").inner_text().strip(): [
            cell.inner_text().strip() for cell in row.locator("td").all()[1:]
        ]
        for row in rows.all()
    }


def _submit(page, action: str):
    """Press the review form's ``action`` button; return the response to the POST."""
    with (
        page.expect_navigation(),
        page.expect_response(lambda response: response.request.method == "POST") as posted,
    ):
        page.click(f".candidate-review button[name=action][value={action}]")
    return posted.value


def _field_errors(page, name: str) -> list[str]:
    row = page.locator(".form-row").filter(has=page.locator(f"[name={name}]"))
    return row.locator("ul.errorlist li").all_inner_texts()


# -- journeys ----------------------------------------------------------------------------------
def test_an_editor_accepts_one_upstream_change_and_rejects_the_other(
    page, screenshot, catalog_put_back, tmp_path
):
    candidate = _ingest(tmp_path, _curated_values_changed)
    assert candidate.variant is not None

    _log_in(page)
    page.goto(INBOX)
    row = _inbox_row(page, CURATED)
    assert row.locator("td.field-status").inner_text() == "Pending review"
    assert row.locator("td.field-changes").inner_text() == "2"
    screenshot(page, "admin-candidate-inbox")

    row.locator("th.field-upstream_id a").click()
    page.wait_for_selector(".candidate-review")
    # A feed read from a file is named by its path, which is no address to follow.
    facts = page.locator(".candidate-facts")
    assert "export.json" in facts.inner_text()
    assert facts.locator("a[href*='export.json']").count() == 0
    assert _diff_rows(page) == {
        "description": ["—", UPSTREAM_DESCRIPTION],
        "total_parameters": [f"{CURATED_TOTAL_PARAMETERS:,}", f"{UPSTREAM_TOTAL_PARAMETERS:,}"],
    }
    for name in ("description", "total_parameters"):
        assert page.is_checked(f"input[name=fields][value={name}]")
    # A candidate for a curated variant has nowhere else to go.
    assert page.locator("input[name=target]").count() == 0
    screenshot(page, "admin-candidate-review")

    page.uncheck("input[name=fields][value=total_parameters]")
    page.fill("textarea[name=note]", "The description is right; the count is not.")
    assert _submit(page, "approve").status == 302
    page.wait_for_url(re.compile(r"/admin/catalog/releasecandidate/$"))
    assert "approved" in page.locator("ul.messagelist li.success").inner_text()
    assert _inbox_row(page, CURATED).locator("td.field-status").inner_text() == "Approved"

    page.goto(CURATED_PAGE)
    page.wait_for_selector("#variant-detail")
    assert page.locator("#variant-detail p.lead").inner_text() == UPSTREAM_DESCRIPTION
    assert f"{CURATED_TOTAL_PARAMETERS:,}" in page.locator("#variant-parameters").inner_text()
    assert page.locator("#variant-upstream-conflicts").count() == 0

    candidate = _reload(candidate)
    assert candidate.status == ReleaseCandidate.Status.APPROVED
    assert candidate.rejected_values == {"total_parameters": UPSTREAM_TOTAL_PARAMETERS}
    assert candidate.reviewed_by.username == EDITOR[0]
    assert candidate.review_note == "The description is right; the count is not."
    variant = committed(lambda: ModelVariant.objects.get(pk=candidate.variant_id))
    assert (variant.description, variant.total_parameters) == (
        UPSTREAM_DESCRIPTION,
        CURATED_TOTAL_PARAMETERS,
    )


def test_an_editor_puts_a_new_variant_in_a_new_version(
    page, screenshot, catalog_put_back, tmp_path
):
    candidate = _ingest(tmp_path, _one_variant_added)
    guessed = committed(lambda: ModelVersion.objects.get(pk=candidate.version_id))
    assert (candidate.variant_id, guessed.slug) == (None, "qwen2-5")

    _log_in(page)
    page.goto(INBOX)
    page.locator("#changelist-filter a", has_text="New variant").click()
    page.wait_for_url(re.compile(r"kind=new"))
    assert page.locator("#result_list tbody tr").count() == 1
    _inbox_row(page, candidate.upstream_id).locator("th.field-upstream_id a").click()
    page.wait_for_selector(".candidate-review")

    # The guessed version is preselected, and every proposed field is ticked.
    assert page.is_checked("input[name=target][value=existing]")
    assert page.input_value("select[name=version]") == str(guessed.pk)
    assert page.locator("select[name=version] option:checked").inner_text() == guessed.name
    assert _diff_rows(page)["name"] == ["—", NEW_VARIANT["name"]]
    assert page.locator("input[name=fields]:not(:checked)").count() == 0
    screenshot(page, "admin-candidate-review-new-variant")

    # The guess is a version the catalog has, so only the family of a new one is prefilled.
    page.check("input[name=target][value=new]")
    assert page.input_value("input[name=new_version_family]") == NEW_VERSION["family"]
    assert page.input_value("input[name=new_version_slug]") == ""
    assert _submit(page, "approve").status == 200
    assert page.is_checked("input[name=target][value=new]")
    assert _field_errors(page, "new_version_family") == []
    for name in ("new_version_slug", "new_version_name"):
        assert _field_errors(page, name) == [str(NEW_VERSION_INCOMPLETE)]
    screenshot(page, "admin-candidate-review-error")

    page.fill("input[name=new_version_family]", NEW_VERSION["family"])
    page.fill("input[name=new_version_slug]", NEW_VERSION["slug"])
    page.fill("input[name=new_version_name]", NEW_VERSION["name"])
    assert _submit(page, "approve").status == 302
    page.wait_for_url(re.compile(r"/admin/catalog/releasecandidate/$"))
    row = _inbox_row(page, candidate.upstream_id)
    assert row.locator("td.field-status").inner_text() == "Approved"
    assert row.locator("td.field-version").inner_text() == NEW_VERSION["name"]

    page.goto(f"/families/{NEW_VERSION['family']}/{NEW_VERSION['slug']}/")
    page.wait_for_selector("#version-detail")
    page.locator(f"#version-variants tr[data-variant={NEW_VARIANT['slug']}] a").click()
    page.wait_for_url(
        re.compile(
            f"/families/{NEW_VERSION['family']}/{NEW_VERSION['slug']}/{NEW_VARIANT['slug']}/$"
        )
    )
    assert page.locator("h1").inner_text().startswith(NEW_VARIANT["name"])
    assert NEW_VERSION["name"] in page.locator("nav.breadcrumbs").inner_text()
    assert page.locator("#variant-detail p.lead").inner_text() == NEW_VARIANT["description"]

    variant = committed(
        lambda: ModelVariant.objects.select_related("version__family").get(slug=NEW_VARIANT["slug"])
    )
    assert (variant.version.family.slug, variant.version.slug, variant.version.name) == (
        NEW_VERSION["family"],
        NEW_VERSION["slug"],
        NEW_VERSION["name"],
    )
    assert variant.status == variant.version.status == "published"
    candidate = _reload(candidate)
    assert (candidate.status, candidate.variant_id) == (
        ReleaseCandidate.Status.APPROVED,
        variant.pk,
    )


def test_only_editors_see_that_upstream_disagrees_while_a_candidate_is_pending(
    page, screenshot, catalog_put_back, tmp_path
):
    candidate = _ingest(tmp_path, _curated_values_changed)

    page.goto(CURATED_PAGE)
    page.wait_for_selector("#variant-detail")
    assert page.locator("#variant-upstream-conflicts").count() == 0

    _log_in(page)
    page.goto(CURATED_PAGE)
    box = page.locator("#variant-upstream-conflicts")
    assert box.is_visible()
    assert f"{UPSTREAM_TOTAL_PARAMETERS:,}" in box.inner_text()
    assert UPSTREAM_DESCRIPTION in box.inner_text()
    screenshot(page, "desktop-variant-upstream-conflicts")

    link = box.get_by_role("link", name="review in the admin")
    assert link.get_attribute("href") == f"{INBOX}{candidate.pk}/change/"
    link.click()
    page.wait_for_selector(".candidate-review")
    assert page.locator(".breadcrumbs").inner_text().endswith(CURATED)

    assert _submit(page, "reject").status == 302
    page.wait_for_url(re.compile(r"/admin/catalog/releasecandidate/$"))
    assert _inbox_row(page, CURATED).locator("td.field-status").inner_text() == "Rejected"
    page.goto(CURATED_PAGE)
    page.wait_for_selector("#variant-detail")
    assert page.locator("#variant-upstream-conflicts").count() == 0
    assert _reload(candidate).rejected_values == {
        "description": UPSTREAM_DESCRIPTION,
        "total_parameters": UPSTREAM_TOTAL_PARAMETERS,
    }
