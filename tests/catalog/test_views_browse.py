"""The browsing pages: home, the model and version lists, families, the family page, compare."""

import csv
import datetime
import io
import re
from itertools import pairwise

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Lineage, ModelFamily, ModelVariant, ModelVersion
from catalog.views.compare import (
    COMPARE_PICK,
    COMPARE_TOO_FEW,
    COMPARE_TOO_MANY,
    COMPARE_UNKNOWN,
    FIT_OPTIONS_INVALID,
)
from catalog.views.listing import UNKNOWN_PARAMETERS, UNKNOWN_VALUES
from core.filtering import BAD_COUNT
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db
MAX_PAGE_BYTES = 100_000


@pytest.fixture
def anonymous():
    return Client()


def _html(response) -> str:
    return response.content.decode()


def _ok(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, _html(response)[:2000]
    assert len(response.content) < MAX_PAGE_BYTES, len(response.content)
    return _html(response)


def _key(variant) -> str:
    return f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"


def _variant_names(html: str) -> list[str]:
    """Names in the model list's results table, in order."""
    table = html.split('id="variant-results"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)


def _family_with_versions(count: int, **kwargs):
    family = factories.FamilyFactory(**kwargs)
    for day in range(count):
        version = factories.VersionFactory(
            family=family, release_date=datetime.date(2024, 1, 1 + day)
        )
        factories.VariantFactory(version=version)
    return family


# -- pages built from factories (independent of the curated catalog) -------------------------


def test_home_counts_and_latest_releases_take_constant_queries(anonymous):
    factories.VariantFactory()
    one = count_queries(lambda: anonymous.get(reverse("catalog:home")))
    factories.VariantFactory.create_batch(4)
    many = count_queries(lambda: anonymous.get(reverse("catalog:home")))
    assert_same_query_count(one, many, "home")
    assert many[0] <= 6, many[1]


def test_home_shows_search_counts_latest_releases_and_entry_points(anonymous):
    version = factories.VersionFactory(name="Brand-New-Release", release_date=datetime.date.today())
    factories.VariantFactory(version=version)
    factories.VariantFactory(status="draft", name="Hidden-Draft-Variant")
    html = _ok(anonymous, reverse("catalog:home"))
    assert 'id="home-search"' in html
    assert 'name="q"' in html
    assert f'action="{reverse("catalog:variant_list")}"' in html
    assert "Brand-New-Release" in html
    assert "Hidden-Draft-Variant" not in html
    for url in (
        reverse("catalog:variant_list") + "?commercial_use=allowed",
        reverse("hardware:fit"),
        reverse("catalog:compare"),
        reverse("licenses:license_check"),
        reverse("catalog:trends"),
        reverse("catalog:feature_list"),
    ):
        assert f'href="{url}' in html, url
    counts = re.findall(r"<strong>(\d+)</strong>", html.split('id="home-stats"')[1])
    assert counts[2] == str(
        ModelVariant.objects.filter(
            status="published", version__status="published", version__family__status="published"
        ).count()
    )


def test_model_list_queries_do_not_grow_with_rows(anonymous):
    family = factories.FamilyFactory()
    url = reverse("catalog:variant_list")
    factories.VariantFactory(version__family=family)
    one = count_queries(lambda: anonymous.get(url, {"family": family.slug}))
    factories.VariantFactory.create_batch(4, version__family=family)
    many = count_queries(lambda: anonymous.get(url, {"family": family.slug}))
    assert_same_query_count(one, many, "model list")
    htmx = count_queries(
        lambda: anonymous.get(url, {"family": family.slug}, HTTP_HX_REQUEST="true")
    )
    assert htmx[0] == many[0], htmx[1]


def test_version_list_queries_do_not_grow_with_rows(anonymous):
    family = factories.FamilyFactory()
    url = reverse("catalog:version_list")
    factories.VariantFactory(version__family=family)
    one = count_queries(lambda: anonymous.get(url, {"family": family.slug}))
    for _ in range(4):
        factories.VariantFactory.create_batch(2, version=factories.VersionFactory(family=family))
    many = count_queries(lambda: anonymous.get(url, {"family": family.slug}))
    assert_same_query_count(one, many, "version list")


def test_family_list_queries_do_not_grow_with_rows(anonymous):
    organization = factories.OrganizationFactory()
    url = reverse("catalog:family_list")
    _family_with_versions(1, organization=organization)
    one = count_queries(lambda: anonymous.get(url, {"organization": organization.slug}))
    for _ in range(4):
        _family_with_versions(2, organization=organization)
    many = count_queries(lambda: anonymous.get(url, {"organization": organization.slug}))
    assert_same_query_count(one, many, "family list")
    assert many[0] == 2, many[1]  # the count for the pages and the page


def test_family_list_pages_past_a_hundred_families(anonymous):
    factories.FamilyFactory.create_batch(101)
    page = anonymous.get(reverse("catalog:family_list")).content.decode()
    assert page.count('<tr id="family-') == 100
    assert 'rel="next"' in page
    second = anonymous.get(reverse("catalog:family_list"), {"page": 2}).content.decode()
    assert second.count('<tr id="family-') == 1


def test_family_page_queries_do_not_grow_with_versions_and_lineage(anonymous):
    small = _family_with_versions(1)
    large = _family_with_versions(5)
    variants = list(ModelVariant.objects.filter(version__family=large))
    for parent, child in pairwise(variants):
        factories.LineageFactory(parent=parent, child=child)
    factories.LineageFactory(parent=variants[0])  # into another family
    factories.CitationFactory.create_batch(3, record=large)
    one = count_queries(lambda: anonymous.get(reverse("catalog:family_detail", args=[small.slug])))
    many = count_queries(lambda: anonymous.get(reverse("catalog:family_detail", args=[large.slug])))
    assert_same_query_count(one, many, "family page")
    assert many[0] <= 6, many[1]


def test_compare_queries_are_the_same_for_two_and_four_variants(anonymous):
    factories.ProfileFactory.create_batch(2)
    variants = factories.VariantFactory.create_batch(4, model_type="llama")
    url = reverse("catalog:compare")
    two = count_queries(lambda: anonymous.get(url, {"variant": [_key(v) for v in variants[:2]]}))
    four = count_queries(lambda: anonymous.get(url, {"variant": [_key(v) for v in variants]}))
    assert_same_query_count(two, four, "compare (2 and 4 variants)")


def test_drafts_never_appear(anonymous):
    family = factories.FamilyFactory()
    shown = factories.VariantFactory(version__family=family, name="Shown-Variant")
    factories.VariantFactory(version__family=family, name="Draft-Variant", status="draft")
    draft_version = factories.VersionFactory(family=family, name="Draft-Version", status="draft")
    factories.VariantFactory(version=draft_version, name="Under-Draft-Version")
    draft_family = factories.FamilyFactory(name="Draft-Family", status="draft")
    factories.VariantFactory(version__family=draft_family, name="Under-Draft-Family")
    pages = [
        reverse("catalog:home"),
        reverse("catalog:variant_list"),
        reverse("catalog:version_list"),
        reverse("catalog:family_list"),
        reverse("catalog:family_detail", args=[family.slug]),
        reverse("catalog:compare"),
    ]
    for url in pages:
        html = _ok(anonymous, url)
        for hidden in (
            "Draft-Variant",
            "Draft-Version",
            "Under-Draft-Version",
            "Draft-Family",
            "Under-Draft-Family",
        ):
            assert hidden not in html, (url, hidden)
    assert "Shown-Variant" in _ok(anonymous, reverse("catalog:variant_list"))
    assert (
        anonymous.get(reverse("catalog:family_detail", args=[draft_family.slug])).status_code == 404
    )
    draft = ModelVariant.objects.get(name="Draft-Variant")
    html = _ok(anonymous, reverse("catalog:compare"), variant=[_key(shown), _key(draft)])
    assert str(COMPARE_UNKNOWN % {"keys": f"“{_key(draft)}”"}) in html
    assert 'id="compare-table"' not in html


def test_a_published_variant_of_a_draft_family_has_no_page_and_no_row(anonymous):
    hidden = factories.VariantFactory(
        version__family=factories.FamilyFactory(status="draft"), name="Under-Draft-Family"
    )
    shown = factories.VariantFactory(name="Shown-Variant")
    assert _variant_names(_ok(anonymous, reverse("catalog:variant_list"))) == ["Shown-Variant"]
    assert "Under-Draft-Family" not in _ok(anonymous, reverse("catalog:home"))
    version = hidden.version
    url = reverse(
        "catalog:variant_detail",
        kwargs={"family": version.family.slug, "version": version.slug, "variant": hidden.slug},
    )
    assert anonymous.get(url).status_code == 404
    html = _ok(anonymous, reverse("catalog:compare"), variant=[_key(shown), _key(hidden)])
    assert str(COMPARE_UNKNOWN % {"keys": f"“{_key(hidden)}”"}) in html


def test_family_page_draws_lineage_across_families_in_both_directions(anonymous):
    family = factories.FamilyFactory(name="Middle")
    own = factories.VariantFactory(version__family=family, name="Middle-7B")
    ancestor = factories.VariantFactory(name="Ancestor-7B")
    descendant = factories.VariantFactory(name="Descendant-7B")
    factories.LineageFactory(parent=ancestor, child=own, kind="distill")
    factories.LineageFactory(parent=own, child=descendant, kind="quantize")
    hidden = factories.VariantFactory(name="Draft-Child", status="draft")
    factories.LineageFactory(parent=own, child=hidden)
    html = _ok(anonymous, reverse("catalog:family_detail", args=[family.slug]))
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    for name in ("Middle-7B", "Ancestor-7B", "Descendant-7B", "Distillation", "Quantisation"):
        assert name in svg
    edges = html.split('id="lineage-edges"', 1)[1].split("</ul>", 1)[0]
    assert "Ancestor-7B" in edges
    assert "Descendant-7B" in edges
    assert "Draft-Child" not in html


# -- the curated catalog ---------------------------------------------------------------------


@pytest.fixture
def catalog(curated_catalog):
    return Client()


def test_model_list_shows_the_api_query_result(catalog):
    params = {"family": "qwen", "total_parameters__gte": "70B", "ordering": "-total_parameters"}
    html = _ok(catalog, reverse("catalog:variant_list"), **params)
    names = _variant_names(html)
    api = catalog.get(reverse("variant-list"), params).json()
    assert names == [row["name"] for row in api["results"]]
    assert "Qwen2.5-72B" in names
    assert "Qwen2.5-7B" not in names
    assert names[0] == "Qwen3-Coder-480B-A35B-Instruct"
    assert 'aria-sort="descending"' in html


def test_model_list_filters_commercial_use_and_features_like_the_api(catalog):
    params = {"total_parameters__gte": "7B", "commercial_use": "allowed", "feature": "gqa"}
    html = _ok(catalog, reverse("catalog:variant_list"), **params)
    names = _variant_names(html)
    assert "Qwen2.5-7B" in names
    assert "Llama-2-70b" not in names  # conditional: 700M monthly users
    api = catalog.get(reverse("variant-list"), {**params, "page_size": 500}).json()
    assert f"{api['count']} variants" in html


def test_sorting_toggles_and_marks_the_sorted_column(catalog):
    url = reverse("catalog:variant_list")
    html = _ok(catalog, url, family="llama", ordering="total_parameters")
    header = re.search(
        r'<th scope="col" aria-sort="ascending"[^>]*><a class="sort" href="([^"]+)"', html
    )
    assert header, "no ascending column"
    assert "ordering=-total_parameters" in header.group(1).replace("&amp;", "&")
    names = _variant_names(html)
    sizes = [ModelVariant.objects.get(name=n).total_parameters for n in names]
    known = [size for size in sizes if size is not None]
    assert known == sorted(known)
    assert sizes == known + [None] * (len(sizes) - len(known))  # no count yet: last


def test_pagination_is_forgiving(catalog):
    url = reverse("catalog:variant_list")
    first = _ok(catalog, url)
    total = ModelVariant.objects.filter(status="published").count()
    assert total > 50
    assert len(_variant_names(first)) == 50
    assert _variant_names(_ok(catalog, url, page="abc")) == _variant_names(first)
    last = _ok(catalog, url, page="9999")
    assert len(_variant_names(last)) == total - 50 * ((total - 1) // 50)
    assert 'rel="prev"' in last


def test_csv_link_is_the_api_query_as_csv(catalog):
    html = _ok(catalog, reverse("catalog:variant_list"), family="qwen", kind="instruct", colour="x")
    href = re.search(r'id="variant-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert href == reverse("variant-list") + "?family=qwen&kind=instruct&format=csv"
    response = catalog.get(href)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["name"] for row in rows} == set(_variant_names(html))


def test_bad_filter_values_are_explained_not_a_crash(catalog):
    url = reverse("catalog:variant_list")
    html = _ok(catalog, url, total_parameters__gte="abc")
    assert str(BAD_COUNT) in html
    html = _ok(catalog, url, license="no-such-licence", family="qwen")
    assert str(UNKNOWN_VALUES % {"what": "licence", "values": "“no-such-licence”"}) in html
    assert 'id="variant-empty"' in html
    html = _ok(catalog, url, colour="red")
    assert str(UNKNOWN_PARAMETERS % {"names": "colour"}) in html
    for params in ({"ordering": "nope"}, {"context__gte": "-1"}, {"released_after": "yesterday"}):
        assert "Some filters could not be applied" in _ok(catalog, url, **params)
    assert "Some filters could not be applied" in _ok(
        catalog, reverse("catalog:version_list"), context__gte="lots"
    )


def test_htmx_gets_only_the_results_fragment(catalog):
    url = reverse("catalog:variant_list")
    response = catalog.get(url, {"family": "yi"}, HTTP_HX_REQUEST="true")
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="variant-results"' in html
    assert 'id="variant-filters"' not in html  # the form stays on the page
    assert "HX-Request" in response["Vary"]
    restore = catalog.get(
        url, {"family": "yi"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in _html(restore)


def test_model_list_form_filters_with_htmx_and_without_javascript(catalog):
    html = _ok(catalog, reverse("catalog:variant_list"), family="qwen", ordering="name")
    form = html.split('<form id="variant-filters"', 1)[1].split("</form>", 1)[0]
    assert 'method="get"' in form
    assert 'hx-get="/models/"' in form
    assert 'hx-target="#variant-results-region"' in form
    assert 'hx-push-url="true"' in form
    for name in ("q", "family", "organization", "kind", "total_parameters__gte", "license"):
        assert f'name="{name}"' in form
    assert '<option value="qwen" selected>' in form
    # The sort order travels with the form although it lives in the results.
    assert '<input type="hidden" name="ordering" value="name" form="variant-filters">' in html
    assert 'href="/versions/"' in html


def test_version_list_filters_and_links(catalog):
    html = _ok(catalog, reverse("catalog:version_list"), family="llama", ordering="release_date")
    table = html.split('id="version-results"', 1)[1].split("</table>", 1)[0]
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)
    assert names == list(
        ModelVersion.objects.filter(family__slug="llama")
        .order_by("release_date")
        .values_list("name", flat=True)
    )
    assert reverse("catalog:version_detail", args=["llama", "llama-2"]) in table
    csv_url = "/api/v1/versions/?family=llama&amp;ordering=release_date&amp;format=csv"
    assert f'id="version-csv" href="{csv_url}"' in html


def test_family_list_counts_versions_and_variants(catalog):
    html = _ok(catalog, reverse("catalog:family_list"))
    row = html.split('id="family-qwen"', 1)[1].split("</tr>", 1)[0]
    versions = ModelVersion.objects.filter(family__slug="qwen", status="published").count()
    variants = ModelVariant.objects.filter(
        version__family__slug="qwen", status="published", version__status="published"
    ).count()
    assert f">{versions}</a>" in row
    assert f">{variants}</a>" in row
    assert ModelFamily.objects.filter(status="published").count() == html.count('<tr id="family-')
    assert 'id="family-qwen"' in _ok(catalog, reverse("catalog:family_list"), q="Qwen")
    assert 'id="family-llama"' not in _ok(catalog, reverse("catalog:family_list"), q="Qwen")


def test_llama_family_page_tells_its_story_timeline_lineage_and_licences(catalog):
    html = _ok(catalog, reverse("catalog:family_detail", args=["llama"]))
    assert html.count("<h1") == 1
    timeline = html.split('id="version-timeline"', 1)[1].split("</ol>", 1)[0]
    order = [
        timeline.index(name)
        for name in ("LLaMA</a>", "Llama 2</a>", "Llama 3</a>", "Llama 3.1</a>")
    ]
    assert order == sorted(order)
    # Derived across families, in the graph and as text.
    edges = html.split('id="lineage-edges"', 1)[1].split("</ul>", 1)[0]
    for name in ("Alpaca-7B", "Vicuna-7B v1.3", "DeepSeek-R1-Distill-Llama-8B", "Llama-2-7b-chat"):
        assert name in edges, name
    assert (
        edges.count("<li>")
        == Lineage.objects.filter(parent__version__family__slug="llama").count()
        + Lineage.objects.filter(child__version__family__slug="llama")
        .exclude(parent__version__family__slug="llama")
        .count()
    )
    history = html.split('id="licence-history"', 1)[1].split("</table>", 1)[0]
    assert "Llama 2 Community License" in history
    assert 'class="is-different"' in history
    assert 'class="citations"' in html


def test_deepseek_family_page_shows_what_it_distilled_from_other_families(catalog):
    html = _ok(catalog, reverse("catalog:family_detail", args=["deepseek"]))
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Qwen2.5-Math-1.5B" in svg
    assert "Llama-3.1-8B" in svg


def test_compare_puts_variants_side_by_side_with_differences_and_hardware_fit(catalog):
    keys = ["qwen/qwen2-5/qwen2-5-7b", "llama/llama-3-1/llama-3-1-8b", "qwen/qwen2-5/qwen2-5-72b"]
    html = _ok(catalog, reverse("catalog:compare"), variant=keys)
    table = html.split('id="compare-table"', 1)[1].split("</table>", 1)[0]
    head = table.split("</thead>", 1)[0]
    assert [head.index(n) for n in ("Qwen2.5-7B", "Llama-3.1-8B", "Qwen2.5-72B")] == sorted(
        head.index(n) for n in ("Qwen2.5-7B", "Llama-3.1-8B", "Qwen2.5-72B")
    )
    rows = re.findall(r"<tr( class=\"is-different\")?>\s*<th scope=\"row\">(.*?)</th>", table, re.S)
    marked = {re.sub(r"<.*", "", label).strip(): bool(flag) for flag, label in rows}
    assert marked["Total parameters"]
    assert marked["Layers"]
    assert not marked["Kind"]  # all three are base models
    assert '<span class="visually-hidden"> (differs)</span>' in table
    assert "Hardware fit" in table
    assert "Smallest profile that fits" in table
    assert reverse("hardware:profile_detail", args=["x"]).rsplit("x", 1)[0] in table
    assert 'id="compare-form"' in html
    assert html.count('name="variant"') == 4
    assert '<option value="qwen/qwen2-5/qwen2-5-7b" selected>' in html


def test_compare_fit_uses_the_chosen_precision_and_context(catalog):
    keys = ["qwen/qwen2-5/qwen2-5-72b", "llama/llama-3-1/llama-3-1-70b"]
    url = reverse("catalog:compare")

    def memory(**options):
        html = _ok(catalog, url, variant=keys, **options)
        row = html.split("Memory needed", 1)[1].split("</tr>", 1)[0]
        return [float(x.replace(",", "")) for x in re.findall(r"([\d,.]+) GiB", row)]

    bf16 = memory()
    int4 = memory(precision="awq-int4", context_tokens="4096")
    assert all(small < large / 2 for small, large in zip(int4, bf16, strict=True))


def test_compare_explains_bad_input(catalog):
    url = reverse("catalog:compare")
    assert str(COMPARE_PICK) in _ok(catalog, url)
    one = _ok(catalog, url, variant="qwen/qwen2-5/qwen2-5-7b")
    assert str(COMPARE_TOO_FEW) in one
    assert 'id="compare-table"' not in one
    five = [
        "qwen/qwen2-5/qwen2-5-0-5b",
        "qwen/qwen2-5/qwen2-5-1-5b",
        "qwen/qwen2-5/qwen2-5-3b",
        "qwen/qwen2-5/qwen2-5-7b",
        "qwen/qwen2-5/qwen2-5-14b",
    ]
    html = _ok(catalog, url, variant=five)
    assert str(COMPARE_TOO_MANY % {"keys": five[4]}) in html
    assert 'id="compare-table"' in html
    html = _ok(catalog, url, variant=["nope/nope/nope", "../x", "qwen/qwen2-5/qwen2-5-7b"])
    assert "nope/nope/nope" in html
    assert "“../x”" in html
    html = _ok(
        catalog,
        url,
        variant=["qwen/qwen2-5/qwen2-5-7b", "yi/yi/yi-6b"],
        precision="fp3",
        context_tokens="many",
    )
    assert str(FIT_OPTIONS_INVALID) in html
    assert 'id="compare-precision-error"' in html
    assert 'id="compare-context-error"' in html
    assert 'id="compare-table"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/zh-hans/",
        "/zh-hans/models/?family=qwen",
        "/zh-hans/versions/",
        "/zh-hans/families/",
        "/zh-hans/families/qwen/",
        "/zh-hans/compare/?variant=qwen/qwen2-5/qwen2-5-7b&variant=yi/yi/yi-6b",
    ],
)
def test_pages_render_in_chinese(catalog, url):
    html = _ok(catalog, url)
    assert 'lang="zh-hans"' in html
    assert html.count("<h1") == 1


def test_chinese_family_page_uses_the_curated_chinese_text(catalog):
    html = _ok(catalog, "/zh-hans/families/qwen/")
    family = ModelFamily.objects.get(slug="qwen")
    assert f"<h1>{family.name_zh}</h1>" in html
    assert family.description_zh[:20] in html


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/models/",
        "/models/?page=2",
        "/versions/",
        "/families/",
        "/families/llama/",
        "/families/qwen/",
        "/families/deepseek/",
        "/compare/",
    ],
)
def test_pages_stay_small_and_have_one_heading(catalog, url):
    html = _ok(catalog, url)
    assert html.count("<h1") == 1
    assert "style=" not in html
    assert "<style" not in html
    assert "<script>" not in html


def test_compare_of_four_large_variants_stays_small(catalog):
    keys = [
        "deepseek/deepseek-v3/deepseek-v3",
        "qwen/qwen3/qwen3-235b-a22b",
        "llama/llama-3-1/llama-3-1-405b",
        "qwen/qwen2-5/qwen2-5-72b",
    ]
    html = _ok(catalog, reverse("catalog:compare"), variant=keys)
    assert html.count('<th scope="col">') == 4
