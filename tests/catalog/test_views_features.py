"""The architecture feature pages and the trends page."""

import datetime
import re

import pytest
from django.urls import reverse as django_reverse
from django.utils import translation

from catalog import selectors
from catalog.models import ArchitectureFeature, ModelVersion
from llmregistry.filtering import NOT_A_BOOLEAN
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
    assert 'role="img"' in figure
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


def test_gqa_page_lists_the_versions_using_it_curated_and_derived(client):
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


def test_moe_page_lists_moe_versions_children_and_sources(client):
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
    llama_2 = _version_url("llama", "llama-2")
    assert f'<a href="{llama_2}" tabindex="-1">' in timeline
    parameters = _section(html, "trend-parameters-chart")
    variant = reverse(
        "catalog:variant_detail",
        kwargs={"family": "deepseek", "version": "deepseek-v3", "variant": "deepseek-v3"},
    )
    assert f'href="{variant}"' in parameters
    # Parameter counts on a log scale, dense and MoE apart.
    for tick in (">1B<", ">10B<", ">100B<"):
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
    assert 'href="/zh-hans/families/llama/llama-2/"' in html
    assert len(response.content) < 100_000
    assert len(client.get(TRENDS).content) < 100_000


def test_trends_with_an_empty_catalog_says_no_data(client):
    ModelVersion.objects.update(status="draft")
    html = _html(client.get(TRENDS))
    assert html.count(">No data<") == 3
