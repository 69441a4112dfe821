"""The version page and the variant page (catalog/views/version.py, variant.py)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.views.variant import ARCHITECTURE_GROUPS
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

MAX_HTML_BYTES = 100_000


def _version_url(version, language: str = "") -> str:
    url = reverse(
        "catalog:version_detail", kwargs={"family": version.family.slug, "version": version.slug}
    )
    return f"/{language}{url}" if language else url


def _variant_url(variant, language: str = "") -> str:
    url = reverse(
        "catalog:variant_detail",
        kwargs={
            "family": variant.version.family.slug,
            "version": variant.version.slug,
            "variant": variant.slug,
        },
    )
    return f"/{language}{url}" if language else url


def _html(response) -> str:
    return response.content.decode()


def _row(html: str, table_id: str) -> str:
    """The markup of one table, by id."""
    match = re.search(rf'<table id="{table_id}".*?</table>', html, re.DOTALL)
    assert match, f"no table #{table_id}"
    return match.group(0)


@pytest.fixture
def client():
    return Client()


@pytest.fixture(autouse=True)
def _english():
    """A request under /zh-hans/ leaves Chinese active in the thread, and ``reverse()`` would
    then prefix URLs: every test starts in English."""
    translation.activate("en")
    yield
    translation.activate("en")


# -- version page ---------------------------------------------------------------------------


@pytest.fixture
def features():
    return {
        slug: factories.FeatureFactory(slug=slug, name=name, derivable=True)
        for slug, name in (("mha", "MHA"), ("gqa", "GQA"), ("moe", "MoE"))
    }


def _version(*, variants: int = 1, features: int = 1, **kwargs):
    version = factories.VersionFactory(**kwargs)
    for index in range(variants):
        factories.VariantFactory(version=version, total_parameters=(index + 1) * 10**9)
    for _ in range(features):
        factories.VersionFeatureFactory(version=version)
    return version


def test_version_page_shows_release_facts_variants_and_sources(client):
    licence = factories.LicenseFactory(
        name="Open Weights 1.0", summary="Use it for anything.", commercial_use="allowed"
    )
    version = factories.VersionFactory(
        name="Model 2",
        release_date=datetime.date(2024, 9, 19),
        training_tokens=18 * 10**12,
        max_context_tokens=131072,
        default_context_tokens=32768,
        languages=["zh", "en"],
        modalities=["text"],
        capabilities=["tool_calling"],
        license=licence,
        seed_claim="It was released in January 2025.",
    )
    variant = factories.VariantFactory(version=version, name="Model-2-7B", num_kv_heads=4)
    factories.CitationFactory(
        record=version, fields=["training_tokens"], source__title="Technical report"
    )
    response = client.get(_version_url(version))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1>") == 1
    assert "Model 2" in html
    assert "18T" in html
    assert "128K tokens maximum" in html
    assert "Chinese" in html
    assert "English" in html
    assert "Tool calling" in html
    assert "Open Weights 1.0" in html
    assert "Use it for anything." in html
    assert "The original seed document said:" in html
    assert "It was released in January 2025." in html
    table = _row(html, "version-variants")
    assert _variant_url(variant) in table
    assert "Model-2-7B" in table
    assert "32 / 4" in table  # heads / KV heads
    # The cited fact carries a marker linking to the sources list.
    assert f'href="#sources-{version.pk}" aria-label="Source 1">[1]</a>' in html
    assert f'id="sources-{version.pk}"' in html
    assert "Technical report" in html
    assert len(response.content) < MAX_HTML_BYTES


def test_version_page_flags_curated_features_the_numbers_contradict(client, features):
    version = factories.VersionFactory()
    factories.VariantFactory(version=version)  # 32 heads, 32 KV heads: MHA
    factories.VersionFeatureFactory(version=version, feature=features["gqa"])
    factories.VersionFeatureFactory(version=version, feature=factories.FeatureFactory(name="RoPE"))
    html = _html(client.get(_version_url(version)))
    table = _row(html, "version-features")
    assert re.search(r'data-feature="gqa" data-status="contradicted"', table)
    assert re.search(r'data-feature="mha" data-status="not_curated"', table)
    assert "Contradicted: no variant&#x27;s numbers show it" in table
    assert "Not curated: the numbers show it" in table
    assert "RoPE" in table
    assert "not derivable" in table
    assert 'data-feature="moe"' not in table  # neither curated nor shown


def test_version_page_confirms_a_claim_any_variant_shows(client, features):
    version = factories.VersionFactory()
    factories.VariantFactory(version=version, num_kv_heads=8, name="Big-GQA")
    factories.VariantFactory(version=version, name="Small-MHA")
    factories.VersionFeatureFactory(version=version, feature=features["gqa"])
    factories.VersionFeatureFactory(version=version, feature=features["mha"])
    table = _row(_html(client.get(_version_url(version))), "version-features")
    assert 'data-feature="gqa" data-status="confirmed"' in table
    assert 'data-feature="mha" data-status="confirmed"' in table
    assert "Big-GQA" in table


def test_version_page_cannot_check_claims_without_numbers(client, features):
    version = factories.VersionFactory()
    factories.VariantFactory(
        version=version,
        **dict.fromkeys(
            ("num_layers", "hidden_size", "num_attention_heads", "num_kv_heads", "head_dim"), None
        ),
    )
    factories.VersionFeatureFactory(version=version, feature=features["gqa"])
    table = _row(_html(client.get(_version_url(version))), "version-features")
    assert 'data-feature="gqa" data-status="unchecked"' in table


def test_version_page_diffs_against_its_predecessor(client, features):
    old_licence = factories.LicenseFactory(name="Old licence")
    previous = factories.VersionFactory(
        name="Model 1",
        max_context_tokens=32768,
        default_context_tokens=4096,
        training_tokens=7 * 10**12,
        license=old_licence,
        release_date=datetime.date(2023, 1, 1),
    )
    factories.VariantFactory(version=previous, total_parameters=7 * 10**9)
    factories.VariantFactory(version=previous, total_parameters=57 * 10**9, num_kv_heads=8)
    factories.VersionFeatureFactory(version=previous, feature=features["moe"])
    version = factories.VersionFactory(
        family=previous.family,
        predecessor=previous,
        max_context_tokens=131072,
        default_context_tokens=4096,
        training_tokens=18 * 10**12,
        release_date=datetime.date(2024, 1, 1),
    )
    factories.VariantFactory(version=version, total_parameters=7 * 10**9)
    factories.VariantFactory(version=version, total_parameters=3 * 10**9)
    factories.VersionFeatureFactory(version=version, feature=features["mha"])
    html = _html(client.get(_version_url(version)))
    assert "Compared with its predecessor" in html
    assert _version_url(previous) in html
    diff = _row(html, "version-diff-table")
    assert '<del class="diff-old">32K</del>' in diff
    assert '<ins class="diff-new">128K</ins>' in diff
    assert '<del class="diff-old">7T</del>' in diff
    assert '<ins class="diff-new">18T</ins>' in diff
    assert '<del class="diff-old">Old licence</del>' in diff
    assert '<del class="diff-old">MoE</del>' in diff
    assert '<ins class="diff-new">MHA</ins>' in diff
    assert '<del class="diff-old">57B</del>' in diff  # a size no longer offered
    assert '<ins class="diff-new">3B</ins>' in diff
    assert '<del class="diff-old">GQA</del>' in diff  # attention of the 57B
    assert 'data-field="default_context_tokens"' not in diff  # unchanged
    assert "Default context" in html.split('id="version-diff-table"')[1]  # listed as unchanged


def test_version_page_without_predecessor_diffs_against_the_previous_release(client):
    older = factories.VersionFactory(name="Gen 1", release_date=datetime.date(2023, 1, 1))
    previous = factories.VersionFactory(
        family=older.family, name="Gen 2", release_date=datetime.date(2023, 6, 1)
    )
    version = factories.VersionFactory(
        family=older.family, name="Gen 3", release_date=datetime.date(2024, 1, 1)
    )
    factories.VersionFactory(family=older.family, release_date=datetime.date(2024, 6, 1))
    factories.VersionFactory(release_date=datetime.date(2023, 12, 1))  # another family
    html = _html(client.get(_version_url(version)))
    assert "Compared with the version of the same family released before it" in html
    assert _version_url(previous) in html
    assert _version_url(older) not in html


def test_the_first_version_of_a_family_has_nothing_to_compare(client):
    version = factories.VersionFactory()
    html = _html(client.get(_version_url(version)))
    assert "there is nothing to compare it with" in html
    assert 'id="version-diff-table"' not in html


def test_a_draft_predecessor_is_skipped_for_the_previous_release(client):
    shown = factories.VersionFactory(name="Shown", release_date=datetime.date(2023, 1, 1))
    draft = factories.VersionFactory(
        family=shown.family,
        name="Hidden draft",
        status="draft",
        release_date=datetime.date(2023, 6, 1),
    )
    version = factories.VersionFactory(
        family=shown.family, predecessor=draft, release_date=datetime.date(2024, 1, 1)
    )
    html = _html(client.get(_version_url(version)))
    assert "Hidden draft" not in html
    assert _version_url(shown) in html


def test_version_page_hides_draft_variants_and_features(client):
    version = factories.VersionFactory()
    factories.VariantFactory(version=version, name="Public-7B")
    factories.VariantFactory(version=version, name="Secret-13B", status="draft")
    factories.VersionFeatureFactory(
        version=version, feature__name="Secret feature", feature__status="draft"
    )
    html = _html(client.get(_version_url(version)))
    assert "Public-7B" in html
    assert "Secret-13B" not in html
    assert "Secret feature" not in html


@pytest.mark.parametrize(
    "change",
    [
        {"status": "draft"},
        {"family__status": "draft"},
    ],
)
def test_draft_versions_and_families_are_not_found(client, change):
    version = factories.VersionFactory(**{k: v for k, v in change.items() if "__" not in k})
    if "family__status" in change:
        version.family.status = "draft"
        version.family.save()
    assert client.get(_version_url(version)).status_code == 404


def test_editors_see_a_draft_version(client):
    version = factories.VersionFactory(status="draft", name="Work in progress")
    client.force_login(factories.make_editor())
    response = client.get(_version_url(version))
    assert response.status_code == 200
    assert "Work in progress" in _html(response)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"family": "nope", "version": "nope"},
        {"family": "nope", "version": "x"},
    ],
)
def test_unknown_versions_are_not_found(client, kwargs):
    assert client.get(reverse("catalog:version_detail", kwargs=kwargs)).status_code == 404


def test_a_version_of_another_family_is_not_found(client):
    version = factories.VersionFactory()
    other = factories.FamilyFactory()
    url = reverse("catalog:version_detail", kwargs={"family": other.slug, "version": version.slug})
    assert client.get(url).status_code == 404


def test_version_page_renders_in_chinese(client):
    version = factories.VersionFactory(name="Model", name_zh="模型")
    factories.VariantFactory(version=version)
    response = client.get(_version_url(version, "zh-hans"))
    assert response.status_code == 200
    html = _html(response)
    assert 'lang="zh-hans"' in html
    assert "模型" in html


def _predecessor_for(version):
    previous = _version(variants=2, features=2, family=version.family)
    previous.release_date = datetime.date(2023, 1, 1)
    previous.save()
    version.predecessor = previous
    version.save()


@pytest.mark.parametrize("what", ["variants", "features"])
def test_version_page_query_count_does_not_grow_with_rows(client, what):
    one = _version(**{what: 1})
    many = _version(**{what: 5})
    for version in (one, many):
        _predecessor_for(version)
    client.get(_version_url(one))  # warm the content-type cache
    assert_same_query_count(
        count_queries(lambda: client.get(_version_url(one))),
        count_queries(lambda: client.get(_version_url(many))),
        f"version page, {what}",
    )


# -- variant page ---------------------------------------------------------------------------


def test_every_architecture_field_is_shown_in_exactly_one_group():
    grouped = [name for _, _, names in ARCHITECTURE_GROUPS for name in names]
    assert sorted(grouped) == sorted(ARCHITECTURE_FIELDS)


@pytest.fixture
def licence():
    licence = factories.LicenseFactory(
        name="Community Licence",
        commercial_use="conditional",
        mau_threshold=700_000_000,
        outputs_train_other_models="restricted",
        attribution_required=True,
        naming_requirement='Prefix "Llama" to derived model names',
    )
    factories.CitationFactory(
        record=licence,
        fields=["mau_threshold"],
        quote="greater than 700 million monthly active users",
    )
    factories.CitationFactory(
        record=licence, fields=["outputs_train_other_models"], quote="You will not use outputs"
    )
    return licence


def test_variant_page_shows_architecture_parameters_memory_and_links(client, licence):
    variant = factories.VariantFactory(
        name="Model-7B",
        version__license=licence,
        hf_repo_id="org/Model-7B",
        modelscope_repo_id="org/Model-7B-ms",
        max_position_embeddings=4096,
        tie_word_embeddings=False,
        rope_theta=10000.0,
        config=None,
    )
    factories.CitationFactory(
        record=variant, fields=["total_parameters"], source__title="config.json"
    )
    response = client.get(_variant_url(variant))
    assert response.status_code == 200
    html = _html(response)
    assert html.count("<h1>") == 1
    # Architecture, grouped, every field.
    for title in ("Dimensions", "Attention", "Mixture of experts", "Positional encoding"):
        assert title in html
    assert 'data-field="num_kv_heads"' in html
    assert "Dense model: no experts." in html
    # Parameters with their source marker and the embedding share.
    assert "6.74B" in html
    assert "6,738,415,616" in html
    assert f'href="#sources-{variant.pk}" aria-label="Source 1">[1]</a>' in html
    assert "Embedding share" in html
    # Memory per precision and context: the chart and its data table.
    assert 'id="variant-memory-chart"' in html
    assert "<svg" in html
    assert 'role="img"' in html
    memory = _row(html, "variant-memory-table")
    assert 'data-precision="bf16" data-context="4096"' in memory
    assert 'data-precision="awq-int4"' in memory
    assert 'data-context="32768"' not in memory  # beyond the model's 4K
    # Links.
    key = f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"
    assert 'href="https://huggingface.co/org/Model-7B"' in html
    assert 'href="https://modelscope.cn/models/org/Model-7B-ms"' in html
    assert f'href="{reverse("catalog:compare")}?variant={key}"' in html
    assert f'href="{reverse("hardware:fit")}?variant={key}"' in html
    # Licence terms with the quoted clauses behind them.
    terms = _row(html, "variant-license-terms")
    assert "Conditional" in terms
    assert "Above 700,000,000" in terms  # the licence page's wording (licenses/terms.py)
    assert "greater than 700 million monthly active users" in terms
    assert "You will not use outputs" in terms
    assert "Prefix &quot;Llama&quot; to derived model names" in terms
    assert "the version's licence" in html
    assert len(response.content) < MAX_HTML_BYTES


def test_variant_page_lists_the_hardware_that_fits(client):
    variant = factories.VariantFactory()
    profile = factories.ProfileFactory(name="1 × H100 80GB")
    factories.RecommendationFactory(
        variant=variant,
        precision="bf16",
        context_tokens=4096,
        smallest_profile=profile,
        fitting_profiles=[profile.slug, "other"],
        decode_tokens_per_s=212.4,
        breakdown={"fits": [{"profile": profile.slug, "headroom_bytes": 50 * 1024**3}]},
    )
    factories.RecommendationFactory(
        variant=variant, workload="full", smallest_profile=None, fitting_profiles=[]
    )
    html = _html(client.get(_variant_url(variant)))
    fits = _row(html, "variant-fits")
    assert "1 × H100 80GB" in fits
    assert reverse("hardware:profile_detail", kwargs={"slug": profile.slug}) in fits
    assert "and 1 more profile fits" in fits
    assert "50.0 GiB" in fits
    assert "212 tokens/s" in fits
    assert "No published profile fits" in fits
    # Inference rows come before fine-tuning rows.
    assert fits.index('data-workload="inference"') < fits.index('data-workload="full"')


def test_a_draft_profile_is_not_shown_as_the_fit(client):
    variant = factories.VariantFactory()
    profile = factories.ProfileFactory(name="Secret rig", status="draft")
    factories.RecommendationFactory(variant=variant, smallest_profile=profile)
    html = _html(client.get(_variant_url(variant)))
    assert "Secret rig" not in html


def test_variant_page_shows_lineage_both_ways_across_families(client):
    base = factories.VariantFactory(name="Base-7B")
    variant = factories.VariantFactory(name="Chat-7B", version=base.version)
    teacher = factories.VariantFactory(name="Teacher-671B")  # another family
    student = factories.VariantFactory(name="Student-1B")
    hidden = factories.VariantFactory(name="Hidden-1B", status="draft")
    factories.LineageFactory(parent=base, child=variant, kind="instruct_tune")
    factories.LineageFactory(parent=teacher, child=variant, kind="distill")
    factories.LineageFactory(parent=variant, child=student, kind="quantize")
    factories.LineageFactory(parent=variant, child=hidden, kind="finetune")
    html = _html(client.get(_variant_url(variant)))
    ancestors = re.search(r'<ul id="variant-ancestors">.*?</ul>', html, re.DOTALL).group(0)
    descendants = re.search(r'<ul id="variant-descendants">.*?</ul>', html, re.DOTALL).group(0)
    assert _variant_url(base) in ancestors
    assert "Instruction tune" in ancestors
    assert _variant_url(teacher) in ancestors
    assert "Distillation" in ancestors
    assert teacher.version.family.name in ancestors  # marked as another family
    assert _variant_url(student) in descendants
    assert "Quantisation" in descendants
    assert "Hidden-1B" not in html


def test_variant_without_architecture_numbers_still_renders_with_a_note(client):
    variant = factories.VariantFactory(
        total_parameters=None,
        **dict.fromkeys(
            (
                "num_layers",
                "hidden_size",
                "num_attention_heads",
                "num_kv_heads",
                "head_dim",
                "intermediate_size",
                "vocab_size",
            ),
            None,
        ),
    )
    response = client.get(_variant_url(variant))
    assert response.status_code == 200
    html = _html(response)
    assert 'id="variant-no-architecture"' in html
    assert "its memory cannot be estimated here" in html
    assert 'id="variant-memory-table"' not in html
    assert "Recommendations need the architecture numbers this variant lacks." in html
    assert "No verifiable count" in html


def test_a_variant_without_licence_says_so(client):
    variant = factories.VariantFactory(version__license=None)
    assert "No licence is recorded for this variant." in _html(client.get(_variant_url(variant)))


def test_a_variants_own_licence_overrides_its_versions(client):
    own = factories.LicenseFactory(name="Research Only", commercial_use="not_allowed")
    variant = factories.VariantFactory(license=own, version__license__name="Version licence")
    html = _html(client.get(_variant_url(variant)))
    assert "Research Only" in html
    assert "Version licence" not in html
    assert "this variant's own licence" in html


@pytest.mark.parametrize(
    "make",
    [
        lambda: factories.VariantFactory(status="draft"),
        lambda: factories.VariantFactory(version__status="draft"),
        lambda: factories.VariantFactory(version__family__status="draft"),
    ],
)
def test_draft_variants_are_not_found(client, make):
    assert client.get(_variant_url(make())).status_code == 404


def test_unknown_and_mismatched_variant_slugs_are_not_found(client):
    variant = factories.VariantFactory()
    other = factories.VersionFactory()
    bad = [
        {"family": "nope", "version": "nope", "variant": "nope"},
        {"family": other.family.slug, "version": other.slug, "variant": variant.slug},
        {"family": variant.version.family.slug, "version": variant.version.slug, "variant": "x"},
    ]
    for kwargs in bad:
        assert client.get(reverse("catalog:variant_detail", kwargs=kwargs)).status_code == 404


def test_variant_page_renders_in_chinese(client, licence):
    variant = factories.VariantFactory(version__license=licence, description_zh="中文说明")
    response = client.get(_variant_url(variant, "zh-hans"))
    assert response.status_code == 200
    html = _html(response)
    assert 'lang="zh-hans"' in html
    assert "中文说明" in html


def _variant_with(what: str, rows: int):
    variant = factories.VariantFactory(version__license=factories.LicenseFactory())
    for index in range(rows):
        if what == "recommendations":
            factories.RecommendationFactory(variant=variant, context_tokens=1024 * (index + 1))
        elif what == "lineage":
            # One generation each way: the walk costs one query per generation.
            factories.LineageFactory(child=variant)
            factories.LineageFactory(parent=variant)
        elif what == "citations":
            factories.CitationFactory(record=variant, fields=["total_parameters"])
            factories.CitationFactory(record=variant.version.license, quote="clause")
    return variant


@pytest.mark.parametrize("what", ["recommendations", "lineage", "citations"])
def test_variant_page_query_count_does_not_grow_with_rows(client, what):
    one = _variant_with(what, 1)
    many = _variant_with(what, 5)
    client.get(_variant_url(one))  # warm the content-type cache
    assert_same_query_count(
        count_queries(lambda: client.get(_variant_url(one))),
        count_queries(lambda: client.get(_variant_url(many))),
        f"variant page, {what}",
    )


# -- the curated catalog --------------------------------------------------------------------

CURATED_VERSION = ("qwen", "qwen2-5")
CURATED_MOE = ("deepseek", "deepseek-v3", "deepseek-v3-base")


@pytest.fixture(scope="module")
def curated_with_recommendations(curated_catalog_recommended):
    """The curated catalog with its recommendations (restored, not recomputed): the variant
    page's fit table reads them."""
    return curated_catalog_recommended


@pytest.mark.usefixtures("curated_catalog")
def test_curated_version_page_shows_qwen2_5_against_qwen2(client):
    family, version = CURATED_VERSION
    url = reverse("catalog:version_detail", kwargs={"family": family, "version": version})
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    variants = _row(html, "version-variants")
    assert "Qwen2.5-7B" in variants
    assert "Qwen2.5-72B" in variants
    features = _row(html, "version-features")
    assert 'data-feature="gqa" data-status="confirmed"' in features
    assert "Compared with its predecessor" in html
    diff = _row(html, "version-diff-table")
    assert '<del class="diff-old">7T</del>' in diff
    assert '<ins class="diff-new">18T</ins>' in diff
    assert "The original seed document said:" in html
    assert len(response.content) < MAX_HTML_BYTES
    assert client.get(f"/zh-hans{url}").status_code == 200


@pytest.mark.usefixtures("curated_with_recommendations")
def test_curated_moe_variant_page_has_the_memory_chart_and_fit_table(client):
    family, version, slug = CURATED_MOE
    url = reverse(
        "catalog:variant_detail", kwargs={"family": family, "version": version, "variant": slug}
    )
    response = client.get(url)
    assert response.status_code == 200
    html = _html(response)
    assert "671B" in html  # total and active
    assert "37.6B" in html
    assert "Multi-head latent attention" in html  # derived from the numbers
    assert 'id="variant-memory-chart"' in html
    assert "<svg" in html
    memory = _row(html, "variant-memory-table")
    assert 'data-precision="fp8" data-context="131072"' in memory
    fits = _row(html, "variant-fits")
    assert 'data-workload="inference" data-precision="bf16" data-context="4096"' in fits
    assert "https://huggingface.co/deepseek-ai/DeepSeek-V3-Base" in html
    assert "DeepSeek License Agreement" in html
    descendants = re.search(r'<ul id="variant-descendants">.*?</ul>', html, re.DOTALL).group(0)
    assert "DeepSeek-R1-Distill-Qwen-7B" in descendants  # through DeepSeek-R1, two generations
    assert len(response.content) < MAX_HTML_BYTES
    chinese = client.get(f"/zh-hans{url}")
    assert chinese.status_code == 200
    assert 'lang="zh-hans"' in _html(chinese)


@pytest.mark.usefixtures("curated_catalog")
def test_curated_distilled_variant_shows_its_parents_across_families(client):
    url = reverse(
        "catalog:variant_detail",
        kwargs={
            "family": "deepseek",
            "version": "deepseek-r1-distill",
            "variant": "deepseek-r1-distill-qwen-7b",
        },
    )
    html = _html(client.get(url))
    ancestors = re.search(r'<ul id="variant-ancestors">.*?</ul>', html, re.DOTALL).group(0)
    assert "Qwen2.5-Math-7B" in ancestors
    assert "DeepSeek-R1" in ancestors


@pytest.mark.usefixtures("curated_catalog")
def test_curated_variant_without_numbers_renders(client):
    url = reverse(
        "catalog:variant_detail",
        # No config: the estimator does not count DeepSeek-V4's architecture yet.
        kwargs={"family": "deepseek", "version": "deepseek-v4", "variant": "deepseek-v4-pro"},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert 'id="variant-no-architecture"' in _html(response)
