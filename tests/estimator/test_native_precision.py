"""The precision ``native``: the checkpoint as published (estimator/memory.py)."""

from fractions import Fraction

import pytest

from estimator import EstimateError, EstimateOptions, count_parameters, estimate, parse_config
from estimator.checkpoint import checkpoint, quantized_weights
from estimator.memory import NATIVE, default_precision, inference_memory, native_weight_bits
from estimator.precision import MXFP4
from tests.estimator.configs import fixture_config


def _weights(name: str, precision: str, config_changes: dict | None = None) -> int:
    arch = parse_config(fixture_config(name) | (config_changes or {}))
    return inference_memory(arch, count_parameters(arch), precision=precision).weights_bytes


def test_gpt_oss_native_keeps_its_experts_in_mxfp4_and_the_rest_in_bf16():
    arch = parse_config(fixture_config("openai__gpt-oss-20b"))
    params = count_parameters(arch)
    experts = sum(layer.routed_experts for layer in params.layers)
    expected = (experts * MXFP4 + (params.total - experts) * 16) / 8
    assert _weights("openai__gpt-oss-20b", "native") == expected == 13_761_264_768
    assert MXFP4 == 4.25  # 4-bit values, an 8-bit scale per 32 (OCP MX v1.0)


def test_deepseek_v3_native_is_its_fp8_weights_scales_and_bf16_rest():
    arch = parse_config(fixture_config("deepseek-ai__DeepSeek-V3"))
    held = checkpoint(arch, count_parameters(arch))
    assert held is not None
    native = _weights("deepseek-ai__DeepSeek-V3", "native")
    assert native == held.main_fp8 + 4 * held.main_f32 + 2 * held.main_bf16
    # the main model's tensors (a runtime loads the MTP block only to speculate): every
    # parameter, in FP8 or BF16 but the 58 MoE layers' router correction biases in fp32
    params = count_parameters(arch)
    correction = 58 * arch.num_experts
    assert params.total - held.main_fp8 - held.main_bf16 == correction
    assert held.main_f32 - correction < held.scales  # the main layers' share of the scales
    assert native < _weights("deepseek-ai__DeepSeek-V3", "bf16") * 0.51


def test_a_16_bit_checkpoint_is_native_at_16_bits():
    assert _weights("meta-llama__Llama-3.1-8B", "native") == _weights(
        "meta-llama__Llama-3.1-8B", "bf16"
    )


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("openai__gpt-oss-20b", "native"),
        ("deepseek-ai__DeepSeek-V3", "native"),
        ("moonshotai__Kimi-K2-Instruct", "native"),
        ("meta-llama__Llama-3.1-8B", "bf16"),
        ("Qwen__Qwen3-Next-80B-A3B-Thinking", "bf16"),
    ],
)
def test_an_estimate_without_a_precision_takes_the_published_one(name, default):
    arch = parse_config(fixture_config(name))
    assert default_precision(arch) == default
    answer = estimate(arch, EstimateOptions(precision="")).as_dict()
    assert answer["inputs"]["precision"] == default


def test_a_format_the_estimator_does_not_read_is_refused_as_native_and_not_the_default():
    unknown = {"quantization_config": {"quant_method": "compressed-tensors"}}
    arch = parse_config(fixture_config("meta-llama__Llama-3.1-8B") | unknown)
    assert default_precision(arch) == "bf16"
    with pytest.raises(EstimateError) as excinfo:
        inference_memory(arch, count_parameters(arch), precision="native")
    assert excinfo.value.field == "precision"
    assert "compressed-tensors" in str(excinfo.value)


# -- 4-bit checkpoints with an ignore list -------------------------------------------------


def test_kimi_int4_checkpoint_keeps_only_the_routed_experts_in_four_bits():
    """Kimi's quantisation-aware INT4 (compressed-tensors pack-quantized, group 32): its
    ignore list keeps lm_head, attention, the shared experts and the dense MLP in BF16."""
    arch = parse_config(fixture_config("moonshotai__Kimi-K2.5-text"))
    params = count_parameters(arch)
    assert default_precision(arch) == NATIVE
    experts = sum(layer.routed_experts for layer in params.layers)
    assert quantized_weights(arch, params) == experts
    bits, said = native_weight_bits(arch, params)
    assert bits == experts * Fraction(9, 2) + (params.total - experts) * 16
    assert "INT4 (4.5 bits" in said


def test_an_ignore_list_decides_which_layers_are_four_bit():
    config = fixture_config("moonshotai__Kimi-K2.5-text")
    settings = config["quantization_config"]
    everything = parse_config(config | {"quantization_config": settings | {"ignore": []}})
    params = count_parameters(everything)
    matrices = sum(x.attention + x.ffn + x.routed_experts for x in params.layers)
    assert quantized_weights(everything, params) == matrices + params.lm_head


def test_four_bit_checkpoints_of_families_whose_names_are_not_checked_are_not_sized():
    config = fixture_config("MiniMaxAI__MiniMax-M2.7")
    settings = fixture_config("moonshotai__Kimi-K2.5-text")["quantization_config"]
    arch = parse_config(config | {"quantization_config": settings})
    assert arch.quantization is not None
    assert arch.quantization.method == "int4"
    assert default_precision(arch) == "bf16"
    with pytest.raises(EstimateError) as caught:
        inference_memory(arch, count_parameters(arch), precision=NATIVE)
    assert caught.value.field == "precision"


def test_modelopt_nvfp4_is_read_with_its_group_and_exclusions():
    config = fixture_config("Qwen__Qwen3-30B-A3B") | {
        "quantization_config": {
            "quant_method": "modelopt",
            "quant_algo": "NVFP4",
            "group_size": 16,
            "exclude_modules": ["lm_head", "model.layers.*.mlp.gate"],
        }
    }
    arch = parse_config(config)
    params = count_parameters(arch)
    matrices = sum(x.attention + x.ffn + x.routed_experts for x in params.layers)
    assert quantized_weights(arch, params) == matrices
    bits, _ = native_weight_bits(arch, params)
    assert bits == matrices * Fraction(9, 2) + (params.total - matrices) * 16
