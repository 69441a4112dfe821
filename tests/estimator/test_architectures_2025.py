"""Architectures released since spring 2025: layer schedules and the small tensors that are
easy to miss (issue 18). Published figures and their sources are in
tests/fixtures/configs/published_counts.yaml."""

import pytest

from estimator import ConfigError, count_parameters, parse_config
from estimator.architecture import (
    LAYER_TYPE_NOT_BUILT,
    LAYER_TYPE_UNKNOWN,
    LAYER_TYPE_UNSUPPORTED,
    LAYER_TYPES_LENGTH,
    SLIDING_WITHOUT_WINDOW,
)
from estimator.estimate import EstimateOptions, estimate
from estimator.memory import (
    fixed_state_bytes,
    inference_memory,
    kv_bytes_per_token_per_layer,
    kv_cache_bytes,
)
from tests.estimator.configs import fixture_config

GPT_OSS_20B = "openai__gpt-oss-20b"
GPT_OSS_120B = "openai__gpt-oss-120b"
QWEN3_NEXT = "Qwen__Qwen3-Next-80B-A3B-Thinking"
GPT_OSS_KINDS = "full_attention, sliding_attention"


def _expert_matrices(config: dict) -> int:
    """The routed experts' fused gate/up and down matrices, every layer (MXFP4 on the Hub)."""
    hidden, inner = config["hidden_size"], config["intermediate_size"]
    per_expert = 2 * hidden * inner + inner * hidden
    return config["num_hidden_layers"] * config["num_local_experts"] * per_expert


@pytest.mark.parametrize(
    ("fixture", "total", "active_without_embedding"),
    [
        # "20.9B total parameters (3.6B active)" (gpt-oss model card, arXiv 2508.10925)
        (GPT_OSS_20B, 20_914_757_184, 3_608_307_264),
        # "116.8B total parameters (5.1B active)" (same)
        (GPT_OSS_120B, 116_829_156_672, 5_132_849_472),
    ],
)
def test_gpt_oss_is_counted_to_the_model_cards_figures(fixture, total, active_without_embedding):
    params = count_parameters(parse_config(fixture_config(fixture)))
    assert params.total == total
    assert params.active - params.embedding == active_without_embedding


def test_gpt_oss_120b_tensors_kept_in_bf16_are_the_hubs_bf16_figure():
    """Everything but the experts' matrices stays BF16 (quantization_config's
    modules_to_not_convert and the experts' biases): the Hub's BF16 figure, 2,167,371,072."""
    config = fixture_config(GPT_OSS_120B)
    params = count_parameters(parse_config(config))
    assert params.total - _expert_matrices(config) == 2_167_371_072


def test_gpt_oss_counts_its_attention_sinks_and_every_bias():
    config = fixture_config(GPT_OSS_20B)
    layer = count_parameters(parse_config(config)).layers[0]
    heads, kv_heads, head_dim = 64, 8, 64
    qkv_bias = heads * head_dim + 2 * kv_heads * head_dim
    assert layer.attention_small == qkv_bias + config["hidden_size"] + heads  # o bias, sinks
    experts, hidden, inner = 32, config["hidden_size"], config["intermediate_size"]
    assert layer.ffn_small == hidden * experts + experts  # router weight and bias
    assert layer.routed_experts == experts * 3 * hidden * inner
    assert layer.expert_biases == experts * (2 * inner + hidden)
    without_bias = count_parameters(parse_config(config | {"attention_bias": False}))
    assert without_bias.layers[0].attention_small == heads  # only the sinks are left


def test_gpt_oss_sliding_layers_keep_at_most_their_window():
    arch = parse_config(fixture_config(GPT_OSS_20B))
    assert (arch.sliding_window, arch.sliding_window_layers, arch.num_layers) == (128, 12, 24)
    per_layer = kv_bytes_per_token_per_layer(arch, 2)
    assert per_layer == 2 * 8 * 64 * 2
    for context in (100, 128, 4096, 131072):
        expected = 12 * context * per_layer + 12 * min(context, 128) * per_layer
        assert kv_cache_bytes(arch, context_tokens=context, batch=1, kv_dtype_bytes=2) == expected


def test_the_sliding_layers_are_read_from_the_schedule_not_assumed():
    config = fixture_config(GPT_OSS_20B)
    all_full = parse_config(config | {"layer_types": ["full_attention"] * 24})
    assert all_full.sliding_window_layers == 0
    assert all_full.sliding_window is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"layer_types": ["full_attention"] * 23},
            LAYER_TYPES_LENGTH.format(count=23, layers=24),
        ),
        (
            {"layer_types": ["full_attention"] * 23 + ["dense"]},
            LAYER_TYPE_UNKNOWN.format(value="'dense'", known=GPT_OSS_KINDS),
        ),
        (
            {"layer_types": ["full_attention"] * 23 + ["conv"]},
            LAYER_TYPE_UNSUPPORTED.format(value="'conv'", known=GPT_OSS_KINDS),
        ),
        (
            {"layer_types": ["full_attention"] * 23 + ["linear_attention"]},
            LAYER_TYPE_NOT_BUILT.format(
                value="'linear_attention'", model_type="gpt_oss", known=GPT_OSS_KINDS
            ),
        ),
        ({"layer_types": "full_attention"}, "'layer_types' must be a list of layer kinds"),
        ({"sliding_window": None}, SLIDING_WITHOUT_WINDOW),
    ],
    ids=[
        "wrong-length",
        "unknown-kind",
        "kind-not-counted-yet",
        "kind-the-architecture-does-not-build",
        "not-a-list",
        "no-window",
    ],
)
def test_a_schedule_that_does_not_fit_the_config_is_refused_naming_the_field(changes, message):
    config = fixture_config(GPT_OSS_20B) | changes
    with pytest.raises(ConfigError) as excinfo:
        parse_config(config)
    assert str(excinfo.value).startswith(message)
    assert excinfo.value.field in {"layer_types", "sliding_window"}


# -- Qwen3-Next: Gated DeltaNet layers with a fixed state ----------------------------------------


def test_qwen3_next_is_counted_to_the_model_cards_figures():
    params = count_parameters(parse_config(fixture_config(QWEN3_NEXT)))
    assert params.total == 79_674_391_296  # "80B total parameters"
    # "Number of Paramaters (Non-Embedding): 79B" (model card)
    assert params.total - params.embedding - params.lm_head == 79_052_061_440
    assert params.active == 3_874_929_408  # "Active Parameters: 3.9B" (NVIDIA NIM card)


def test_qwen3_next_attends_every_fourth_layer_and_the_others_are_linear():
    arch = parse_config(fixture_config(QWEN3_NEXT))
    full = [index for index, kind in enumerate(arch.layer_types) if kind == "full_attention"]
    assert full == list(range(3, 48, 4))
    assert (arch.linear_attention_layers, arch.full_attention_layers) == (36, 12)
    assert parse_config(fixture_config(QWEN3_NEXT) | {"full_attention_interval": 2}).layer_types[
        :4
    ] == ("linear_attention", "full_attention", "linear_attention", "full_attention")


def test_a_gated_deltanet_layer_counts_its_projections_conv_and_small_tensors():
    config = fixture_config(QWEN3_NEXT)
    layers = count_parameters(parse_config(config)).layers
    hidden, keys, values, value_heads = 2048, 16 * 128, 32 * 128, 32
    conv_dim = 2 * keys + values
    linear = (
        hidden * (2 * keys + 2 * values)  # in_proj_qkvz
        + hidden * 2 * value_heads  # in_proj_ba
        + conv_dim * 4  # depthwise conv1d, kernel 4, no bias
        + 2 * value_heads  # dt_bias, A_log
        + 128  # gated RMSNorm of one value head
        + values * hidden  # out_proj
    )
    assert layers[0].attention + layers[0].attention_small == linear
    gated = hidden * 16 * 256 * 2 + 2 * hidden * 2 * 256 + 16 * 256 * hidden  # q+gate, k, v, o
    assert layers[3].attention + layers[3].attention_small == gated + 2 * 256  # q/k norms


def test_mlp_only_layers_and_the_sparse_step_make_dense_layers():
    config = fixture_config(QWEN3_NEXT)
    moe = count_parameters(parse_config(config)).layers
    dense = count_parameters(parse_config(config | {"mlp_only_layers": [0]})).layers
    assert dense[0].routed_experts == 0
    assert dense[0].ffn == 3 * 2048 * 5120  # intermediate_size
    assert dense[1] == moe[1]
    every_other = parse_config(config | {"decoder_sparse_step": 2})
    assert [every_other.is_moe_layer(i) for i in range(4)] == [False, True, False, True]


def test_qwen3_next_keeps_a_fixed_state_that_does_not_grow_with_the_context():
    arch = parse_config(fixture_config(QWEN3_NEXT))
    conv, recurrent = (2 * 2048 + 4096) * 3, 32 * 128 * 128
    assert fixed_state_bytes(arch) == 36 * (conv + recurrent) * 2  # BF16, vLLM's default
    params = count_parameters(arch)
    short = inference_memory(arch, params, context_tokens=1024)
    long = inference_memory(arch, params, context_tokens=131072)
    assert short.fixed_state_bytes == long.fixed_state_bytes == fixed_state_bytes(arch)
    per_token = 12 * 2 * 2 * 256 * 2  # only the 12 attention layers cache keys and values
    assert long.kv_cache_bytes_per_token == per_token
    assert long.kv_cache_bytes - short.kv_cache_bytes == (131072 - 1024) * per_token
    four = inference_memory(arch, params, context_tokens=1024, batch=4)
    assert four.fixed_state_bytes == 4 * short.fixed_state_bytes


def test_the_estimate_reports_the_fixed_state_apart_and_a_config_may_ask_for_fp32_state():
    config = fixture_config(QWEN3_NEXT)
    answer = estimate(parse_config(config), EstimateOptions()).as_dict()
    assert answer["fixed_state_bytes_per_sequence"] == 39_518_208
    assert answer["memory"]["fixed_state_bytes"] == 39_518_208
    assert "fixed_state" in [term["key"] for term in answer["breakdown"]]
    # fp32 for the recurrent state only: the convolution's state stays in the model's dtype
    # (36 layers × (8,192 channels × 3 positions × 2 bytes + 32 heads × 128 × 128 × 4 bytes)).
    fp32 = parse_config(config | {"mamba_ssm_cache_dtype": "float32"})
    assert fixed_state_bytes(fp32) == 36 * (8_192 * 3 * 2 + 32 * 128 * 128 * 4) == 77_266_944
    dense = estimate(parse_config(fixture_config(GPT_OSS_20B)), EstimateOptions()).as_dict()
    assert dense["fixed_state_bytes_per_sequence"] == 0
    assert "fixed_state" not in [term["key"] for term in dense["breakdown"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mlp_only_layers": [48]}, "mlp_only_layers"),
        ({"mlp_only_layers": "0"}, "mlp_only_layers"),
        ({"linear_num_key_heads": 12}, "linear_num_key_heads"),
        ({"linear_conv_kernel_dim": 0}, "linear_conv_kernel_dim"),
        ({"full_attention_interval": -1}, "full_attention_interval"),
        ({"layer_types": ["sliding_attention"] * 48}, "layer_types"),
    ],
)
def test_bad_hybrid_numbers_are_refused_naming_the_field(changes, field):
    with pytest.raises(ConfigError) as excinfo:
        parse_config(fixture_config(QWEN3_NEXT) | changes)
    assert excinfo.value.field == field


# -- Kimi K2: DeepSeek-V3's architecture with 384 experts ---------------------------------------


def test_kimi_k2_is_deepseek_v3_with_its_own_expert_count():
    config = fixture_config("moonshotai__Kimi-K2-Instruct")
    arch = parse_config(config)
    assert (arch.model_type, arch.num_experts, arch.uses_mla) == ("kimi_k2", 384, True)
    params = count_parameters(arch)
    # "32 billion activated parameters and 1 trillion total parameters" (Moonshot's README)
    assert params.total == 1_026_408_232_448
    assert params.active - params.embedding == 31_687_095_808
    as_v3 = count_parameters(parse_config(config | {"model_type": "deepseek_v3"}))
    assert as_v3.total == params.total


# -- DeepSeek sparse attention: DeepSeek-V3.2 and GLM-5 ----------------------------------------


def _indexer_parameters(config: dict) -> int:
    """wq_b, wk, k_norm (weight and bias) and weights_proj of one layer's lightning indexer
    (DeepSeek-V3.2-Exp inference/model.py, Indexer)."""
    heads, width = config["index_n_heads"], config["index_head_dim"]
    hidden, rank = config["hidden_size"], config["q_lora_rank"]
    return rank * heads * width + hidden * width + 2 * width + hidden * heads


def test_deepseek_v32_is_v3_plus_an_indexer_on_every_layer():
    config = fixture_config("deepseek-ai__DeepSeek-V3.2")
    params = count_parameters(parse_config(config))
    v3 = count_parameters(parse_config(fixture_config("deepseek-ai__DeepSeek-V3")))
    assert _indexer_parameters(config) == 13_959_424
    assert params.total == v3.total + 61 * _indexer_parameters(config) == 671_877_944_064


def test_glm_5_is_counted_to_its_readmes_figures():
    config = fixture_config("zai-org__GLM-5")
    params = count_parameters(parse_config(config))
    # "744B parameters (40B active)" (Z.ai's GLM-5 README)
    assert params.total == 743_911_218_432
    assert params.active - params.embedding == 40_833_146_112


def test_sparse_attention_caches_the_latent_and_the_indexers_fp8_key():
    arch = parse_config(fixture_config("deepseek-ai__DeepSeek-V3.2"))
    latent = (512 + 64) * 2
    indexer_key = 128 + 4  # 128 FP8 values and one fp32 scale
    assert kv_bytes_per_token_per_layer(arch, 2) == latent + indexer_key
    assert inference_memory(arch, count_parameters(arch)).kv_cache_bytes_per_token == 61 * 1284


def test_a_sparse_attention_checkpoint_is_not_reconciled_or_sized_by_guess():
    from estimator import EstimateError
    from estimator.checkpoint import checkpoint
    from estimator.memory import default_precision

    arch = parse_config(fixture_config("deepseek-ai__DeepSeek-V3.2"))
    params = count_parameters(arch)
    assert arch.quantization is not None
    assert checkpoint(arch, params) is None
    assert default_precision(arch) == "bf16"
    with pytest.raises(EstimateError) as excinfo:
        inference_memory(arch, params, precision="native")
    assert excinfo.value.field == "precision"
    assert estimate(arch, EstimateOptions(precision="")).as_dict()["inputs"]["precision"] == "bf16"


def test_an_moe_layer_frequency_the_estimator_does_not_count_is_refused():
    with pytest.raises(ConfigError) as excinfo:
        parse_config(fixture_config("zai-org__GLM-5") | {"moe_layer_freq": 2})
    assert excinfo.value.field == "moe_layer_freq"
