"""The curated catalog covers what the seed names, cites sources, and applies corrections."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from hardware.models import Accelerator, HardwareProfile, SizeTier
from licenses.models import License

pytestmark = pytest.mark.django_db

FAMILIES = [
    "llama",
    "glm",
    "baichuan",
    "qwen",
    "yi",
    "deepseek",
    "grok",
    "ling",
    "alpaca",
    "vicuna",
    "belle",
    "chinese-llama",
]
VERSIONS = {
    "llama": ["llama-1", "llama-2", "llama-3", "llama-3-1"],
    "glm": [
        "glm-130b",
        "chatglm-6b",
        "chatglm2-6b",
        "chatglm3-6b",
        "glm-4",
        "glm-4-9b",
        "codegeex2",
    ],
    "baichuan": ["baichuan-7b", "baichuan-13b", "baichuan2"],
    "qwen": ["qwen", "qwen1-5", "qwen2", "qwen2-5", "qwen2-5-1m", "qwen2-5-vl", "qwen3"],
    "yi": ["yi", "yi-1-5", "yi-coder"],
    "deepseek": ["deepseek-v3", "deepseek-r1", "deepseek-r1-distill"],
}
LICENSES = [
    "mit",
    "apache-2-0",
    "llama-1-noncommercial",
    "llama-2-community",
    "llama-3-community",
    "llama-3-1-community",
    "qwen-license",
    "qwen-research",
    "deepseek-model",
    "yi-community",
    "baichuan-7b-license",
    "baichuan-community",
    "chatglm-6b-license",
    "chatglm2-6b-license",
    "glm-4-license",
    "glm-130b-license",
]
FEATURES = [
    "pre-norm",
    "rmsnorm",
    "post-norm",
    "deepnorm",
    "swiglu",
    "geglu",
    "rope",
    "alibi",
    "prefix-decoder",
    "gqa",
    "mla",
    "moe",
    "fp8-training",
    "multi-token-prediction",
    "mha",
    "mqa",
    "sliding-window",
    "layernorm",
    "gelu",
    "rope-scaling-yarn",
]
ACCELERATORS = [
    "nvidia-rtx-3090",
    "nvidia-rtx-4090",
    "nvidia-rtx-5090",
    "nvidia-rtx-a6000",
    "nvidia-rtx-6000-ada",
    "nvidia-t4",
    "nvidia-l4",
    "nvidia-a10",
    "nvidia-l40s",
    "nvidia-a100-40gb",
    "nvidia-a100-80gb",
    "nvidia-h100-pcie",
    "nvidia-h100-sxm",
    "nvidia-h20",
    "nvidia-h200",
    "nvidia-b200",
    "amd-mi250x",
    "amd-mi300x",
    "huawei-ascend-910b",
    "apple-m2-ultra",
    "apple-m3-max",
    "apple-m4-max",
    "cpu-ddr5-server",
]


@pytest.fixture(autouse=True)
def _catalog(curated_catalog):
    return curated_catalog


def _cited_ids(model) -> set[int]:
    content_type = ContentType.objects.get_for_model(model)
    return set(
        Citation.objects.filter(content_type=content_type).values_list("object_id", flat=True)
    )


def test_every_named_family_version_and_licence_is_present():
    assert set(FAMILIES) <= set(ModelFamily.objects.values_list("slug", flat=True))
    present = set(ModelVersion.objects.values_list("family__slug", "slug"))
    for family, versions in VERSIONS.items():
        for version in versions:
            assert (family, version) in present, f"{family}/{version} missing"
    assert set(LICENSES) <= set(License.objects.values_list("slug", flat=True))
    assert set(FEATURES) <= set(ArchitectureFeature.objects.values_list("slug", flat=True))


@pytest.mark.parametrize(
    "model",
    [
        Organization,
        ModelFamily,
        ModelVersion,
        ModelVariant,
        License,
        ArchitectureFeature,
        Accelerator,
        SizeTier,
    ],
)
def test_every_curated_record_cites_a_source(model):
    uncited = model.objects.exclude(pk__in=_cited_ids(model)).values_list("slug", flat=True)
    assert list(uncited) == []


def test_every_lineage_edge_cites_a_source():
    assert Lineage.objects.exclude(pk__in=_cited_ids(Lineage)).count() == 0


def test_catalog_has_enough_variants_with_parameters_and_architecture():
    variants = ModelVariant.objects.all()
    assert variants.count() >= 40
    with_numbers = variants.filter(total_parameters__isnull=False, num_layers__isnull=False)
    assert with_numbers.count() >= 40
    moe = variants.filter(num_experts__isnull=False)
    assert moe.count() >= 5
    assert not moe.filter(active_parameters__isnull=True).exclude(slug="grok-1").exists()


def test_reference_parameter_counts_are_exact():
    expected = {
        "llama-2-7b": 6_738_415_616,
        "meta-llama-3-8b": 8_030_261_248,
        "deepseek-v3": 671_026_419_200,
    }
    for slug, total in expected.items():
        assert ModelVariant.objects.get(slug=slug).total_parameters == total


def test_hardware_reference_data_is_complete():
    assert Accelerator.objects.count() >= 25
    assert set(ACCELERATORS) <= set(Accelerator.objects.values_list("slug", flat=True))
    assert not Accelerator.objects.filter(memory_gib__lte=0).exists()
    for count in (1, 2, 4, 8):
        assert HardwareProfile.objects.filter(count=count).exists()
    assert list(SizeTier.objects.values_list("slug", flat=True)) == [
        "7b",
        "13b",
        "32b",
        "70b",
        "304b",
    ]


def test_llama_2_has_no_34b_and_405b_belongs_to_llama_3_1():
    llama2 = ModelVariant.objects.filter(version__slug="llama-2")
    assert not llama2.filter(slug__contains="34b").exists()
    assert ModelVersion.objects.get(slug="llama-2").seed_claim
    assert not ModelVariant.objects.filter(version__slug="llama-3", slug__contains="405b").exists()
    assert ModelVariant.objects.filter(version__slug="llama-3-1", slug__contains="405b").exists()
    assert ModelVersion.objects.get(slug="llama-3-1").release_date.strftime("%Y-%m") == "2024-07"


def test_llama_1_33b_is_the_30b_model_with_32_5b_parameters():
    variant = ModelVariant.objects.get(version__slug="llama-1", slug="llama-30b")
    assert round(variant.total_parameters / 1e9, 1) == 32.5


@pytest.mark.parametrize(
    ("slug", "month"),
    [
        ("qwen1-5", "2024-02"),
        ("qwen2", "2024-06"),
        ("qwen2-5", "2024-09"),
        ("qwen2-5-1m", "2025-01"),
        ("qwen2-5-vl", "2025-01"),
        ("chatglm3-6b", "2023-10"),
    ],
)
def test_corrected_release_months(slug, month):
    version = ModelVersion.objects.get(slug=slug)
    assert version.release_date.strftime("%Y-%m") == month


def test_corrected_seed_claims_are_kept_as_notes():
    for slug in ("qwen1-5", "qwen2", "qwen2-5", "chatglm3-6b", "deepseek-v3"):
        assert ModelVersion.objects.get(slug=slug).seed_claim, slug


def test_baichuan_7b_has_4096_context():
    version = ModelVersion.objects.get(slug="baichuan-7b")
    assert version.max_context_tokens == 4096
    assert version.seed_claim


def test_grok_1_has_314b_parameters():
    grok = ModelVariant.objects.get(slug="grok-1")
    assert grok.total_parameters == 314_000_000_000
    assert "3140B" in grok.seed_claim or "3140B" in grok.version.seed_claim


def test_deepseek_v3_original_weights_are_not_mit():
    v3 = ModelVariant.objects.select_related("version__license").get(slug="deepseek-v3")
    assert (v3.license or v3.version.license).slug == "deepseek-model"
    later = ModelVariant.objects.get(slug="deepseek-v3-0324")
    assert later.license.slug == "mit"


def test_mla_correction_reports_93_percent():
    mla = ArchitectureFeature.objects.get(slug="mla")
    assert "93.3" in mla.seed_claim


def test_mcp_is_not_a_licence():
    assert not License.objects.filter(name__icontains="context protocol").exists()


def test_derivatives_have_lineage_across_families():
    cross = Lineage.objects.exclude(child__version__family=F("parent__version__family"))
    assert cross.filter(child__version__family__slug="vicuna").exists()
    assert cross.filter(child__version__family__slug="alpaca").exists()
    assert cross.filter(
        child__version__family__slug="chinese-llama", kind="extended_vocabulary"
    ).exists()
    distills = Lineage.objects.filter(child__version__slug="deepseek-r1-distill", kind="distill")
    parents = set(distills.values_list("parent__version__family__slug", flat=True))
    assert parents == {"qwen", "llama", "deepseek"}


def test_no_release_date_is_in_the_future():
    today = datetime.date.today()
    assert not ModelVersion.objects.filter(release_date__gt=today).exists()
