"""POST /api/v1/estimate/ and `manage.py estimate` give the same JSON answer."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.api.parsers import JSON_TOO_NESTED
from estimator.architecture import MAX_LAYERS, TOO_LARGE
from tests import factories
from tests.estimator.configs import FIXTURES, fixture_config, fixture_names

pytestmark = pytest.mark.django_db
KEYS = {
    "total_params",
    "active_params",
    "kv_cache_bytes_per_token",
    "fixed_state_bytes_per_sequence",
    "checkpoint",
    "memory",
    "fits",
    "assumptions",
    "estimator_version",
}
MEMORY_KEYS = {
    "weights_bytes",
    "kv_cache_bytes",
    "fixed_state_bytes",
    "activation_bytes",
    "overhead_bytes",
    "gradient_bytes",
    "optimizer_bytes",
    "total_bytes",
}


def _post(client, payload):
    return client.post(
        reverse("api-estimate"), data=json.dumps(payload), content_type="application/json"
    )


@pytest.mark.parametrize("name", fixture_names())
def test_every_supported_family_gets_an_answer(client, name):
    response = _post(client, {"config": fixture_config(name)})
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert set(answer) >= KEYS
    assert set(answer["memory"]) == MEMORY_KEYS


def test_without_a_precision_a_quantised_checkpoint_is_estimated_as_published(client):
    answer = _post(client, {"config": fixture_config("openai__gpt-oss-20b")}).json()
    assert answer["inputs"]["precision"] == "native"
    assert answer["memory"]["weights_bytes"] == 13_761_264_768  # MXFP4 experts, the rest BF16
    plain = _post(client, {"config": fixture_config("meta-llama__Llama-3.1-8B")}).json()
    assert plain["inputs"]["precision"] == "bf16"
    deepseek = _post(client, {"config": fixture_config("deepseek-ai__DeepSeek-V3")}).json()
    assert deepseek["checkpoint"]["total"] == 684_531_386_000
    assert len(deepseek["checkpoint"]["reconciliation"]) == 3


def test_a_hybrid_model_reports_its_fixed_state(client):
    answer = _post(client, {"config": fixture_config("Qwen__Qwen3-Next-80B-A3B-Thinking")}).json()
    assert answer["fixed_state_bytes_per_sequence"] == 39_518_208
    assert answer["memory"]["fixed_state_bytes"] == 39_518_208
    assert answer["kv_cache_bytes_per_token"] == 24_576


def test_native_for_a_format_the_estimator_does_not_read_is_a_400_naming_precision(client):
    config = fixture_config("meta-llama__Llama-3.1-8B") | {
        "quantization_config": {"quant_method": "awq", "bits": 4}
    }
    response = _post(client, {"config": config, "precision": "native"})
    assert response.status_code == 400
    assert "awq" in response.json()["precision"][0]


def test_reference_answer_for_mixtral(client):
    factories.ProfileFactory(slug="2x-h100", accelerator=factories.AcceleratorFactory(), count=2)
    answer = _post(
        client,
        {
            "config": fixture_config("mistralai__Mixtral-8x7B-v0.1"),
            "precision": "bf16",
            "context": 4096,
        },
    ).json()
    assert answer["total_params"] == 46_702_792_704
    assert answer["active_params"] == 12_879_925_248
    assert answer["kv_cache_bytes_per_token"] == 131_072
    assert answer["memory"]["weights_bytes"] == 2 * 46_702_792_704
    assert answer["fits"][0]["profile"] == "2x-h100"
    assert answer["smallest_profile"] == "2x-h100"


def test_a_catalog_variant_by_slug(client):
    variant = factories.VariantFactory(slug="llama-like", model_type="llama")
    answer = _post(client, {"variant": variant.slug, "workload": "qlora"}).json()
    assert answer["variant"] == "llama-like"
    assert answer["total_params"] == 6_738_415_616
    assert answer["memory"]["optimizer_bytes"] > 0


def test_a_draft_variant_is_invisible_to_anonymous_users(client):
    factories.VariantFactory(slug="secret", status="draft")
    response = _post(client, {"variant": "secret"})
    assert response.status_code == 400
    assert "variant" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"config": {"model_type": "rwkv"}}, "config.model_type"),
        ({"config": {"model_type": "llama"}}, "config.hidden_size"),
        ({"config": [1, 2]}, "config"),
        ({"variant": "no-such-variant"}, "variant"),
        ({}, "non_field_errors"),
        ({"config": {"model_type": "llama"}, "precision": "int3"}, "precision"),
        ({"config": {"model_type": "llama"}, "context": 0}, "context"),
        ({"config": {"model_type": "llama"}, "batch": "many"}, "batch"),
        ({"config": {"model_type": "llama"}, "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_gets_400_naming_the_field(client, payload, field):
    response = _post(client, payload)
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("fixture", "changes", "field"),
    [
        ("meta-llama__Meta-Llama-3-8B", {"model_type": ["llama"]}, "config.model_type"),
        ("meta-llama__Meta-Llama-3-8B", {"model_type": {"id": "llama"}}, "config.model_type"),
        ("meta-llama__Meta-Llama-3-8B", {"num_hidden_layers": 10**6}, "config.num_hidden_layers"),
        ("meta-llama__Meta-Llama-3-8B", {"num_hidden_layers": 10**9}, "config.num_hidden_layers"),
        ("meta-llama__Meta-Llama-3-8B", {"hidden_size": 4096.0}, "config.hidden_size"),
        ("meta-llama__Meta-Llama-3-8B", {"hidden_size": 10**12}, "config.hidden_size"),
        ("meta-llama__Meta-Llama-3-8B", {"vocab_size": True}, "config.vocab_size"),
        (
            "meta-llama__Meta-Llama-3-8B",
            {"num_key_value_heads": {"n": 8}},
            "config.num_key_value_heads",
        ),
        ("meta-llama__Meta-Llama-3-8B", {"num_key_value_heads": 5}, "config.num_key_value_heads"),
        ("meta-llama__Meta-Llama-3-8B", {"rope_theta": "big"}, "config.rope_theta"),
        (
            "meta-llama__Meta-Llama-3-8B",
            {"rope_scaling": {"rope_type": ["llama3"]}},
            "config.rope_scaling.rope_type",
        ),
        (
            "meta-llama__Meta-Llama-3-8B",
            {"architectures": "LlamaForCausalLM"},
            "config.architectures",
        ),
        (
            "meta-llama__Meta-Llama-3-8B",
            {"vision_config": {"depth": "32"}},
            "config.vision_config.depth",
        ),
        (
            "Qwen__Qwen3-8B",
            {"use_sliding_window": True, "max_window_layers": "28"},
            "config.max_window_layers",
        ),
        ("Qwen__Qwen3-8B", {"use_sliding_window": "yes"}, "config.use_sliding_window"),
        (
            "deepseek-ai__DeepSeek-V3",
            {"num_nextn_predict_layers": "1"},
            "config.num_nextn_predict_layers",
        ),
        (
            "deepseek-ai__DeepSeek-V3",
            {"first_k_dense_replace": [3]},
            "config.first_k_dense_replace",
        ),
        ("mistralai__Mixtral-8x7B-v0.1", {"num_experts_per_tok": 9}, "config.num_experts_per_tok"),
        ("Qwen__Qwen-7B", {"rotary_emb_base": {"base": 10000}}, "config.rotary_emb_base"),
    ],
)
def test_a_config_value_of_the_wrong_type_or_size_gets_400_naming_it(
    client, fixture, changes, field
):
    response = _post(client, {"config": fixture_config(fixture) | changes})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert field.removeprefix("config.").split(".")[-1] in response.json()[field][0]


def test_a_billion_layers_are_refused_with_the_bound(client):
    config = fixture_config("meta-llama__Meta-Llama-3-8B") | {"num_hidden_layers": 10**9}
    message = _post(client, {"config": config}).json()["config.num_hidden_layers"][0]
    assert message == TOO_LARGE.format(
        field="num_hidden_layers", value=10**9, limit=MAX_LAYERS, unit="layers"
    )


def test_json_nested_beyond_the_recursion_limit_gets_400(client):
    depth = 100_000
    body = '{"config": ' + "[" * depth + "]" * depth + "}"
    response = client.post(reverse("api-estimate"), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": str(JSON_TOO_NESTED)}


def test_config_and_variant_together_are_refused(client):
    factories.VariantFactory(slug="both")
    response = _post(client, {"config": {"model_type": "llama"}, "variant": "both"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Give exactly one of 'config' or 'variant'."]


def test_unsupported_architecture_message_lists_the_supported_ones(client):
    message = _post(client, {"config": {"model_type": "rwkv"}}).json()["config.model_type"][0]
    assert "Unsupported architecture 'rwkv'" in message
    assert "qwen3_moe" in message


def test_command_gives_the_same_json_as_the_api(client, capsys):
    path = FIXTURES / "meta-llama__Meta-Llama-3-8B.json"
    call_command("estimate", str(path), "--context", "8192", "--json")
    from_command = json.loads(capsys.readouterr().out)
    from_api = _post(
        client, {"config": fixture_config("meta-llama__Meta-Llama-3-8B"), "context": 8192}
    ).json()
    assert from_command == from_api


def test_command_prints_a_readable_summary(capsys):
    call_command("estimate", str(FIXTURES / "deepseek-ai__DeepSeek-V3.json"), "--precision", "fp8")
    out = capsys.readouterr().out
    assert "671,026,419,200" in out
    assert "KV cache per token 70,272 bytes" in out


def test_command_names_a_bad_file(tmp_path):
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not a readable JSON file"):
        call_command("estimate", str(bad))
    missing = tmp_path / "missing.json"
    with pytest.raises(CommandError, match="file not found"):
        call_command("estimate", str(missing))


def test_command_names_the_bad_field(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"model_type": "llama", "hidden_size": "big"}))
    with pytest.raises(CommandError, match=r"config\.hidden_size"):
        call_command("estimate", str(config))


def test_any_hardware_can_be_asked_for_directly(client):
    factories.ProfileFactory(slug="published-profile")
    gpu = factories.AcceleratorFactory(
        slug="rtx-4090-like", form="consumer", memory=24, memory_bandwidth_gbps=1008
    )
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    answer = _post(
        client, {"config": config, "precision": "q4_k_m", "accelerator": gpu.slug, "count": 2}
    ).json()
    assert [fit["profile"] for fit in answer["fits"]] == ["2x-rtx-4090-like"]
    fit = answer["fits"][0]
    assert fit["count"] == 2
    assert fit["fits"] is True
    assert fit["decode_tokens_per_s_per_sequence"] < fit["decode_tokens_per_s_upper_bound"]
    one = _post(client, {"config": config, "precision": "q4_k_m", "accelerator": gpu.slug})
    assert one.json()["fits"][0]["count"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"accelerator": "no-such-gpu"}, "accelerator"),
        ({"count": 2}, "count"),
        ({"accelerator": "known-gpu", "count": 0}, "count"),
    ],
)
def test_bad_hardware_is_a_400_naming_the_field(client, payload, field):
    factories.AcceleratorFactory(slug="known-gpu")
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    response = _post(client, {"config": config, **payload})
    assert response.status_code == 400
    assert field in response.json()


def test_the_command_fits_on_any_accelerator_or_names_the_one_it_does_not_know(capsys):
    gpu = factories.AcceleratorFactory(slug="cmd-gpu", memory=24)
    path = str(FIXTURES / "meta-llama__Meta-Llama-3-8B.json")
    call_command("estimate", path, "--accelerator", gpu.slug, "--count", "2", "--json")
    answer = json.loads(capsys.readouterr().out)
    assert [fit["profile"] for fit in answer["fits"]] == ["2x-cmd-gpu"]
    with pytest.raises(CommandError, match="--accelerator: no published accelerator 'nope'"):
        call_command("estimate", path, "--accelerator", "nope")
    with pytest.raises(CommandError, match="--count"):
        call_command("estimate", path, "--accelerator", gpu.slug, "--count", "0")


def test_the_time_to_first_token_is_for_the_prompt_asked_for(client):
    gpu = factories.AcceleratorFactory(
        slug="flops-gpu", form="consumer", memory=24, bf16_dense_tflops=165.2
    )
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    payload = {"config": config, "precision": "q4_k_m", "accelerator": gpu.slug}
    short = _post(client, {**payload, "context": 8192, "prompt": 512}).json()
    full = _post(client, {**payload, "context": 8192}).json()
    assert short["inputs"]["prompt"] == 512
    assert full["inputs"]["prompt"] == 8192
    first, whole = short["fits"][0], full["fits"][0]
    assert 0 < first["time_to_first_token_s_at_peak"] < first["time_to_first_token_s"]
    # Sixteen times the prompt: more than sixteen times the work (attention pairs grow faster).
    assert whole["time_to_first_token_s"] > 16 * first["time_to_first_token_s"]


def test_a_prompt_past_the_context_is_a_400_naming_prompt(client, capsys):
    config = fixture_config("meta-llama__Meta-Llama-3-8B")
    response = _post(client, {"config": config, "context": 1024, "prompt": 4096})
    assert response.status_code == 400
    assert "prompt" in response.json()
    path = str(FIXTURES / "meta-llama__Meta-Llama-3-8B.json")
    with pytest.raises(CommandError, match="prompt"):
        call_command("estimate", path, "--context", "1024", "--prompt", "4096")


def test_the_command_says_how_fast_on_the_accelerator_asked_for(capsys):
    gpu = factories.AcceleratorFactory(
        slug="cmd-fast-gpu", form="consumer", memory=24, bf16_dense_tflops=165.2
    )
    path = str(FIXTURES / "meta-llama__Meta-Llama-3-8B.json")
    call_command("estimate", path, "--precision", "q4_k_m", "--accelerator", gpu.slug)
    out = capsys.readouterr().out
    assert "decode about" in out
    assert "(upper bound" in out
    assert "first token after about" in out


def test_the_runtime_decides_how_several_gpus_share_the_model(client, capsys):
    gpu = factories.AcceleratorFactory(slug="tp-gpu", memory=24, memory_bandwidth_gbps=1000)
    config = fixture_config("meta-llama__Llama-2-7b-hf")  # 32 heads
    payload = {"config": config, "accelerator": gpu.slug, "count": 3}
    split = _post(client, payload).json()
    assert split["inputs"]["runtime"] == "llama.cpp"
    assert split["fits"][0]["fits"] is True
    tensor = _post(client, {**payload, "runtime": "vllm"}).json()
    assert tensor["inputs"]["runtime"] == "vllm"
    assert tensor["fits"][0]["fits"] is False
    assert "divide" in tensor["fits"][0]["reason"]
    bad = _post(client, {**payload, "runtime": "tgi"})
    assert bad.status_code == 400
    assert "runtime" in bad.json()
    path = str(FIXTURES / "meta-llama__Llama-2-7b-hf.json")
    call_command(
        "estimate", path, "--accelerator", gpu.slug, "--count", "3", "--runtime", "vllm", "--json"
    )
    assert json.loads(capsys.readouterr().out)["fits"][0]["fits"] is False
