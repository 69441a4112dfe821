"""Filters on the curated catalog, bad input, and the filter meta-test."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from mcp import Client
from rest_framework.test import APIClient

from adoption.filters import (
    ApprovalFilterSet,
    ArtifactFilterSet,
    DeploymentFilterSet,
    UseCaseFilterSet,
)
from assistants.common import acting_as
from assistants.server import registry_server
from catalog.filters import (
    FamilyFilterSet,
    FeatureFilterSet,
    OrganizationFilterSet,
    VariantFilterSet,
    VersionFilterSet,
)
from catalog.keys import variant_key
from evaluations.filters import BenchmarkFilterSet, ResultFilterSet
from hardware.filters import (
    AcceleratorFilterSet,
    ProfileFilterSet,
    RecommendationFilterSet,
    SizeTierFilterSet,
)
from licenses.filters import LicenseFilterSet

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def catalog_with_recommendations(curated_catalog_recommended):
    """The curated catalog with every recommendation (restored, not recomputed): the ``fits``
    filters read them."""
    return curated_catalog_recommended


@pytest.fixture
def api(catalog_with_recommendations):
    return APIClient()


def _keys(api, **params) -> list[str]:
    params.setdefault("page_size", 500)
    response = api.get(reverse("variant-list"), params)
    assert response.status_code == 200, response.json()
    return [v["key"] for v in response.json()["results"]]


def test_open_models_over_7b_allowing_commercial_use_with_gqa(api):
    keys = _keys(api, total_parameters__gte="7B", commercial_use="allowed", feature="gqa")
    assert "qwen/qwen2-5/qwen2-5-7b" in keys
    assert "llama/llama-2/llama-2-70b" not in keys  # conditional (700M MAU)
    assert "qwen/qwen2-5/qwen2-5-3b" not in keys  # research licence and under 7B


def test_what_fits_two_4090s_at_int4_with_32k_context(api):
    keys = _keys(api, fits="2x-nvidia-rtx-4090", fits_precision="awq-int4", fits_context=32768)
    assert "qwen/qwen2-5/qwen2-5-32b" in keys
    assert "qwen/qwen2-5/qwen2-5-72b" not in keys
    assert "deepseek/deepseek-v3/deepseek-v3" not in keys


def test_empty_parameters_mean_no_filter(api):
    # What an HTML form sends for untouched fields: the same answer as no parameter at all.
    everything = _keys(api)
    assert _keys(api, kind="", commercial_use="", total_parameters__gte="", moe="") == everything


def test_several_features_are_all_required(api):
    keys = _keys(api, feature=["gqa", "moe"])
    assert "qwen/qwen3/qwen3-30b-a3b" in keys
    assert "qwen/qwen3/qwen3-8b" not in keys  # dense, although Qwen3 as a version has MoE
    assert "deepseek/deepseek-v3/deepseek-v3" not in keys  # MLA, not GQA


@pytest.mark.parametrize(
    ("feature", "present", "absent"),
    [
        ("gated-deltanet", "qwen/qwen3-next/qwen3-next-80b-a3b-thinking", "qwen/qwen3/qwen3-8b"),
        ("gated-deltanet", "qwen/qwen3-5/qwen3-5-27b", "kimi/kimi-k2/kimi-k2-instruct"),
        ("gated-attention", "qwen/qwen3-5/qwen3-5-27b", "qwen/qwen3/qwen3-8b"),
        ("mamba2", "granite/granite-4-0/granite-4-0-h-small", "phi/phi-4/phi-4"),
        ("deepseek-sparse-attention", "glm/glm-5/glm-5", "deepseek/deepseek-v3/deepseek-v3"),
        ("attention-sinks", "gpt-oss/gpt-oss/gpt-oss-20b", "qwen/qwen3/qwen3-8b"),
        ("native-mxfp4", "gpt-oss/gpt-oss/gpt-oss-120b", "kimi/kimi-k2/kimi-k2-instruct"),
        ("local-global-attention", "gemma/gemma-3/gemma-3-12b-it", "qwen/qwen3/qwen3-8b"),
        (
            "chunked-attention",
            "llama/llama-4/llama-4-scout-17b-16e-instruct",
            "gemma/gemma-3/gemma-3-12b-it",
        ),
        ("vision-encoder", "gemma/gemma-3/gemma-3-4b-it", "gemma/gemma-3/gemma-3-1b-it"),
    ],
)
def test_features_of_2025_architectures_are_derived_from_the_config(api, feature, present, absent):
    keys = _keys(api, feature=feature)
    assert present in keys
    assert absent not in keys


def test_family_version_and_kind_filters(api):
    assert set(_keys(api, family="deepseek", kind="distilled")) == {
        *(
            f"deepseek/deepseek-r1-distill/deepseek-r1-distill-{s}"
            for s in ("qwen-1-5b", "qwen-7b", "qwen-14b", "qwen-32b", "llama-8b", "llama-70b")
        ),
        "deepseek/deepseek-r1-distill/deepseek-r1-0528-qwen3-8b",
    }
    keys = _keys(api, version=["llama/llama-2", "llama/llama-3"])
    assert "llama/llama-2/llama-2-7b" in keys
    assert "llama/llama-3/meta-llama-3-8b" in keys
    assert "llama/llama-3-1/llama-3-1-8b" not in keys


def test_parameter_ranges_accept_human_forms(api):
    keys = _keys(api, total_parameters__gte="300B")
    assert "deepseek/deepseek-v3/deepseek-v3" in keys
    assert "qwen/qwen3/qwen3-235b-a22b" not in keys
    active = _keys(api, active_parameters__lte="4B", moe="true")
    assert "qwen/qwen3/qwen3-30b-a3b" in active
    assert "qwen/qwen3/qwen3-235b-a22b" not in active


def test_context_release_date_licence_and_mau(api):
    assert "qwen/qwen2-5-1m/qwen2-5-7b-instruct-1m" in _keys(api, context__gte=1_000_000)
    keys = _keys(api, released_after="2025-01-01", released_before="2025-02-28")
    assert "deepseek/deepseek-r1/deepseek-r1" in keys
    assert "llama/llama-2/llama-2-7b" not in keys
    assert set(_keys(api, license="llama-2-community")) >= {"llama/llama-2/llama-2-7b"}
    # A product with 200M monthly users: Llama 2 (700M cap) yes, Qwen licence (100M) no.
    capped = _keys(api, mau_limit__gte=200_000_000)
    assert "llama/llama-2/llama-2-7b" in capped
    assert "qwen/qwen2-5/qwen2-5-72b" not in capped
    assert "deepseek/deepseek-r1/deepseek-r1" in capped  # MIT


def test_attention_modality_language_and_hf(api):
    assert "deepseek/deepseek-v3/deepseek-v3" in _keys(api, attention="mla")
    assert "qwen/qwen2-5-vl/qwen2-5-vl-7b-instruct" in _keys(api, modality="image")
    assert "glm/chatglm3-6b/chatglm3-6b" in _keys(api, language="zh")
    assert "belle/belle/belle-llama-7b-2m-enc" not in _keys(api, has_hf="false")


def test_free_text_search_in_both_languages(api):
    assert "qwen/qwen2-5/qwen2-5-7b" in _keys(api, q="qwen2.5")
    assert "qwen/qwen2-5/qwen2-5-7b" in _keys(api, q="通义千问")
    assert "deepseek/deepseek-r1/deepseek-r1" in _keys(api, q="DeepSeek-R1")


QWEN_2_5_VERSIONS = "qwen/qwen2-5,qwen/qwen2-5-1m,qwen/qwen2-5-vl"


def test_search_finds_the_spellings_people_type(api):
    """Issue 16: letter-digit boundaries, spaces inside version numbers, a name typed without
    its separators, and Chinese names."""
    llama_3 = set(_keys(api, q="llama-3"))
    assert set(_keys(api, q="llama3")) == llama_3 - {"llama/llama-1/llama-30b"}
    assert {"llama/llama-3/meta-llama-3-8b", "llama/llama-3-1/llama-3-1-8b"} <= llama_3
    assert _keys(api, q="glm4") == _keys(api, q="glm-4") != []
    qwen_2_5 = set(_keys(api, version=QWEN_2_5_VERSIONS))
    # "qwen 2.5" also reads as the words qwen, 2 and 5 (Qwen3.5-2B holds them all).
    assert qwen_2_5 <= set(_keys(api, q="qwen 2.5"))
    assert qwen_2_5 <= set(_keys(api, q="qwen2.5"))
    assert "qwen/qwen2/qwen2-57b-a14b" not in _keys(api, q="qwen 2.5")  # 57 is not 5
    assert set(_keys(api, q="千问2.5")) == qwen_2_5
    deepseek_r1 = _keys(api, q="deepseek r1")
    assert "deepseek/deepseek-r1/deepseek-r1" in deepseek_r1
    assert _keys(api, q="deepseekr1") == deepseek_r1
    assert _keys(api, q="深度求索 R1") == deepseek_r1
    assert _keys(api, q="qwen 2.5 7b") == _keys(api, q="qwen2.5 7b")
    assert "qwen/qwen3/qwen3-32b" in _keys(api, q="qwen3")
    assert "deepseek/deepseek-r1-distill/deepseek-r1-distill-qwen-32b" not in _keys(api, q="qwen3")


SPELLINGS = ["llama3", "glm4", "qwen 2.5", "deepseekr1", "千问2.5", "深度求索 R1", "qwen2.5"]


@pytest.mark.parametrize("text", SPELLINGS)
def test_the_list_page_and_mcp_find_what_the_api_finds(api, client, text):
    found = _keys(api, q=text)
    assert found
    page = client.get(reverse("catalog:variant_list"), {"q": text})
    assert page.status_code == 200
    assert [variant_key(row) for row in page.context["rows"]] == found
    assert sorted(row["key"] for row in _search_models(q=text, limit=50)["results"]) == sorted(
        found
    )


@pytest.mark.parametrize("text", ["llama3", "深度求索 R1", "千问2.5", "glm4"])
def test_version_search_finds_the_spellings_people_type(api, text):
    response = api.get(reverse("version-list"), {"q": text})
    assert response.status_code == 200
    assert response.json()["count"] > 0, text


def _search_models(**arguments) -> dict:
    async def run():
        async with Client(registry_server) as session:
            return await session.call_tool("search_models", arguments)

    with acting_as(AnonymousUser()):
        result = async_to_sync(run)()
    assert not result.is_error, result.content[0].text
    return result.structured_content


def test_ordering_is_deterministic_and_selectable(api):
    by_size = _keys(api, ordering="-total_parameters", family="llama")
    assert by_size[0] == "llama/llama-3-1/llama-3-1-405b"
    assert _keys(api) == _keys(api)


def test_other_resources_filter(api):
    accelerators = api.get(
        reverse("accelerator-list"),
        {"memory_gib__gte": 80, "vendor": "NVIDIA", "form": "datacenter"},
    )
    slugs = [a["slug"] for a in accelerators.json()["results"]]
    assert "nvidia-h100-sxm" in slugs
    assert "nvidia-rtx-4090" not in slugs
    licences = api.get(reverse("license-list"), {"commercial_use": "not_allowed"}).json()
    assert "llama-1-noncommercial" in [lic["slug"] for lic in licences["results"]]
    versions = api.get(reverse("version-list"), {"family": "qwen", "ordering": "release_date"})
    assert versions.json()["results"][0]["key"] == "qwen/qwen"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"total_parameters__gte": "lots"}, "total_parameters__gte"),
        ({"total_parameters__gte": "9" * 40}, "total_parameters__gte"),
        ({"context__gte": "-5"}, "context__gte"),
        ({"context__gte": "99999999999999999999999"}, "context__gte"),
        ({"released_after": "2024-13-45"}, "released_after"),
        ({"kind": "giant"}, "kind"),
        ({"commercial_use": "sometimes"}, "commercial_use"),
        ({"attention": "linear"}, "attention"),
        ({"moe": "perhaps"}, "moe"),
        ({"family": "llama\x00"}, "family"),
        ({"q": "qwen\x00"}, "q"),
        ({"colour": "blue"}, "colour"),
        ({"ordering": "nonsense"}, "ordering"),
        ({"fits_precision": "int3"}, "fits_precision"),
        ({"page": "x"}, None),
    ],
)
def test_bad_values_are_400_naming_the_parameter(api, params, name):
    response = api.get(reverse("variant-list"), params)
    assert response.status_code in (400, 404)
    if name:
        assert response.status_code == 400
        assert name in response.json(), response.json()


FILTERSETS = [
    OrganizationFilterSet,
    FamilyFilterSet,
    FeatureFilterSet,
    VersionFilterSet,
    VariantFilterSet,
    LicenseFilterSet,
    AcceleratorFilterSet,
    ProfileFilterSet,
    SizeTierFilterSet,
    RecommendationFilterSet,
    BenchmarkFilterSet,
    ResultFilterSet,
    UseCaseFilterSet,
    ApprovalFilterSet,
    DeploymentFilterSet,
    ArtifactFilterSet,
]
# Model fields with no filter, and why.
IGNORED = {
    "*": {
        "id": "internal key",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
        "catalog_digest": "bookkeeping",
        "seed_claim": "free text, searchable in the admin",
        "status": "non-editors only ever see published records",
    },
    "Organization": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "website": "link",
        "description": "q",
        "description_zh": "q",
    },
    "ModelFamily": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "aliases": "q",
        "website": "link",
        "description": "q",
        "description_zh": "q",
    },
    "ArchitectureFeature": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "description": "q",
        "description_zh": "q",
        "paper_url": "link",
    },
    "ModelVersion": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "aliases": "q",
        "default_context_tokens": "context__gte filters the maximum",
        "tokenizer": "descriptive",
        "vocab_size": "architecture detail",
        "language_count": "languages filter",
        "predecessor": "shown in detail",
        "paper_url": "link",
        "blog_url": "link",
        "repo_url": "link",
        "description": "q",
        "description_zh": "q",
        "languages": "language",
        "modalities": "modality",
        "capabilities": "capability",
        "features": "feature",
        "training_tokens": "training_tokens__gte",
        "release_date": "released_after/before",
        "max_context_tokens": "context__gte/lte",
    },
    "ModelVariant": {
        "slug": "detail lookup",
        "name": "q",
        "description": "q",
        "description_zh": "q",
        "hf_repo_id": "has_hf and q",
        "modelscope_repo_id": "shown in detail",
        "release_date": "released_*",
        "license": "license",
        "active_parameters": "active_parameters__*",
        "config": "raw document",
        "architecture_class": "attention/feature",
        "model_type": "attention/feature",
        "num_layers": "architecture detail",
        "hidden_size": "architecture detail",
        "num_attention_heads": "attention",
        "num_kv_heads": "attention",
        "head_dim": "architecture detail",
        "intermediate_size": "architecture detail",
        "vocab_size": "architecture detail",
        "tie_word_embeddings": "feature",
        "qkv_bias": "architecture detail",
        "num_experts": "moe",
        "num_experts_per_token": "moe",
        "num_shared_experts": "feature",
        "moe_intermediate_size": "moe",
        "shared_expert_intermediate_size": "feature",
        "first_dense_layers": "architecture detail",
        "q_lora_rank": "attention",
        "kv_lora_rank": "attention",
        "qk_rope_head_dim": "attention",
        "qk_nope_head_dim": "attention",
        "v_head_dim": "attention",
        "sliding_window": "feature",
        "max_position_embeddings": "context__*",
        "rope_theta": "architecture detail",
        "rope_scaling_type": "feature",
    },
    "License": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "version": "descriptive",
        "url": "link",
        "summary": "q",
        "summary_zh": "q",
        "naming_requirement": "free text",
        "acceptable_use_policy_url": "link",
        "mau_threshold": "mau_threshold__gte/lte",
        "excluded_territories": "allowed_in",
    },
    "Accelerator": {
        "slug": "detail lookup",
        "name": "q",
        "memory_type": "descriptive",
        "fp8_dense_tflops": "supports_fp8",
        "int8_dense_tops": "descriptive",
        "interconnect": "descriptive",
        "interconnect_bandwidth_gbps": "descriptive",
        "tdp_watts": "descriptive",
        "datasheet_url": "link",
        "memory_gib": "memory_gib__gte/lte",
        "memory": "memory_gib__gte/lte (converted from it)",
        "memory_unit": "memory_gib__gte/lte (converted with it)",
        "memory_bandwidth_gbps": "memory_bandwidth_gbps__gte",
        "bf16_dense_tflops": "bf16_dense_tflops__gte",
        "release_year": "release_year__gte",
    },
    "HardwareProfile": {
        "slug": "detail lookup",
        "name": "descriptive",
        "name_zh": "descriptive",
        "host_memory_gib": "descriptive",
        "description": "descriptive",
        "description_zh": "descriptive",
    },
    "SizeTier": {
        "slug": "detail lookup",
        "label": "descriptive",
        "parameters_billion": "ordering",
        "training_memory": "seed text",
        "inference_memory": "seed text",
        "cpu_memory": "seed text",
        "compute": "seed text",
        "training_time": "seed text",
        "multi_gpu": "seed text",
        "use_case": "seed text",
        "use_case_zh": "seed text",
    },
    "Benchmark": {
        "slug": "detail lookup",
        "name": "q",
        "name_zh": "q",
        "description": "q",
        "description_zh": "descriptive",
        "caveats": "descriptive",
        "caveats_zh": "descriptive",
        "scale_min": "descriptive: the range values must lie in",
        "scale_max": "descriptive: the range values must lie in",
        "paper_url": "link",
        "homepage_url": "link",
        "languages": "language",
    },
    "Result": {
        "source_title": "descriptive",
        "source_locator": "descriptive",
        "source_quote": "descriptive",
        "note": "descriptive",
        "created_by": "the account is not public",
        "value": "value__gte / value__lte",
        "date": "date_after / date_before",
    },
    "Recommendation": {
        "context_tokens": "context",
        "batch": "always 1 in the grid",
        "weights_bytes": "breakdown",
        "kv_cache_bytes": "breakdown",
        "breakdown": "document",
        "fitting_profiles": "fits",
        "smallest_profile": "fits",
        "decode_tokens_per_s": "ordering",
        "input_digest": "internal",
        "computed_at": "bookkeeping",
        "total_bytes": "total_bytes__lte",
    },
    "UseCase": {
        "slug": "detail lookup",
        "name": "q",
        "description": "q",
        "owner_contact": "descriptive",
    },
    "Approval": {
        "conditions": "q",
        "risk_notes": "q",
        "license_answers": "document (frozen answers)",
        "results": "result_id",
    },
    "Deployment": {
        "name": "q",
        "endpoint_url": "q",
        "api_key": "a secret, written and never read (api_key_set says whether one is held)",
        "engine_version": "descriptive",
        "owner_contact": "descriptive",
        "last_seen_up_at": "ordering",
        "last_error": "descriptive",
        "consecutive_failures": "health",
        "served_models": "document",
    },
    "Artifact": {
        "uri": "q",
        "verified_by": "the account is shown, not filtered",
        "verification_report": "document",
        "note": "q",
    },
}


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda f: f.__name__)
def test_every_model_field_has_a_filter_or_a_reason(filterset):
    model = filterset._meta.model
    filtered = set()
    for name, declared in filterset.base_filters.items():
        filtered |= {name, name.split("__")[0], str(declared.field_name).split("__")[0]}
    ignored = {**IGNORED["*"], **IGNORED.get(model.__name__, {})}
    missing = [
        field.name
        for field in model._meta.concrete_fields
        if field.name not in filtered and field.name not in ignored
    ]
    missing += [
        field.name
        for field in model._meta.many_to_many
        if field.name not in filtered and field.name not in ignored
    ]
    assert missing == [], f"{model.__name__}: add a filter or a reason for {missing}"


@pytest.mark.parametrize("ordering", ["-release_date", "release_date", "context", "-name"])
def test_pages_of_an_ordering_with_ties_neither_repeat_nor_skip_a_row(api, ordering):
    """Many variants share a release date or a context: the primary key breaks the ties."""
    everything = _keys(api, ordering=ordering)
    paged = []
    for page in range(1, len(everything) // 25 + 2):
        response = api.get(
            reverse("variant-list"), {"ordering": ordering, "page_size": 25, "page": page}
        )
        assert response.status_code == 200
        paged += [row["key"] for row in response.json()["results"]]
    assert paged == everything
    assert len(set(paged)) == len(paged)
