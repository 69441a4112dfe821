"""Every public page stays under 100 KB of HTML however large the catalog grows (issue 5), in a
number of queries that does not grow with it.

One catalog for the module, built in bulk: 40 families of 8 organisations, 400 versions, 2,000
variants (dense ones and mixtures of experts), four architecture features claimed by every
version, one licence for every version and another that one variant in ten overrides to. Each
page's queries are counted first on the catalog's first version alone (its family, its five
variants), and again once the rest is added.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from catalog.extensions import MODEL_ROWS
from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    VersionFeature,
)
from catalog.views.compare import COMPARE_CHOICES
from catalog.views.features import FEATURE_VERSIONS
from catalog.views.license_check import CHECK_CHOICES
from catalog.views.trends import TREND_POINTS
from evaluations.models import Benchmark, Result
from licenses.models import License
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

MAX_PAGE_BYTES = 100_000
ORGANIZATIONS = 8
FAMILIES = 40
VERSIONS_PER_FAMILY = 10
VARIANTS_PER_VERSION = 5
VARIANTS = FAMILIES * VERSIONS_PER_FAMILY * VARIANTS_PER_VERSION
OVERRIDE_EVERY = 10  # one variant in ten overrides its version's licence
FIRST_RELEASE = datetime.date(2019, 1, 7)
# (slug, category): two features derived from a variant's numbers, two only claimed.
FEATURES = (
    ("gqa", "attention"),
    ("moe", "ffn_moe"),
    ("rope", "position_encoding"),
    ("swiglu", "activation"),
)
MAIN, SHARED, PROFILE = "size-main", "size-shared", "size-profile"
BENCHMARK = "size-bench"
# Four variants of the first version, there from the start.
COMPARED = [f"size-family-0/size-0-0/size-0-0-v{index}" for index in range(4)]


def _variant(version: ModelVersion, number: int, index: int, shared) -> ModelVariant:
    """Variant ``index`` of ``version`` (``number`` in the whole catalog): 7B steps, one in
    three a mixture of experts, grouped-query attention throughout."""
    total = (index + 1) * 7_000_000_000 + number
    moe = number % 3 == 0
    return ModelVariant(
        version=version,
        slug=f"{version.slug}-v{index}",
        name=f"Size-{version.slug.removeprefix('size-')}-{index + 1}x7B-Instruct",
        kind="instruct" if index % 2 else "base",
        total_parameters=total,
        active_parameters=total // 8 if moe else None,
        num_layers=32,
        hidden_size=4096,
        num_attention_heads=32,
        num_kv_heads=8,
        head_dim=128,
        intermediate_size=11008,
        vocab_size=128_000,
        num_experts=64 if moe else None,
        num_experts_per_token=8 if moe else None,
        moe_intermediate_size=1408 if moe else None,
        max_position_embeddings=131_072,
        hf_repo_id=f"size-org/{version.slug}-v{index}",
        license=shared if number % OVERRIDE_EVERY == 0 else None,
    )


def _add_versions(pairs: list[tuple[int, int]]) -> None:
    """Version ``v`` of family ``f`` for each pair, with its families as needed, its feature
    claims and its variants."""
    organizations = list(Organization.objects.filter(slug__startswith="size-").order_by("slug"))
    main, shared = License.objects.get(slug=MAIN), License.objects.get(slug=SHARED)
    features = list(ArchitectureFeature.objects.filter(slug__in=[s for s, _ in FEATURES]))
    families = {family.slug: family for family in ModelFamily.objects.all()}
    missing = sorted({f for f, _v in pairs if f"size-family-{f}" not in families})
    for family in ModelFamily.objects.bulk_create(
        ModelFamily(
            slug=f"size-family-{f}",
            name=f"Size Family {f}",
            name_zh=f"规模家族 {f}",
            organization=organizations[f % ORGANIZATIONS],
        )
        for f in missing
    ):
        families[family.slug] = family
    versions = ModelVersion.objects.bulk_create(
        ModelVersion(
            family=families[f"size-family-{f}"],
            slug=f"size-{f}-{v}",
            name=f"Size {f}.{v}",
            release_date=FIRST_RELEASE
            + datetime.timedelta(days=(f * VERSIONS_PER_FAMILY + v) * 53 % 2300),
            license=main,
            default_context_tokens=8192,
            max_context_tokens=2 ** (13 + (f + v) % 8),
        )
        for f, v in pairs
    )
    VersionFeature.objects.bulk_create(
        VersionFeature(version=version, feature=feature)
        for version in versions
        for feature in features
    )
    variants = ModelVariant.objects.bulk_create(
        (
            _variant(version, (f * VERSIONS_PER_FAMILY + v) * VARIANTS_PER_VERSION + i, i, shared)
            for (f, v), version in zip(pairs, versions, strict=True)
            for i in range(VARIANTS_PER_VERSION)
        ),
        batch_size=1000,
    )
    # One published result per variant, half of them under a second setting.
    benchmark = Benchmark.objects.get(slug=BENCHMARK)
    results = []
    for number, variant in enumerate(variants):
        result = Result(
            variant=variant,
            benchmark=benchmark,
            value=Decimal(30 + number % 60),
            metric="accuracy",
            shots=5 if number % 2 else 0,
            reported_by="publisher",
            reporter="Size publisher",
            date=FIRST_RELEASE,
            source_url=f"https://example.org/size/{variant.slug}",
            source_title="A model card of the large catalog",
            source_locator="Table 1",
            source_quote=f"| {variant.name} | {30 + number % 60} |",
        )
        result.comparable_key = result.compute_comparable_key()
        results.append(result)
    Result.objects.bulk_create(results, batch_size=1000)


def _pages() -> dict[str, str]:
    """Every kind of public page whose content depends on the catalog."""
    compare = "&".join(f"variant={key}" for key in COMPARED)
    return {
        "home": reverse("catalog:home"),
        "model list": reverse("catalog:variant_list"),
        "version list": reverse("catalog:version_list"),
        "family list": reverse("catalog:family_list"),
        "family": reverse("catalog:family_detail", args=["size-family-0"]),
        "feature list": reverse("catalog:feature_list"),
        "derived feature": reverse("catalog:feature_detail", args=["gqa"]),
        "claimed feature": reverse("catalog:feature_detail", args=["swiglu"]),
        "trends": reverse("catalog:trends"),
        "licence list": reverse("licenses:license_list"),
        "licence of versions": reverse("licenses:license_detail", args=[MAIN]),
        "licence of overrides": reverse("licenses:license_detail", args=[SHARED]),
        "licence checker": reverse("licenses:license_check"),
        "hardware": reverse("hardware:index"),
        "can I run it": f"{reverse('hardware:fit')}?profile={PROFILE}",
        "compare": f"{reverse('catalog:compare')}?{compare}",
        "benchmarks": reverse("evaluations:benchmark_list"),
        "leaderboard": reverse("evaluations:benchmark_detail", args=[BENCHMARK]),
        "leaderboard, every setting, on hardware": (
            f"{reverse('evaluations:benchmark_detail', args=[BENCHMARK])}"
            f"?all_settings=on&profile={PROFILE}&precision=awq-int4"
        ),
        "best model that fits": (
            f"{reverse('evaluations:best_fit')}?profile={PROFILE}&precision=awq-int4"
            f"&benchmark={BENCHMARK}"
        ),
    }


@pytest.fixture(scope="module")
def large_catalog(django_db_setup, django_db_blocker):
    """The large catalog, and each page's queries on its first version alone; rolled back
    after the module."""
    from django.conf import settings
    from django.core.cache import cache

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(REGISTRY_PAGE_CACHE_SECONDS=0, STORAGES=storages),
    ):
        factories.LicenseFactory(slug=MAIN, name="Size main licence")
        factories.LicenseFactory(slug=SHARED, name="Size shared licence")
        factories.ProfileFactory(slug=PROFILE)
        factories.BenchmarkFactory(slug=BENCHMARK, name="Size bench")
        Organization.objects.bulk_create(
            Organization(slug=f"size-org-{o}", name=f"Size Organisation {o}", country="US")
            for o in range(ORGANIZATIONS)
        )
        ArchitectureFeature.objects.bulk_create(
            ArchitectureFeature(slug=slug, name=slug.upper(), category=category)
            for slug, category in FEATURES
        )
        _add_versions([(0, 0)])
        client = Client()
        for url in _pages().values():
            client.get(url)  # content types and translations are cached from here on
        cache.clear()
        first = {
            name: count_queries(lambda url=url: client.get(url)) for name, url in _pages().items()
        }
        _add_versions(
            [
                (f, v)
                for f in range(FAMILIES)
                for v in range(VERSIONS_PER_FAMILY)
                if (f, v) != (0, 0)
            ]
        )
        yield first
        transaction.set_rollback(True)


@pytest.fixture
def client(large_catalog):
    return Client()


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _section(html: str, element_id: str) -> str:
    """The markup from the element with ``element_id`` to its closing tag (same tag name)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"', html)
    assert match, f"no element with id {element_id}"
    tag = match.group(1)
    depth = 0
    for token in re.finditer(rf"<(/?){tag}\b[^>]*>", html[match.start() :]):
        depth += -1 if token.group(1) else 1
        if depth == 0:
            return html[match.start() : match.start() + token.end()]
    raise AssertionError(f"unclosed {element_id}")


def _link(html: str, element_id: str) -> str:
    href = re.search(rf'id="{element_id}" href="([^"]+)"', html)
    assert href, f"no link {element_id}"
    return href.group(1).replace("&amp;", "&")


def _listed(client, url: str, what: str) -> int:
    """The number of rows a list page says it lists at ``url``."""
    status = _section(_get(client, url), f"{what}-count")
    return int(re.search(r">([\d,]+) ", status).group(1).replace(",", ""))


@pytest.mark.parametrize("language", ["", "/zh-hans"])
@pytest.mark.parametrize("page", list(_pages()))
def test_every_public_page_stays_under_100_kb_with_a_large_catalog(client, page, language):
    assert ModelVariant.objects.filter(name__startswith="Size-").count() == VARIANTS
    size = len(client.get(language + _pages()[page]).content)
    assert size < MAX_PAGE_BYTES, f"{page}: {size} bytes"


@pytest.mark.parametrize("page", list(_pages()))
def test_page_queries_do_not_grow_with_the_catalog(client, large_catalog, page):
    url = _pages()[page]
    client.get(url)
    assert_same_query_count(
        large_catalog[page], count_queries(lambda: client.get(url)), f"{page} (1 version, 400)"
    )


def test_trends_aggregates_past_its_points_and_sums_up_per_year(client):
    html = _get(client, reverse("catalog:trends"))
    for name in ("timeline", "parameters", "context"):
        figure = _section(html, f"trend-{name}-chart")
        svg = figure[figure.index("<svg") : figure.index("</svg>")]
        assert len(svg) < 25_000, name
        assert len(re.findall(r'class="chart-marker"', svg)) <= TREND_POINTS, name
        rows = _section(figure, f"trend-{name}-table").count('<th scope="row">')
        assert 1 < rows <= 12, name  # one a year
    timeline = _section(html, "trend-timeline-chart")
    # Eight organisations: each its own line, and column.
    assert _section(timeline, "trend-timeline-table").count("Size Organisation") == ORGANIZATIONS
    assert "Other organisations" not in timeline
    assert _listed(client, _link(html, "trend-timeline-list"), "version") == 400
    parameters = _section(html, "trend-parameters-chart")
    assert "largest dense model or the largest mixture of experts" in parameters
    assert _listed(client, _link(html, "trend-parameters-list"), "variant") == VARIANTS
    context = _link(html, "trend-context-list")
    assert "ordering=-max_context_tokens" in context
    assert _listed(client, context, "version") == 400


def test_trends_puts_all_but_seven_organisations_together(client):
    extra = [Organization(slug=f"size-org-extra-{o}", name=f"Extra {o}") for o in range(3)]
    Organization.objects.bulk_create(extra)
    family = ModelFamily.objects.create(slug="size-extra", name="Extra", organization=extra[0])
    ModelVersion.objects.create(family=family, slug="x", name="X", release_date=FIRST_RELEASE)
    timeline = _section(_get(client, reverse("catalog:trends")), "trend-timeline-chart")
    assert "Other organisations" in timeline.split("<details>")[0]  # a line of the chart
    table = _section(timeline, "trend-timeline-table")
    assert table.count('<th scope="col"') == 1 + 7 + 1 + 1  # year, seven, the others, all
    assert "Extra 0" not in table


@pytest.mark.parametrize("slug", ["gqa", "swiglu"])
def test_feature_page_lists_the_latest_versions_and_links_every_variant(client, slug):
    html = _get(client, reverse("catalog:feature_detail", args=[slug]))
    table = _section(html, "feature-versions-table")
    assert table.count("<tr id=") == FEATURE_VERSIONS
    assert f"The {FEATURE_VERSIONS} most recent of the 400 published versions" in table
    newest = ModelVersion.objects.filter(slug__startswith="size-").order_by("-release_date")[0]
    assert f'id="version-{newest.family.slug}-{newest.slug}"' in table
    link = _link(html, "feature-versions-all")
    assert f"feature={slug}" in link
    assert f"All {VARIANTS} variants that use it" in html
    assert _listed(client, link, "variant") == VARIANTS


def test_licence_page_lists_the_latest_models_and_links_them_all(client):
    html = _get(client, reverse("licenses:license_detail", args=[MAIN]))
    versions = _section(html, "license-versions")
    assert versions.count('<th scope="row">') == MODEL_ROWS
    assert f"The {MODEL_ROWS} most recent of the 400 versions" in versions
    assert "400 versions, 1800 variants" in re.sub(r"\s+", " ", html)
    assert _listed(client, _link(html, "license-versions-all"), "version") == 400
    assert _listed(client, _link(html, "license-variants-all"), "variant") == 1800

    html = _get(client, reverse("licenses:license_detail", args=[SHARED]))
    variants = _section(html, "license-variants")
    assert variants.count('<th scope="row">') == MODEL_ROWS
    assert f"The {MODEL_ROWS} most recent of the 200 variants" in variants
    assert _listed(client, _link(html, "license-variants-all"), "variant") == 200


def test_pickers_offer_the_latest_variants_and_the_chosen_ones(client):
    oldest = "size-family-0/size-0-0/size-0-0-v4"
    html = _get(client, f"{reverse('catalog:compare')}?variant={COMPARED[0]}&variant={oldest}")
    picker = _section(html, "compare-variant-1")
    assert picker.count("<option value=") == 1 + COMPARE_CHOICES + 2
    assert f'value="{oldest}"' in _section(html, "compare-variant-2")
    assert 'id="compare-choices-note"' in html
    assert html.count('<th scope="col">') == 2

    html = _get(client, f"{reverse('licenses:license_check')}?variant={oldest}")
    picker = _section(html, "id_variant")
    assert picker.count("<option value=") == 1 + CHECK_CHOICES + 1
    assert f'value="{oldest}" selected' in picker
    assert 'id="license-check-results"' in html
    assert "most recently released models are listed" in html
