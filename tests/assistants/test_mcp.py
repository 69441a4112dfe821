"""The MCP server in process, through the SDK's own client, over the curated catalog: every
tool with good and bad arguments, checked against the REST API and the estimator; resources,
prompts, and who sees drafts. Over HTTP and stdio: test_mcp_transport.py."""

import json

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.test import Client as HttpClient
from django.urls import reverse
from mcp import Client

from assistants.common import acting_as
from assistants.server import registry_server
from catalog.architecture import variant_architecture
from catalog.models import ModelVariant
from estimator import EstimateOptions, ProfileSpec, estimate
from hardware.models import Accelerator
from hardware.selectors import accelerator_spec
from tests.factories import VariantFactory, make_editor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("curated_catalog")]

TOOLS = {
    "search_models",
    "get_model",
    "compare_models",
    "list_recent_releases",
    "list_hardware",
    "estimate_memory",
    "recommend_hardware",
    "check_license_use",
    "get_evaluations",
    "our_approvals",
    "serving_recipe",
}
QWEN_7B = "qwen/qwen2-5/qwen2-5-7b-instruct"
QWEN_72B = "qwen/qwen2-5/qwen2-5-72b-instruct"
LLAMA_3_8B = "llama/llama-3/meta-llama-3-8b"


def session(scenario, user=None):
    """Run ``scenario(client)`` with an in-process client, acting for ``user``. The tools come
    back to this thread (and its test transaction) for the database."""

    async def run():
        async with Client(registry_server) as client:
            return await scenario(client)

    with acting_as(user or AnonymousUser()):
        return async_to_sync(run)()


def call(name: str, arguments: dict, user=None):
    return session(lambda client: client.call_tool(name, arguments), user)


def ok(name: str, arguments: dict, user=None) -> dict:
    result = call(name, arguments, user)
    assert not result.is_error, result.content[0].text
    return result.structured_content


def error(name: str, arguments: dict) -> str:
    result = call(name, arguments)
    assert result.is_error
    assert result.structured_content is None
    return result.content[0].text


def api(path: str, **params) -> dict:
    response = HttpClient().get(path, params)
    assert response.status_code == 200
    return response.json()


def test_lists_every_tool_read_only_with_input_and_output_schemas():
    tools = session(lambda client: client.list_tools()).tools
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.description
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema["type"] == "object"


def test_the_search_filters_are_the_apis():
    search = next(t for t in session(lambda c: c.list_tools()).tools if t.name == "search_models")
    assert {"commercial_use", "fits", "context__gte", "feature", "ordering"} <= set(
        search.input_schema["properties"]
    )
    assert search.input_schema["properties"]["limit"]["maximum"] == 50


@pytest.mark.parametrize(
    "filters",
    [
        {"q": "qwen 7b inst"},
        {"commercial_use": ["allowed"], "moe": True},
        {"family": ["llama"], "total_parameters__lte": "10B", "ordering": "-total_parameters"},
        {"context__gte": 131072, "ordering": "-release_date"},
        {"feature": ["gqa"], "kind": ["instruct"], "ordering": "name"},
    ],
)
def test_search_answers_what_the_api_answers(filters):
    answer = ok("search_models", {**filters, "limit": 50})
    query = {k: (",".join(v) if isinstance(v, list) else v) for k, v in filters.items()}
    expected = api(reverse("variant-list"), **query, page_size=50)
    assert answer["count"] == expected["count"] > 0
    if "ordering" in filters:
        assert [m["key"] for m in answer["results"]] == [r["key"] for r in expected["results"]]
    else:
        assert {m["key"] for m in answer["results"]} == {r["key"] for r in expected["results"]}


def test_search_pages_with_offset_and_summarises_each_model():
    first = ok("search_models", {"family": ["qwen"], "limit": 5})
    second = ok("search_models", {"family": ["qwen"], "limit": 5, "offset": first["next_offset"]})
    assert first["next_offset"] == 5
    assert not {m["key"] for m in first["results"]} & {m["key"] for m in second["results"]}
    found = ok("search_models", {"q": "Qwen2.5-7B-Instruct"})["results"]
    model = next(m for m in found if m["key"] == QWEN_7B)
    assert (
        model["total_parameters"]
        == ModelVariant.objects.get(slug="qwen2-5-7b-instruct").total_parameters
    )
    assert model["license"]["slug"] == "apache-2-0"
    assert model["license"]["commercial_use"] == "allowed"
    assert model["page"] == f"/families/{QWEN_7B}/"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"commercial_use": ["free"]}, "commercial_use"),
        ({"total_parameters__gte": "lots"}, "total_parameters__gte"),
        ({"limit": 500}, "limit"),
        ({"released_after": "yesterday"}, "released_after"),
        ({"fits_context": 1234}, "fits_context"),
        ({"ordering": "price"}, "ordering"),
    ],
)
def test_search_names_a_bad_argument(arguments, named):
    assert named in error("search_models", arguments)


def test_get_model_is_the_api_detail_with_the_licence_terms():
    answer = ok("get_model", {"key": QWEN_7B})
    detail = api(reverse("variant-detail", kwargs={"key": QWEN_7B}))
    assert answer["kind"] == "variant"
    assert json.loads(json.dumps(answer["record"])) == detail
    assert answer["record"]["sources"], "the facts cite their sources"
    assert answer["license"]["slug"] == "apache-2-0"
    assert answer["license"]["sources"]
    assert {"gqa", "rmsnorm"} <= set(answer["features"])


def test_get_model_of_a_version_lists_its_variants():
    answer = ok("get_model", {"key": "qwen/qwen2-5"})
    assert answer["kind"] == "version"
    assert answer["record"] == api(reverse("version-detail", kwargs={"key": "qwen/qwen2-5"}))
    assert QWEN_7B in [v["key"] for v in answer["variants"]]
    assert answer["variants_count"] == len(answer["variants"])


@pytest.mark.parametrize("key", ["nope/x/y", "qwen/nope", "a/b/c/d", ""])
def test_get_model_names_an_unknown_key(key):
    assert error("get_model", {"key": key}).startswith("Error executing tool get_model: key:")


def test_compare_marks_what_differs_and_fits_each():
    answer = ok("compare_models", {"keys": [QWEN_7B, "qwen2-5-72b-instruct"]})
    rows = {row["field"]: row for row in answer["rows"]}
    assert [m["key"] for m in answer["models"]] == [QWEN_7B, QWEN_72B]
    assert rows["total_parameters"]["differs"] is True
    # Qwen2.5-72B is under Alibaba's own licence, the smaller ones under Apache 2.0.
    assert rows["license.slug"]["differs"] is True
    assert rows["license.slug"]["values"][0] == "apache-2-0"
    assert rows["kind"]["differs"] is False
    assert len(answer["hardware"]) == 2
    small, large = answer["hardware"]
    assert small["total_bytes"] < large["total_bytes"]
    assert small["fitting"], "a 7B model fits some published profile at BF16 and 4K"


@pytest.mark.parametrize(
    ("keys", "named"),
    [([QWEN_7B], "keys"), ([QWEN_7B, "nope/x/y"], "keys[1]"), ([QWEN_7B, QWEN_7B], "keys[1]")],
)
def test_compare_names_a_bad_key(keys, named):
    assert f"compare_models: {named}" in error("compare_models", {"keys": keys})


def test_recent_releases_newest_first_with_their_variants():
    answer = ok("list_recent_releases", {"limit": 5})
    dates = [r["release_date"] for r in answer["results"]]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == 5
    assert answer["count"] > 5
    later = ok("list_recent_releases", {"released_after": dates[2], "limit": 50})
    assert all(r["release_date"] >= dates[2] for r in later["results"])
    newest = ok("list_recent_releases", {"family": ["qwen"], "limit": 1})["results"][0]
    assert newest["key"] == "qwen/qwen3-8"
    assert "qwen/qwen3-8/qwen3-8-27b" in newest["variants"]


def test_list_hardware_gives_the_slugs_other_tools_take():
    answer = ok("list_hardware", {})
    rtx = next(a for a in answer["accelerators"] if a["slug"] == "nvidia-rtx-4090")
    assert rtx["memory_gib"] == 24
    assert "2x-nvidia-rtx-4090" in {p["slug"] for p in answer["profiles"]}
    assert "awq-int4" in {p["key"] for p in answer["precisions"]}


def test_estimate_of_a_model_is_the_apis():
    answer = ok(
        "estimate_memory", {"model": QWEN_7B, "precision": "awq-int4", "context_tokens": 32768}
    )
    response = HttpClient().post(
        reverse("api-estimate"),
        {"variant": "qwen2-5-7b-instruct", "precision": "awq-int4", "context": 32768},
        content_type="application/json",
    )
    expected = response.json()
    assert answer["model"] == QWEN_7B
    assert answer["estimate"]["memory"] == expected["memory"]
    assert answer["estimate"]["total_params"] == expected["total_params"]


def test_estimate_of_a_pasted_config():
    config = ModelVariant.objects.get(slug="qwen2-5-7b-instruct").config
    answer = ok("estimate_memory", {"config": config, "context_tokens": 8192})
    assert answer["model"] is None
    assert answer["estimate"]["total_params"] == 7_615_616_512


def test_estimate_on_hardware_named_as_people_write_it():
    answer = ok(
        "estimate_memory",
        {"model": QWEN_7B, "precision": "awq-int4", "accelerator": "RTX 4090", "count": 2},
    )
    fits = answer["estimate"]["fits"]
    assert [fit["profile"] for fit in fits] == ["2x-nvidia-rtx-4090"]
    assert fits[0]["decode_tokens_per_s_per_sequence"] < fits[0]["decode_tokens_per_s_upper_bound"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({}, "model"),
        ({"model": QWEN_7B, "accelerator": "no such card"}, "accelerator"),
        ({"model": QWEN_7B, "accelerator": "RTX 4090", "count": 0}, "count"),
        ({"model": QWEN_7B, "config": {"model_type": "llama"}}, "model"),
        ({"config": {"model_type": "llama"}}, "config"),
        ({"config": {"model_type": "llama", "hidden_size": "wide"}}, "config"),
        ({"model": QWEN_7B, "precision": "int3"}, "precision"),
        ({"model": QWEN_7B, "context_tokens": 0}, "context_tokens"),
        ({"model": "nope/x/y"}, "model"),
    ],
)
def test_estimate_names_a_bad_argument(arguments, named):
    assert f"{named}" in error("estimate_memory", arguments)


def test_which_commercial_models_fit_two_rtx_4090_at_int4_with_32k():
    """The issue's question, from the tools alone."""
    answer = ok(
        "recommend_hardware",
        {
            "accelerator": "RTX 4090",
            "count": 2,
            "precision": "awq-int4",
            "context_tokens": 32768,
            "commercial_use": ["allowed"],
            "limit": 50,
        },
    )
    assert answer["hardware"]["accelerator"] == "nvidia-rtx-4090"
    assert answer["hardware"]["count"] == 2
    assert answer["fitting_count"] >= 10
    keys = [row["model"]["key"] for row in answer["fitting"]]
    assert QWEN_7B in keys
    sizes = [row["model"]["total_parameters"] for row in answer["fitting"]]
    assert sizes == sorted(sizes, reverse=True), "largest model first"
    spec = ProfileSpec(
        slug="2x",
        name="2x",
        accelerator=accelerator_spec(Accelerator.objects.get(slug="nvidia-rtx-4090")),
        count=2,
    )
    options = EstimateOptions(precision="awq-int4", context_tokens=32768)
    for row in answer["fitting"]:
        assert row["model"]["license"]["commercial_use"] == "allowed"
        assert row["fits"]
        assert row["per_device_bytes"] <= row["usable_bytes_per_device"]
        variant = ModelVariant.objects.get(slug=row["model"]["key"].split("/")[2])
        result = estimate(variant_architecture(variant), options, [spec])
        assert result.fits[0].fits
        assert result.fits[0].per_device_bytes == row["per_device_bytes"]
    assert all(not row["fits"] for row in answer["closest_misses"])
    assert QWEN_72B not in keys, "72B at INT4 with 32K does not fit in 2 × 24 GB"


def test_recommend_on_a_profile_ranks_by_speed():
    answer = ok("recommend_hardware", {"profile": "1x-nvidia-rtx-4090", "sort": "speed"})
    speeds = [row["decode_tokens_per_s_per_sequence"] for row in answer["fitting"]]
    assert speeds == sorted(speeds, reverse=True)


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({}, "accelerator"),
        ({"accelerator": "tpu-v9"}, "accelerator"),
        ({"accelerator": "nvidia"}, "accelerator"),
        ({"accelerator": "nvidia-rtx-4090", "profile": "1x-nvidia-rtx-4090"}, "accelerator"),
        ({"profile": "99x-abacus"}, "profile"),
        ({"accelerator": "nvidia-rtx-4090", "count": 0}, "count"),
        ({"accelerator": "nvidia-rtx-4090", "commercial_use": ["maybe"]}, "commercial_use"),
    ],
)
def test_recommend_names_a_bad_argument(arguments, named):
    assert f"recommend_hardware: {named}" in error("recommend_hardware", arguments)


def test_licence_check_of_a_commercial_product_above_the_user_cap():
    answer = ok("check_license_use", {"model": LLAMA_3_8B, "monthly_active_users": "800M"})
    assert answer["license"]["slug"] == "llama-3-community"
    assert answer["model"] == LLAMA_3_8B
    [commercial] = answer["answers"]
    assert commercial["question"] == "commercial_product"
    assert commercial["verdict"] == "no"
    reason = commercial["reasons"][0]
    assert reason["reason"] == "above_user_threshold"
    assert reason["term"] == "mau_threshold"
    assert "700" in reason["clauses"][0]["text"] or "700 million" in reason["clauses"][0]["text"]
    assert "not legal advice" in answer["disclaimer"]


def test_licence_check_of_training_on_outputs():
    answer = ok("check_license_use", {"license": "apache-2-0", "train_other_models": True})
    [outputs] = answer["answers"]
    assert (outputs["question"], outputs["verdict"]) == ("train_other_models", "yes")
    everything = ok("check_license_use", {"license": "apache-2-0"})
    assert len(everything["answers"]) == 4, "asking nothing asks everything"


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({}, "license"),
        ({"license": "apache-2-0", "model": LLAMA_3_8B}, "license"),
        ({"license": "wtfpl-9"}, "license"),
        ({"model": "nope/x/y"}, "model"),
        ({"license": "apache-2-0", "monthly_active_users": "many"}, "monthly_active_users"),
    ],
)
def test_licence_check_names_a_bad_argument(arguments, named):
    assert f"check_license_use: {named}" in error("check_license_use", arguments)


def test_chinese_answers_follow_the_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        answer = ok("check_license_use", {"model": LLAMA_3_8B, "monthly_active_users": 800_000_000})
        failed = call("get_model", {"key": "nope/x/y"})
    assert answer["answers"][0]["verdict_text"] != "No: needs a separate licence"
    assert "不是法律意见" in answer["disclaimer"] or "法律" in answer["disclaimer"]
    assert "key: " in failed.content[0].text
    assert "nope/x/y" in failed.content[0].text


def test_resources_give_a_model_card_and_a_licence_text():
    async def read(client):
        templates = await client.list_resource_templates()
        card = await client.read_resource(f"registry://models/{QWEN_7B}")
        licence = await client.read_resource("registry://licenses/llama-3-community")
        return templates, card, licence

    templates, card, licence = session(read)
    assert {t.uri_template for t in templates.resource_templates} == {
        "registry://models/{family}/{version}/{variant}",
        "registry://licenses/{slug}",
    }
    text = card.contents[0].text
    assert card.contents[0].mime_type == "text/markdown"
    assert text.startswith("# Qwen2.5-7B-Instruct")
    assert "registry://licenses/apache-2-0" in text
    assert "huggingface.co" in text, "the card cites its sources"
    terms = licence.contents[0].text
    assert "700" in terms
    assert "https://llama.meta.com/llama3/license/" in terms


@pytest.mark.parametrize(
    ("uri", "named"),
    [
        ("registry://licenses/wtfpl-9", "wtfpl-9"),
        ("registry://models/nope/x/y", "nope/x/y"),
        ("registry://nothing-here", "registry://nothing-here"),
    ],
)
def test_an_unknown_resource_is_the_sdks_not_found_error_naming_it(uri, named):
    """Not found is invalid params (SEP-2164, the SDK's ResourceNotFoundError), not an
    internal error."""
    from mcp import MCPError
    from mcp_types import INVALID_PARAMS

    async def read(client):
        try:
            await client.read_resource(uri)
        except MCPError as exc:
            return exc
        return None

    failure = session(read)
    assert isinstance(failure, MCPError)
    assert failure.code == INVALID_PARAMS
    assert named in failure.message


def test_prompts_show_how_to_answer_the_common_questions():
    async def prompts(client):
        listed = await client.list_prompts()
        shown = await client.get_prompt("can-i-run", {"hardware": "2 × RTX 4090"})
        return listed, shown

    listed, shown = session(prompts)
    assert {p.name for p in listed.prompts} == {"can-i-run", "licence-question"}
    text = shown.messages[0].content.text
    assert "2 × RTX 4090" in text
    assert "recommend_hardware" in text


def test_drafts_reach_editors_only():
    draft = VariantFactory(slug="secret-draft", name="Secret-Draft", status="draft")
    key = f"{draft.version.family.slug}/{draft.version.slug}/secret-draft"
    editor = make_editor()
    assert ok("search_models", {"q": "secret draft"})["count"] == 0
    assert "key:" in error("get_model", {"key": key})
    assert ok("search_models", {"q": "secret draft"}, editor)["count"] == 1
    assert ok("get_model", {"key": key}, editor)["record"]["status"] == "draft"


@pytest.mark.parametrize(
    ("name", "arguments", "named"),
    [
        ("get_model", {"key": "qwen\x00/x/y"}, "key: Null characters are not allowed."),
        ("estimate_memory", {"config": {"model_type\x00": "llama"}}, "config: Null characters"),
        ("search_models", {"family": ["qwen", "x\x00"]}, "family: Null characters"),
        ("search_models", {"context__gte": 10**30}, "context__gte: Ensure this value"),
        ("check_license_use", {"license": "mit", "monthly_active_users": 10**30}, "monthly_active"),
        ("estimate_memory", {"model": QWEN_7B, "batch": 10**9}, "batch: Input should be less"),
    ],
)
def test_hostile_arguments_are_named_errors_never_crashes(name, arguments, named):
    assert named in error(name, arguments)
