"""The architecture feature pages and the trends page."""

import datetime
import re

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation

from catalog import selectors
from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from catalog.views import features, trends
from core.filtering import NOT_A_BOOLEAN
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("curated_catalog")]


def reverse(name: str, **kwargs) -> str:
    """The URL without a language prefix, whichever language an earlier request left active."""
    with translation.override("en"):
        return django_reverse(name, **kwargs)


FEATURES = reverse("catalog:feature_list")
TRENDS = reverse("catalog:trends")


def _feature_url(slug: str) -> str:
    return reverse("catalog:feature_detail", kwargs={"slug": slug})


def _version_url(family: str, version: str) -> str:
    return reverse("catalog:version_detail", kwargs={"family": family, "version": version})


def _html(response) -> str:
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    """The markup of the element with ``element_id`` up to its closing tag (same tag name)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', html)
    assert match, f"no element with id {element_id}"
    tag = match.group(1)
    depth, position = 0, match.start()
    for token in re.finditer(rf"<(/?){tag}\b[^>]*>", html[match.start() :]):
        depth += -1 if token.group(1) else 1
        if depth == 0:
            return html[position : match.start() + token.end()]
    raise AssertionError(f"unclosed {element_id}")


def _accessible_chart(figure: str) -> None:
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in figure
    assert 'role="img"' in figure or 'role="group"' in figure
    assert "<figcaption>" in figure
    assert "<details>" in figure
    assert "<table" in figure
    assert "style=" not in figure


def _claim(feature, *, status="published", family=None, release_date=None):
    version = factories.VersionFactory(
        status=status,
        family=family or factories.FamilyFactory(),
        release_date=release_date or datetime.date(2024, 3, 1),
    )
    factories.VersionFeatureFactory(version=version, feature=feature)
    return version


# -- features index ----------------------------------------------------------------------------


def test_feature_list_groups_features_by_category_with_counts_and_explanations(client):
    response = client.get(FEATURES)
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert 'id="feature-filters"' in html
    attention = _section(html, "category-attention")
    row = _section(attention, "feature-gqa")
    assert "Grouped-query attention (GQA)" in row
    # The one-line explanation is the description's first sentence.
    assert "Query heads are split into groups" in row
    assert "It keeps quality close to MHA" not in row
    gqa = ArchitectureFeature.objects.get(slug="gqa")
    using = len(selectors.feature_versions(gqa))
    assert using > 5
    assert f'<td class="num">{using}</td>' in row
    assert "RMSNorm" in _section(html, "category-normalization")
    assert "RMSNorm" not in attention


def test_feature_list_charts_adoption_with_a_data_table(client):
    html = _html(client.get(FEATURES))
    figure = _section(html, "feature-adoption-chart")
    _accessible_chart(figure)
    table = _section(figure, "feature-adoption-table")
    assert '<th scope="row">2024</th>' in table
    # The most used feature of the catalog is one of the lines, linked to its page.
    assert f'href="{_feature_url("rope")}"' in figure


def test_feature_list_filters_with_the_shared_filterset(client):
    html = _html(client.get(FEATURES, {"category": "attention"}))
    assert 'id="category-attention"' in html
    assert 'id="category-normalization"' not in html
    assert 'id="feature-rmsnorm"' not in html
    figure = _section(html, "feature-adoption-chart")
    assert "Grouped-query attention (GQA)" in figure
    assert "Rotary position embedding" not in figure

    html = _html(client.get(FEATURES, {"q": "rotary"}))
    assert 'id="feature-rope"' in html
    assert 'id="feature-gqa"' not in html

    html = _html(client.get(FEATURES, {"derivable": "true", "category": "attention"}))
    assert 'id="feature-gqa"' in html
    assert 'id="feature-dual-chunk-attention"' not in html

    html = _html(client.get(FEATURES, {"parent": "moe"}))
    assert 'id="feature-moe-shared-experts"' in html
    assert 'id="feature-moe"' not in html


def test_feature_list_explains_bad_filters(client):
    response = client.get(FEATURES, {"derivable": "maybe", "category": "nope"})
    assert response.status_code == 200
    html = _html(response)
    assert 'role="alert"' in html
    assert str(NOT_A_BOOLEAN) in html
    assert 'id="feature-filters"' in html


def test_feature_list_without_matches_says_so(client):
    html = _html(client.get(FEATURES, {"q": "zzzz-no-such-feature"}))
    assert 'id="feature-empty"' in html
    assert 'id="feature-adoption-chart"' not in html


def test_feature_list_hides_drafts_and_does_not_count_them(client):
    feature = factories.FeatureFactory(name="Counted feature")
    factories.FeatureFactory(name="Secret draft feature", status="draft")
    _claim(feature)
    _claim(feature, status="draft")
    _claim(feature, family=factories.FamilyFactory(status="draft"))
    html = _html(client.get(FEATURES))
    assert "Secret draft feature" not in html
    assert '<td class="num">1</td>' in _section(html, f"feature-{feature.slug}")


def test_feature_list_query_count_does_not_grow_with_rows(client):
    def build(n):
        for _ in range(n):
            feature = factories.FeatureFactory(category="training")
            for _ in range(n):
                _claim(feature)

    build(1)
    one = count_queries(lambda: client.get(FEATURES))
    build(5)
    many = count_queries(lambda: client.get(FEATURES))
    assert_same_query_count(one, many, "feature list")


def test_feature_list_in_chinese(client):
    response = client.get("/zh-hans" + FEATURES)
    assert response.status_code == 200
    html = _html(response)
    assert 'lang="zh-hans"' in html
    assert "分组查询注意力（GQA）" in html
    assert 'href="/zh-hans/features/gqa/"' in html


def test_feature_list_is_small(client):
    for url in (FEATURES, "/zh-hans" + FEATURES):
        assert len(client.get(url).content) < 100_000


# -- one feature -------------------------------------------------------------------------------


def test_gqa_page_lists_the_versions_using_it_curated_and_derived(client, monkeypatch):
    monkeypatch.setattr("catalog.views.features.FEATURE_VERSIONS", 500)  # Llama 2 is old
    response = client.get(_feature_url("gqa"))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    assert "Grouped-query attention (GQA)" in html
    assert 'id="feature-derivation"' in html
    table = _section(html, "feature-versions-table")
    assert f'href="{_version_url("llama", "llama-3")}"' in table
    assert "2024-04-18" in table
    # Llama 2 uses GQA only in its 70B checkpoints: the numbers say which.
    llama_2 = _section(table, "version-llama-llama-2")
    assert "Llama-2-70b" in llama_2
    assert "Llama-2-7b<" not in llama_2
    assert "Curated" in llama_2
    assert "Derived from architecture" in llama_2


def test_moe_page_lists_moe_versions_children_and_sources(client, monkeypatch):
    monkeypatch.setattr("catalog.views.features.FEATURE_VERSIONS", 500)  # Grok-1 is old
    html = _html(client.get(_feature_url("moe")))
    table = _section(html, "feature-versions-table")
    for family, version in (("deepseek", "deepseek-v3"), ("qwen", "qwen3"), ("grok", "grok-1")):
        assert f'href="{_version_url(family, version)}"' in table
    assert f'href="{_version_url("llama", "llama-3")}"' not in table
    children = _section(html, "feature-children")
    assert f'href="{_feature_url("moe-shared-experts")}"' in children
    assert "Sources" in html


def test_feature_page_links_its_broader_feature_and_charts_adoption(client):
    html = _html(client.get(_feature_url("rope-scaling-yarn")))
    assert f'href="{_feature_url("rope")}"' in _section(html, "feature-parent")
    figure = _section(html, "feature-adoption-chart")
    _accessible_chart(figure)
    assert 'id="feature-adoption-table"' in figure


def test_feature_page_of_a_curated_only_feature_has_no_derivation(client):
    html = _html(client.get(_feature_url("swiglu")))
    assert 'id="feature-derivation"' not in html
    assert "Derived from architecture" not in html


def test_unknown_and_draft_features_are_not_found(client):
    assert client.get(_feature_url("no-such-feature")).status_code == 404
    draft = factories.FeatureFactory(status="draft")
    assert client.get(_feature_url(draft.slug)).status_code == 404


def test_editors_see_a_draft_feature(client):
    draft = factories.FeatureFactory(status="draft", name="Work in progress")
    client.force_login(factories.make_editor())
    response = client.get(_feature_url(draft.slug))
    assert response.status_code == 200
    assert "Work in progress" in _html(response)


def test_feature_page_hides_draft_versions_variants_and_parent(client):
    parent = factories.FeatureFactory(status="draft", name="Hidden parent")
    feature = factories.FeatureFactory(parent=parent)
    shown = _claim(feature)
    hidden = _claim(feature, status="draft")
    hidden.name = "Hidden draft version"
    hidden.save()
    html = _html(client.get(_feature_url(feature.slug)))
    assert shown.name in html
    assert "Hidden draft version" not in html
    assert "Hidden parent" not in html
    # The draft version is not counted in the adoption table either.
    table = _section(html, "feature-adoption-table")
    assert '<th scope="row">2024</th><td class="num">1</td>' in table

    mqa = factories.VersionFactory(name="One KV head")
    factories.VariantFactory(version=mqa, num_kv_heads=1, name="Shown-MQA")
    factories.VariantFactory(version=mqa, num_kv_heads=1, name="Draft-MQA", status="draft")
    html = _html(client.get(_feature_url("mqa")))
    assert "Shown-MQA" in html
    assert "Draft-MQA" not in html


@pytest.mark.parametrize("slug", ["factory", "mqa"])
def test_feature_page_query_count_does_not_grow_with_versions(client, slug):
    feature = factories.FeatureFactory() if slug == "factory" else None
    url = _feature_url(feature.slug if feature else slug)

    def build(n):
        for _ in range(n):
            if feature:
                _claim(feature)
            else:
                version = factories.VersionFactory()
                factories.VariantFactory(version=version, num_kv_heads=1)
                factories.VariantFactory(version=version, num_kv_heads=1)

    build(1)
    one = count_queries(lambda: client.get(url))
    build(5)
    many = count_queries(lambda: client.get(url))
    assert_same_query_count(one, many, f"feature page ({slug})")


def test_feature_page_lists_the_latest_versions_and_links_all_variants(client, monkeypatch):
    monkeypatch.setattr(features, "FEATURE_VERSIONS", 2)
    feature = factories.FeatureFactory()
    for day in (1, 2, 3):
        version = _claim(feature, release_date=datetime.date(2024, 5, day))
        factories.VariantFactory(version=version)
    html = _html(client.get(_feature_url(feature.slug)))
    table = _section(html, "feature-versions-table")
    assert table.count("<tr id=") == 2
    assert "The 2 most recent of the 3 published versions that use it" in table
    assert "2024-05-03" in table
    assert "2024-05-01" not in table
    link = re.search(r'id="feature-versions-all" href="([^"]+)">([^<]+)<', html)
    assert link.group(1) == f"/models/?feature={feature.slug}&amp;ordering=-release_date"
    assert link.group(2) == "All 3 variants that use it, in the model list"
    listed = _html(client.get(link.group(1).replace("&amp;", "&")))
    assert ">3 variants<" in listed


def test_feature_page_names_a_few_deriving_variants_per_version(client, monkeypatch):
    monkeypatch.setattr(features, "DERIVING_VARIANTS", 1)
    version = factories.VersionFactory(name="Many KV-one variants")
    for name in ("One-MQA", "Two-MQA", "Three-MQA"):
        factories.VariantFactory(version=version, num_kv_heads=1, name=name)
    row = _section(
        _html(client.get(_feature_url("mqa"))), f"version-{version.family.slug}-{version.slug}"
    )
    # The version, one of its variants, and the version again for the other two.
    assert row.count("/families/") == 3
    assert "and 2 more</a>" in row


def test_feature_page_in_chinese(client):
    response = client.get("/zh-hans" + _feature_url("gqa"))
    assert response.status_code == 200
    html = _html(response)
    assert 'lang="zh-hans"' in html
    assert "分组查询注意力（GQA）" in html
    assert 'href="/zh-hans/families/llama/llama-3/"' in html
    assert len(response.content) < 100_000


# -- trends ------------------------------------------------------------------------------------


def test_trends_draws_three_accessible_charts(client):
    response = client.get(TRENDS)
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1") == 1
    for name in ("timeline", "parameters", "context"):
        figure = _section(html, f"trend-{name}-chart")
        _accessible_chart(figure)
        assert f'id="trend-{name}-table"' in figure


def test_trends_points_link_to_their_models(client):
    html = _html(client.get(TRENDS))
    timeline = _section(html, "trend-timeline-chart")
    # More versions than the chart draws one by one: a point per organisation and month,
    # linked to that month's versions (Llama 2: July 2023).
    assert "organization=meta&amp;released_after=2023-07-01&amp;released_before=2023-07-31" in (
        timeline
    )
    parameters = _section(html, "trend-parameters-chart")
    # More variants than the chart draws one by one: the largest of each kind per quarter,
    # the first of the two DeepSeek-V3 checkpoints of 671B for its quarter.
    variant = reverse(
        "catalog:variant_detail",
        kwargs={"family": "deepseek", "version": "deepseek-v3", "variant": "deepseek-v3-base"},
    )
    assert f'href="{variant}"' in parameters
    # Parameter counts on a log scale, dense and MoE apart.
    for tick in (">10B<", ">100B<", ">1T<"):
        assert tick in parameters
    assert "Mixture of experts" in parameters
    context = _section(html, "trend-context-chart")
    assert "128K" in context


def test_trends_leaves_out_drafts(client):
    factories.VersionFactory(name="Draft version", status="draft")
    factories.VersionFactory(
        name="Version of a draft family", family=factories.FamilyFactory(status="draft")
    )
    factories.VariantFactory(name="Draft-variant", status="draft")
    factories.VariantFactory(
        name="Variant-of-draft-version", version=factories.VersionFactory(status="draft")
    )
    html = _html(client.get(TRENDS))
    for name in ("Draft version", "Version of a draft family", "Draft-variant"):
        assert name not in html
    assert "Variant-of-draft-version" not in html


def test_trends_query_count_does_not_grow_with_rows(client):
    def build(n):
        for _ in range(n):
            factories.VariantFactory(version=factories.VersionFactory())

    build(1)
    one = count_queries(lambda: client.get(TRENDS))
    build(5)
    many = count_queries(lambda: client.get(TRENDS))
    assert_same_query_count(one, many, "trends")


def test_trends_in_chinese_and_small(client):
    response = client.get("/zh-hans" + TRENDS)
    assert response.status_code == 200
    html = _html(response)
    assert 'lang="zh-hans"' in html
    assert 'href="/zh-hans/versions/?organization=meta' in html
    assert len(response.content) < 100_000
    assert len(client.get(TRENDS).content) < 100_000


def test_trends_tables_sum_up_each_year_and_link_the_full_lists(client):
    html = _html(client.get(TRENDS))
    timeline = _section(html, "trend-timeline-table")
    assert '<th scope="row">2023</th>' in timeline
    assert 'href="/versions/?organization=meta&amp;ordering=release_date"' in timeline
    parameters = _section(html, "trend-parameters-table")
    llama_405b = reverse(
        "catalog:variant_detail",
        kwargs={"family": "llama", "version": "llama-3-1", "variant": "llama-3-1-405b"},
    )
    assert f'href="{llama_405b}"' in parameters  # the largest dense variant of 2024
    context = _section(html, "trend-context-table")
    assert '<td class="num">1M</td>' in context  # GLM-4-9B in 2024
    for name, url in (
        ("timeline", "/versions/?ordering=release_date"),
        ("parameters", "/models/?ordering=-total_parameters"),
        ("context", "/versions/?context__gte=1&amp;ordering=-max_context_tokens"),
    ):
        assert f'id="trend-{name}-list" href="{url}"' in html
        assert client.get(url.replace("&amp;", "&")).status_code == 200


def test_trends_aggregates_per_quarter_past_its_points(client, monkeypatch):
    monkeypatch.setattr(trends, "TREND_POINTS", 3)
    html = _html(client.get(TRENDS))
    for name in ("timeline", "parameters", "context"):
        _accessible_chart(_section(html, f"trend-{name}-chart"))
    timeline = _section(html, "trend-timeline-chart")
    assert "month by month" in timeline
    # Lines alone: only a line of one point keeps its marker.
    assert timeline.count('class="chart-marker"') <= 8
    parameters = _section(html, "trend-parameters-chart")
    assert "largest dense model or the largest mixture of experts released in a quarter" in (
        parameters
    )
    grok_1 = reverse(
        "catalog:variant_detail",
        kwargs={"family": "grok", "version": "grok-1", "variant": "grok-1"},
    )
    assert f'href="{grok_1}"' in parameters  # the largest MoE of its quarter
    llama_2_7b = reverse(
        "catalog:variant_detail",
        kwargs={"family": "llama", "version": "llama-2", "variant": "llama-2-7b"},
    )
    assert f'href="{llama_2_7b}"' not in parameters.split("<details>")[0]
    context = _section(html, "trend-context-chart")
    assert "the version with the longest context released in a quarter" in context


def test_trends_stays_small_at_the_most_points_it_draws_one_by_one(client):
    """The heaviest page: as many versions and variants as the charts draw point by point,
    with long names, in Chinese too."""
    ModelVersion.objects.update(status="draft")
    organizations = Organization.objects.bulk_create(
        Organization(slug=f"heavy-{o}", name=f"Heavy Organisation {o}", name_zh=f"重量级组织{o}")
        for o in range(8)
    )
    families = ModelFamily.objects.bulk_create(
        ModelFamily(slug=f"heavy-family-{o}", name=f"Heavy Family {o}", organization=organization)
        for o, organization in enumerate(organizations)
    )
    versions = ModelVersion.objects.bulk_create(
        ModelVersion(
            family=families[n % 8],
            slug=f"heavy-version-{n}",
            name=f"Heavy Family {n % 8} Version {n} Instruct",
            name_zh=f"重量级模型版本第{n}号指令",
            release_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n * 17),
            max_context_tokens=2 ** (12 + n % 8),
        )
        for n in range(trends.TREND_POINTS)
    )
    ModelVariant.objects.bulk_create(
        ModelVariant(
            version=version,
            slug=f"heavy-variant-{n}",
            name=f"Heavy-Family-{n % 8}-Version-{n}-123B-Instruct",
            total_parameters=123_456_789_012 + n,
            active_parameters=12_345_678_901 if n % 2 else None,
            num_experts=64 if n % 2 else None,
            num_experts_per_token=8 if n % 2 else None,
            moe_intermediate_size=1408 if n % 2 else None,
        )
        for n, version in enumerate(versions)
    )
    for url in (TRENDS, "/zh-hans" + TRENDS):
        html = _html(client.get(url))
        parameters = _section(html, "trend-parameters-chart")
        assert parameters.count('tabindex="-1"') == trends.TREND_POINTS
        assert len(html.encode()) < 100_000, url


def test_trends_with_an_empty_catalog_says_no_data(client):
    ModelVersion.objects.update(status="draft")
    html = _html(client.get(TRENDS))
    assert html.count(">No data<") == 3
