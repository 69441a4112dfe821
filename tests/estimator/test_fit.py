"""Fit onto hardware profiles and decode speed (no database)."""

from dataclasses import replace
from fractions import Fraction

import pytest

from core.lib.units import GIB
from estimator import AcceleratorSpec, EstimateOptions, ProfileSpec, estimate, parse_config
from estimator.memory import EstimateError
from estimator.speed import LLAMA_CPP, VLLM
from tests.estimator.configs import catalog_config, fixture_config

RTX_4090 = AcceleratorSpec(
    "rtx-4090", "RTX 4090", 24 * GIB, 1_008 * 10**9, "consumer", vendor="NVIDIA"
)
H100 = AcceleratorSpec("h100", "H100 SXM", 80 * GIB, 3_350 * 10**9, vendor="NVIDIA")
M2_ULTRA = AcceleratorSpec(
    "m2-ultra", "M2 Ultra", 192 * GIB, 800 * 10**9, "unified_memory", vendor="Apple"
)
MI300X = AcceleratorSpec("mi300x", "MI300X", 192 * GIB, 5_300 * 10**9, vendor="AMD")


def _profiles(*pairs):
    return [ProfileSpec(f"{n}x-{a.slug}", f"{n} × {a.name}", a, n) for a, n in pairs]


def test_llama_3_8b_bf16_fits_one_4090_and_the_smallest_is_chosen():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    profiles = _profiles((H100, 1), (RTX_4090, 1), (RTX_4090, 2))
    result = estimate(arch, EstimateOptions(), profiles)
    assert all(f.fits for f in result.fits)
    assert result.smallest.profile.slug == "1x-rtx-4090"


def test_llama_2_70b_bf16_needs_more_than_one_h100():
    arch = parse_config(
        fixture_config("meta-llama__Llama-2-7b-hf")
        | {
            "hidden_size": 8192,
            "intermediate_size": 28672,
            "num_hidden_layers": 80,
            "num_attention_heads": 64,
            "num_key_value_heads": 8,
        }
    )
    result = estimate(arch, EstimateOptions(), _profiles((H100, 1), (H100, 2), (H100, 4)))
    fits = {f.profile.count: f.fits for f in result.fits}
    assert fits == {1: False, 2: True, 4: True}


def test_tensor_parallel_needs_a_divisor_of_the_heads_and_a_layer_split_does_not():
    arch = parse_config(fixture_config("meta-llama__Llama-2-7b-hf"))  # 32 heads
    result = estimate(arch, EstimateOptions(runtime=VLLM), _profiles((RTX_4090, 3)))
    assert not result.fits[0].fits
    assert "divide" in result.fits[0].reason
    split = estimate(arch, EstimateOptions(runtime=LLAMA_CPP), _profiles((RTX_4090, 3)))
    assert split.fits[0].fits


def test_a_layer_split_keeps_each_layers_cache_once_and_tensor_parallel_replicates_kv_heads():
    """Qwen3-8B has 8 KV heads: on 16 GPUs tensor parallelism stores each twice."""
    arch = parse_config(fixture_config("Qwen__Qwen3-8B"))
    options = EstimateOptions(context_tokens=131_072, batch=4)
    by_layers = estimate(arch, options, _profiles((H100, 16))).fits[0]
    tensor = estimate(arch, replace(options, runtime=VLLM), _profiles((H100, 16))).fits[0]
    kv = estimate(arch, options).memory.kv_cache_bytes
    assert tensor.per_device_bytes - by_layers.per_device_bytes == pytest.approx(kv / 16, abs=2)


def test_tensor_parallel_adds_bandwidth_and_pays_for_its_all_reduces():
    """vLLM, calibrated on QwQ-32B (Qwen2.5-32B's shapes) on 2, 4 and 8 A100s
    (bench/data/decode_measurements.yaml: 36.2, 50 and 63 tokens/s): more GPUs are faster for
    one sequence, far from in proportion; a layer split is not faster at all."""
    arch = parse_config(catalog_config("qwen2-5-32b"))
    a100 = AcceleratorSpec("a100", "A100 80GB", 80 * GIB, 2_039 * 10**9, vendor="NVIDIA")
    options = EstimateOptions(runtime=VLLM, context_tokens=100)
    two, four, eight = estimate(arch, options, _profiles((a100, 2), (a100, 4), (a100, 8))).fits
    speeds = [f.decode_tokens_per_s_per_sequence for f in (two, four, eight)]
    assert speeds == sorted(speeds)
    assert 30 < speeds[0] < 40
    assert speeds[2] < 2 * speeds[0]
    assert eight.decode_tokens_per_s_upper_bound == 4 * two.decode_tokens_per_s_upper_bound
    layer_split = estimate(arch, replace(options, runtime=LLAMA_CPP), _profiles((a100, 8)))
    assert layer_split.fits[0].decode_tokens_per_s_per_sequence < speeds[0]


def test_an_unknown_runtime_is_refused_naming_it():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    with pytest.raises(EstimateError) as caught:
        estimate(arch, EstimateOptions(runtime="tgi"))
    assert caught.value.field == "runtime"


def test_usable_fraction_decides_a_tight_fit():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    options = EstimateOptions(context_tokens=32768)
    tight = estimate(arch, options, _profiles((RTX_4090, 1)))
    loose = estimate(
        arch,
        EstimateOptions(context_tokens=32768, usable_fraction=Fraction(1)),
        _profiles((RTX_4090, 1)),
    )
    assert tight.fits[0].usable_bytes < loose.fits[0].usable_bytes


def test_unified_memory_uses_three_quarters():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    fit = estimate(arch, EstimateOptions(), _profiles((M2_ULTRA, 1))).fits[0]
    assert fit.usable_bytes == 192 * GIB * 3 // 4


def test_the_upper_bound_is_the_bandwidth_roofline_of_every_gpu_at_once():
    arch = parse_config(fixture_config("meta-llama__Llama-2-7b-hf"))
    result = estimate(arch, EstimateOptions(context_tokens=1), _profiles((H100, 1), (H100, 2)))
    step = result.memory.active_weights_bytes + result.memory.kv_bytes_per_sequence
    one, two = result.fits
    assert one.decode_tokens_per_s_upper_bound == round(3_350 * 10**9 / step, 1)
    assert two.decode_tokens_per_s_upper_bound == round(2 * 3_350 * 10**9 / step, 1)


def test_the_realistic_speed_is_well_below_the_bound_and_two_gpus_do_not_double_it():
    """The issue's example: Llama-3-8B Q4_K_M on RTX 4090s. Measured: 130.6 tokens/s on one,
    124.7 on two split by layers (bench/data/decode_measurements.yaml)."""
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    options = EstimateOptions(precision="q4_k_m", context_tokens=256)
    one, two = estimate(arch, options, _profiles((RTX_4090, 1), (RTX_4090, 2))).fits
    assert one.decode_tokens_per_s_upper_bound > 190
    assert 110 < one.decode_tokens_per_s_per_sequence < 150
    assert two.decode_tokens_per_s_per_sequence < one.decode_tokens_per_s_per_sequence
    assert two.decode_tokens_per_s_upper_bound == 2 * one.decode_tokens_per_s_upper_bound


def test_an_accelerator_without_a_calibrated_runtime_gets_only_the_upper_bound():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    fit = estimate(arch, EstimateOptions(), _profiles((MI300X, 1))).fits[0]
    assert fit.decode_tokens_per_s_per_sequence is None
    assert fit.decode_tokens_per_s_aggregate is None
    assert fit.decode_tokens_per_s_upper_bound > 0


def test_moe_decode_reads_only_the_active_experts():
    arch = parse_config(fixture_config("mistralai__Mixtral-8x7B-v0.1"))
    result = estimate(arch, EstimateOptions(), _profiles((H100, 2)))
    ratio = result.memory.active_weights_bytes / result.memory.weights_bytes
    assert 0.27 < ratio < 0.28  # 12.9B of 46.7B


def test_aggregate_speed_grows_with_batch():
    arch = parse_config(fixture_config("meta-llama__Meta-Llama-3-8B"))
    one = estimate(arch, EstimateOptions(batch=1), _profiles((H100, 1))).fits[0]
    many = estimate(arch, EstimateOptions(batch=16), _profiles((H100, 1))).fits[0]
    assert many.decode_tokens_per_s_aggregate > one.decode_tokens_per_s_aggregate
    assert many.decode_tokens_per_s_per_sequence < one.decode_tokens_per_s_per_sequence
