"""The licence pages: the matrix, a licence's page and the "may we…" checker.

Every test runs on the curated catalog (real licences and their quoted clauses); the query-count
tests add their own rows and narrow the page to them.
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from catalog import extensions as catalog_extensions
from catalog.forms import (
    CHOOSE_NOT_BOTH,
    CHOOSE_ONE,
    NEGATIVE_USER_COUNT,
    NO_LICENSE_RECORDED,
    UNKNOWN_LICENSE,
    UNKNOWN_VARIANT,
)
from catalog.views import license_check as license_check_view
from core.extensions import page_providers
from licenses.models import License
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("curated_catalog")]

MATRIX = reverse("licenses:license_list")
CHECK = reverse("licenses:license_check")
MAX_PAGE_BYTES = 100_000


@pytest.fixture(autouse=True)
def _english():
    # A request under /zh-hans/ leaves Chinese active in this thread, and reverse() would then
    # prefix every URL: each test starts in English.
    translation.activate("en")
    yield
    translation.activate("en")


def _detail(slug: str) -> str:
    return reverse("licenses:license_detail", kwargs={"slug": slug})


def _page(client, url, params=None, status=200) -> str:
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:2000]
    assert len(response.content) < MAX_PAGE_BYTES
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    """The markup from the element with ``element_id`` to the end of the page."""
    start = html.index(f'id="{element_id}"')
    return html[start:]


def _row(html: str, slug: str) -> str:
    """One licence's row of the matrix."""
    match = re.search(rf'<tr id="license-{re.escape(slug)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def _answer(html: str, question: str) -> str:
    match = re.search(rf'<li id="answer-{question}"(.*?)</article>', html, re.S)
    assert match, f"no answer to {question}"
    return match.group(1)


def _text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def _text_unescaped(markup: str) -> str:
    return unescape(_text(markup))


def test_the_catalog_adds_the_models_under_a_licence_to_the_licence_pages():
    # The licences app sits below the catalog: what its pages show of versions and variants
    # comes from the catalog's providers, registered when the apps are ready.
    assert catalog_extensions.license_matrix_counts in page_providers("license_list")
    assert catalog_extensions.license_models in page_providers("license_detail")


# --- the matrix ---------------------------------------------------------------------------


def test_matrix_lists_every_published_licence_with_its_terms(client):
    html = _page(client, MATRIX)
    matrix = _section(html, "license-matrix")
    for slug in License.objects.filter(status="published").values_list("slug", flat=True):
        assert f'id="license-{slug}"' in matrix
    assert html.count("<h1") == 1
    assert 'scope="col"' in matrix
    assert 'scope="row"' in matrix


def test_matrix_cells_carry_a_rating_class_and_text(client):
    html = _page(client, MATRIX)
    llama = _row(html, "llama-2-community")
    assert f'href="{_detail("llama-2-community")}"' in llama
    assert '<span class="badge term-conditional">Conditional</span>' in llama
    assert "Above 700,000,000" in _text(llama)
    assert '<span class="badge term-conditional">Restricted</span>' in llama
    apache = _row(html, "apache-2-0")
    assert "Apache-2.0" in apache
    assert '<span class="badge term-allowed">Allowed</span>' in apache
    assert '<span class="badge term-allowed">No cap</span>' in apache
    assert '<span class="badge term-allowed">Granted</span>' in apache
    research = _row(html, "qwen-research")
    assert '<span class="badge term-not_allowed">Not allowed</span>' in research
    glm4 = _row(html, "glm-4-license")  # terms not verified
    assert '<span class="badge term-unknown">Unknown</span>' in glm4


def test_matrix_counts_versions_and_variants_under_their_effective_licence(client):
    license = factories.LicenseFactory(name="Zeta counting licence")
    version = factories.VersionFactory(license=license)
    factories.VariantFactory.create_batch(2, version=version)
    factories.VariantFactory(version=version, license=factories.LicenseFactory())  # elsewhere
    factories.VariantFactory(license=license)  # overrides to it from another version
    factories.VariantFactory(version=version, status="draft")
    factories.VersionFactory(license=license, status="draft")
    row = _row(_page(client, MATRIX, {"q": "Zeta counting"}), license.slug)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "3"]


def test_matrix_filters_with_the_shared_filterset(client):
    html = _page(client, MATRIX, {"commercial_use": "allowed", "patent_grant": "true"})
    matrix = _section(html, "license-matrix")
    assert 'id="license-apache-2-0"' in matrix
    assert 'id="license-deepseek-model"' in matrix
    assert 'id="license-mit"' not in matrix  # no explicit patent grant
    assert 'id="license-llama-2-community"' not in matrix
    form = _section(html, "license-filters")
    assert re.search(
        r'<input type="checkbox" name="commercial_use" value="allowed"[^>]* checked', form
    )


def test_matrix_filters_by_user_cap_and_text(client):
    matrix = _section(_page(client, MATRIX, {"mau_threshold__lte": "100000000"}), "license-matrix")
    assert 'id="license-qwen-license"' in matrix
    assert 'id="license-llama-2-community"' not in matrix
    assert 'id="license-qwen-license"' in _page(client, MATRIX, {"q": "Tongyi"})


def test_matrix_explains_bad_filter_values(client):
    html = _page(client, MATRIX, {"patent_grant": "maybe", "mau_threshold__gte": "-1"})
    assert "Some filters could not be applied" in html
    assert "Enter true or false." in html
    assert 'id="license-matrix"' in html


def test_matrix_hides_draft_licences(client):
    draft = factories.LicenseFactory(name="Secret draft licence", status="draft")
    html = _page(client, MATRIX)
    assert draft.slug not in html
    assert "Secret draft licence" not in html


def test_matrix_query_count_is_the_same_for_1_and_5_licences(client):
    def render():
        assert client.get(MATRIX, {"q": "Omega"}).status_code == 200

    factories.LicenseFactory(name="Omega 0")
    _page(client, MATRIX)  # warm caches (content types, sessions)
    one = count_queries(render)
    for n in range(1, 5):
        license = factories.LicenseFactory(name=f"Omega {n}")
        factories.VariantFactory(version__license=license)
    many = count_queries(render)
    assert_same_query_count(one, many, "licence matrix")
    assert _page(client, MATRIX, {"q": "Omega"}).count('<tr id="license-') == 5


def test_matrix_renders_in_chinese(client):
    html = _page(client, "/zh-hans" + MATRIX)
    assert '<html lang="zh-hans">' in html
    assert "Apache 许可证 2.0" in html  # the curated Chinese name
    assert 'id="license-matrix"' in html


# --- a licence's page ---------------------------------------------------------------------


def test_licence_page_shows_facts_terms_and_quoted_clauses(client):
    html = _page(client, _detail("llama-2-community"))
    assert html.count("<h1") == 1
    assert "Llama 2 Community License Agreement" in html
    assert "2023-07-18" in html
    assert 'href="https://ai.meta.com/llama/license/"' in html
    assert "Open weights with conditions" in html
    assert "700 million monthly active users" in html
    terms = _section(html, "license-terms")
    mau = terms[terms.index('id="term-mau_threshold"') :]
    assert "greater than 700 million monthly active users" in mau[: mau.index("</tr>")]
    outputs = terms[terms.index('id="term-outputs_train_other_models"') :]
    outputs = outputs[: outputs.index("</tr>")]
    assert "to improve any other large language model" in outputs
    assert "monthly active users" not in outputs  # the merged quote is split per term
    for key in ("patent_grant", "share_alike", "registration_required", "naming_requirement"):
        assert f'id="term-{key}"' in terms


def test_licence_page_shows_seed_claim_and_sources(client):
    html = _page(client, _detail("llama-2-community"))
    assert 'id="license-seed-claim"' in html
    assert "34B was not released" in html
    sources = html[html.index('<section class="citations"') :]
    assert "LLAMA 2 COMMUNITY LICENSE AGREEMENT" in sources


def test_licence_page_lists_versions_and_variants_that_override_to_it(client):
    html = _page(client, _detail("apache-2-0"))
    models = _section(html, "license-models")
    version_url = reverse("catalog:version_detail", kwargs={"family": "qwen", "version": "qwen2-5"})
    assert f'href="{version_url}"' in _section(models, "license-versions")
    # Qwen2.5-3B stays under the research licence although its version is Apache 2.0.
    assert "Qwen2.5-3B" in _section(models, "license-versions")
    override_url = reverse(
        "catalog:variant_detail",
        kwargs={
            "family": "deepseek",
            "version": "deepseek-r1-distill",
            "variant": "deepseek-r1-distill-qwen-7b",
        },
    )
    assert f'href="{override_url}"' in _section(models, "license-variants")


def test_licence_page_counts_each_variant_once(client):
    license = factories.LicenseFactory()
    version = factories.VersionFactory(license=license)
    factories.VariantFactory(version=version)
    factories.VariantFactory(version=version, license=license)  # a redundant override
    factories.VariantFactory(license=license)  # a real one
    html = _page(client, _detail(license.slug))
    assert "1 version, 3 variants" in _text(html)
    assert _section(html, "license-variants").count('<th scope="row">') == 1
    row = _row(_page(client, MATRIX, {"q": license.name}), license.slug)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "3"]


def test_licence_page_hides_draft_models(client):
    license = factories.LicenseFactory()
    factories.VersionFactory(license=license, name="Hidden version", status="draft")
    factories.VariantFactory(license=license, name="Hidden-variant", status="draft")
    html = _page(client, _detail(license.slug))
    assert "Hidden version" not in html
    assert "Hidden-variant" not in html
    assert "No published model uses this licence yet." in html


def test_licence_pages_hide_variants_of_draft_families(client):
    license = factories.LicenseFactory(name="Zeta draft-family licence")
    draft_family = factories.FamilyFactory(status="draft")
    factories.VariantFactory(
        license=license, name="Under-draft-family", version__family=draft_family
    )
    row = _row(_page(client, MATRIX, {"q": license.name}), license.slug)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["0", "0"]
    assert "Under-draft-family" not in _page(client, _detail(license.slug))


def test_unknown_and_draft_licences_are_not_found(client):
    draft = factories.LicenseFactory(status="draft")
    assert client.get(_detail("no-such-licence")).status_code == 404
    assert client.get(_detail(draft.slug)).status_code == 404


def test_licence_page_query_count_is_the_same_for_1_and_5_models(client):
    license = factories.LicenseFactory()
    source = factories.SourceFactory()
    factories.CitationFactory(record=license, source=source, fields=["commercial_use"], quote="q")
    factories.VariantFactory(version__license=license)
    factories.VariantFactory(license=license)
    url = _detail(license.slug)
    _page(client, url)

    def render():
        assert client.get(url).status_code == 200

    one = count_queries(render)
    for _ in range(4):
        version = factories.VersionFactory(license=license)
        factories.VariantFactory(version=version)
        factories.VariantFactory(version=version, license=factories.LicenseFactory())
        factories.VariantFactory(license=license)
    many = count_queries(render)
    assert_same_query_count(one, many, "licence page")


def test_licence_page_lists_the_latest_models_and_links_them_all(client, monkeypatch):
    monkeypatch.setattr(catalog_extensions, "MODEL_ROWS", 1)
    license = factories.LicenseFactory()
    for day in (1, 2):
        version = factories.VersionFactory(
            license=license, release_date=datetime.date(2024, 6, day), name=f"Version of {day}"
        )
        factories.VariantFactory(version=version)
        factories.VariantFactory(
            license=license, release_date=datetime.date(2024, 7, day), name=f"Override-{day}"
        )
    html = _page(client, _detail(license.slug))
    versions = _section(html, "license-versions").split("</table>")[0]
    assert "The 1 most recent of the 2 versions whose licence this is" in versions
    assert "Version of 2" in versions
    assert "Version of 1" not in versions
    variants = _section(html, "license-variants").split("</table>")[0]
    assert "The 1 most recent of the 2 variants with this licence as their own" in variants
    assert "Override-2" in variants
    assert "Override-1" not in variants
    assert "2 versions, 4 variants" in _text(html)
    for link, listed in (
        ("license-versions-all", ">2 versions<"),
        ("license-variants-all", ">4 variants<"),
    ):
        url = re.search(rf'id="{link}" href="([^"]+)"', html).group(1)
        assert f"license={license.slug}" in url
        assert listed in _page(client, unescape(url))


def test_checker_picker_offers_the_latest_models_and_the_one_asked_about(client, monkeypatch):
    monkeypatch.setattr(license_check_view, "CHECK_CHOICES", 2)
    html = _page(client, CHECK)
    picker = html[
        html.index('id="id_variant"') : html.index("</select>", html.index('id="id_variant"'))
    ]
    assert picker.count("<option value=") == 1 + 2
    assert "llama/llama-2/llama-2-7b" not in picker
    assert "Only the 2 most recently released models are listed" in html
    html = _page(client, CHECK, {"variant": "llama/llama-2/llama-2-7b", "monthly_users": "800M"})
    assert 'value="llama/llama-2/llama-2-7b" selected' in html
    assert "answer-no" in _answer(html, "commercial_product")


def test_licence_page_renders_in_chinese(client):
    html = _page(client, "/zh-hans" + _detail("llama-2-community"))
    assert '<html lang="zh-hans">' in html
    assert "Llama 2 社区许可协议" in html
    assert "若在发布日被许可人产品月活超过 7 亿" in html  # the Chinese summary


# --- the "may we…" checker ----------------------------------------------------------------


def test_checker_form_alone_shows_the_notice_and_no_answers(client):
    html = _page(client, CHECK)
    assert 'id="license-check-form"' in html
    assert 'id="license-check-disclaimer"' in html
    assert "This is not legal advice." in html
    for name in ("license", "variant", "monthly_users", "publish_finetune", "train_other_models"):
        assert f'name="{name}"' in html
    assert 'id="license-check-results"' not in html
    assert "qwen/qwen3-6/qwen3-6-27b" in html  # the picker offers the latest published models


def test_llama_2_above_700m_users_needs_a_separate_licence(client):
    html = _page(client, CHECK, {"license": "llama-2-community", "monthly_users": "800000000"})
    answer = _answer(html, "commercial_product")
    assert '<span class="badge answer-no">No: needs a separate licence</span>' in answer
    assert "greater than 700 million monthly active users" in answer
    assert "This is not legal advice." in html
    results = _section(html, "license-check-results")
    assert f'href="{_detail("llama-2-community")}"' in results


def test_llama_2_below_the_threshold_is_conditional(client):
    html = _page(client, CHECK, {"license": "llama-2-community", "monthly_users": "1.5M"})
    answer = _answer(html, "commercial_product")
    assert "answer-conditional" in answer
    assert "1,500,000 monthly active users is within" in _text(answer)
    assert "acceptable use policy" in answer


def test_llama_2_restricts_training_other_models_on_its_outputs(client):
    # The curated record says "restricted": improving other models is forbidden except
    # Llama 2 derivatives, and the clause says so.
    html = _page(client, CHECK, {"license": "llama-2-community", "train_other_models": "on"})
    answer = _answer(html, "train_other_models")
    assert '<span class="badge answer-conditional">Conditional</span>' in answer
    assert "to improve any other large language model (excluding Llama 2" in answer
    assert 'id="answer-commercial_product"' not in html  # not asked


def test_llama_3_1_allows_training_on_outputs_under_its_naming_rule(client):
    html = _page(client, CHECK, {"license": "llama-3-1-community", "train_other_models": "1"})
    answer = _answer(html, "train_other_models")
    assert "answer-conditional" in answer
    assert "Naming rule" in answer
    assert "at the beginning of any such AI model name" in answer


def test_apache_says_yes_to_every_question(client):
    html = _page(
        client,
        CHECK,
        {
            "license": "apache-2-0",
            "monthly_users": "2000000000",
            "publish_finetune": "on",
            "train_other_models": "on",
            "hosted_service": "on",
        },
    )
    results = _section(html, "license-check-results")
    assert results.count('<span class="badge answer-yes">Yes</span>') == 4
    assert "answer-no" not in results
    assert "answer-conditional" not in results


def test_a_non_commercial_licence_says_no_to_a_product(client):
    html = _page(client, CHECK, {"license": "cc-by-nc-4-0"})
    assert "answer-no" in _answer(html, "commercial_product")
    assert "answer-no" in _answer(html, "hosted_service")
    assert "answer-conditional" in _answer(html, "publish_finetune")
    assert "answer-unknown" in _answer(html, "train_other_models")  # the licence is silent


def test_a_model_is_checked_under_its_own_licence_override(client):
    html = _page(client, CHECK, {"variant": "qwen/qwen2-5/qwen2-5-3b", "monthly_users": "10"})
    results = _section(html, "license-check-results")
    assert "Tongyi Qianwen RESEARCH LICENSE AGREEMENT" in results
    assert "has its own licence" in results
    assert "answer-no" in _answer(html, "commercial_product")


def test_a_model_is_checked_under_its_versions_licence(client):
    html = _page(client, CHECK, {"variant": "llama/llama-2/llama-2-7b", "monthly_users": "800M"})
    results = _section(html, "license-check-results")
    assert "is published under its version's licence" in _text_unescaped(results)
    assert f'href="{_detail("llama-2-community")}"' in results
    assert "answer-no" in _answer(html, "commercial_product")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"license": "no-such-licence"}, UNKNOWN_LICENSE % {"value": "no-such-licence"}),
        ({"variant": "llama/llama-2"}, UNKNOWN_VARIANT % {"value": "llama/llama-2"}),
        ({"license": "mit", "monthly_users": "-5"}, NEGATIVE_USER_COUNT),
        ({"monthly_users": "100"}, CHOOSE_ONE),
        ({"license": "mit", "variant": "llama/llama-2/llama-2-7b"}, CHOOSE_NOT_BOTH),
        ({"license": "mit", "monthly_users": "lots"}, "Enter a number of monthly active users"),
    ],
)
def test_bad_input_is_explained_on_the_page(client, params, message):
    html = _page(client, CHECK, params, status=400)
    assert str(message) in _text_unescaped(_section(html, "license-check-errors"))
    assert 'id="license-check-results"' not in html
    assert "This is not legal advice." in html


def test_a_model_without_a_published_licence_is_explained(client):
    variant = factories.VariantFactory(version__license=None, name="Unlicensed-7B")
    key = f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"
    html = _page(client, CHECK, {"variant": key}, status=400)
    assert str(NO_LICENSE_RECORDED % {"model": "Unlicensed-7B"}) in _text_unescaped(html)


def test_draft_models_and_licences_cannot_be_checked(client):
    draft_licence = factories.LicenseFactory(status="draft")
    draft_variant = factories.VariantFactory(status="draft")
    key = f"{draft_variant.version.family.slug}/{draft_variant.version.slug}/{draft_variant.slug}"
    html = _page(client, CHECK)
    assert draft_licence.slug not in html
    assert key not in html
    _page(client, CHECK, {"license": draft_licence.slug}, status=400)
    _page(client, CHECK, {"variant": key}, status=400)


def test_checker_query_count_does_not_grow_with_licences_and_models(client):
    params = {"license": "mit", "monthly_users": "5"}
    _page(client, CHECK, params)

    def render():
        assert client.get(CHECK, params).status_code == 200

    one = count_queries(render)
    for _ in range(4):
        license = factories.LicenseFactory()
        factories.CitationFactory(record=license, fields=["commercial_use"], quote="q")
        factories.VariantFactory(version__license=license)
    many = count_queries(render)
    assert_same_query_count(one, many, "licence checker")


def test_checker_renders_in_chinese(client):
    html = _page(client, "/zh-hans" + CHECK, {"license": "llama-2-community"})
    assert '<html lang="zh-hans">' in html
    assert "Llama 2 社区许可协议" in html
    assert 'id="license-check-results"' in html
