"""Inference and fine-tuning memory: reference figures and properties (no database)."""

import pytest

from estimator import (
    EstimateError,
    EstimateOptions,
    count_parameters,
    estimate,
    parse_config,
)
from estimator.memory import inference_memory, kv_replication, training_memory
from tests.estimator.configs import fixture_config, fixture_names

# Precisions of one scheme from fewer to more bits (schemes differ in what they keep at 16 bits).
LADDERS = [
    ("awq-int4", "int8", "fp16"),
    ("nf4", "fp8", "bf16"),
    ("q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k", "q8_0"),
]


def _arch(name):
    arch = parse_config(fixture_config(name))
    return arch, count_parameters(arch)


def test_llama_3_8b_kv_cache_is_131072_bytes_per_token_in_bf16():
    arch, params = _arch("meta-llama__Meta-Llama-3-8B")
    assert inference_memory(arch, params).kv_cache_bytes_per_token == 131_072


def test_deepseek_v3_latent_kv_cache_is_70272_bytes_per_token():
    arch, params = _arch("deepseek-ai__DeepSeek-V3")
    memory = inference_memory(arch, params, context_tokens=1, kv_dtype="bf16")
    assert memory.kv_cache_bytes_per_token == 70_272  # 61 layers × (512 + 64) × 2 bytes
    assert memory.kv_cache_bytes == 70_272


def test_fp8_kv_cache_halves_it():
    arch, params = _arch("meta-llama__Meta-Llama-3-8B")
    bf16 = inference_memory(arch, params, context_tokens=8192)
    fp8 = inference_memory(arch, params, context_tokens=8192, kv_dtype="fp8")
    assert fp8.kv_cache_bytes * 2 == bf16.kv_cache_bytes


def test_bf16_weights_are_two_bytes_per_parameter():
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    assert inference_memory(arch, params).weights_bytes == 2 * 6_738_415_616


@pytest.mark.parametrize(
    ("precision", "published_gb"),
    [
        # TheBloke/Llama-2-7B-GGUF file sizes: Q4_K_M 4.08 GB, Q8_0 7.16 GB.
        ("q4_k_m", 4.08),
        ("q8_0", 7.16),
        # TheBloke/Llama-2-7B-GPTQ main branch (4-bit, group size 128): 3.90 GB.
        ("gptq-int4", 3.90),
        # llama-bench prints "llama 7B Q4_0 | 3.56 GiB | 6.74 B" (ggml-org/llama.cpp pull
        # request 4812): 3.82 GB.
        ("q4_0", 3.56 * 2**30 / 1e9),
        # and "llama 7B F16 | 12.55 GiB" (pull request 4766): 13.48 GB.
        ("fp16", 12.55 * 2**30 / 1e9),
    ],
)
def test_quantised_llama_2_7b_matches_published_file_sizes(precision, published_gb):
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    weights = inference_memory(arch, params, precision=precision).weights_bytes
    assert abs(weights / 1e9 - published_gb) / published_gb < 0.02


def test_mistral_sliding_window_caps_the_cache():
    arch, params = _arch("mistralai__Mistral-7B-v0.1")
    at_window = inference_memory(arch, params, context_tokens=4096).kv_cache_bytes
    beyond = inference_memory(arch, params, context_tokens=32768).kv_cache_bytes
    assert arch.sliding_window == 4096
    assert beyond == at_window


def test_gemma_2_caps_only_its_local_layers():
    arch, params = _arch("google__gemma-2-9b")
    short = inference_memory(arch, params, context_tokens=4096).kv_cache_bytes
    long = inference_memory(arch, params, context_tokens=8192).kv_cache_bytes
    per_layer = 2 * 8 * 256 * 2
    assert long - short == 21 * 4096 * per_layer  # 21 global layers grow, 21 local do not


def test_kv_heads_are_replicated_when_gpus_outnumber_them():
    arch = parse_config(fixture_config("THUDM__chatglm2-6b"))  # 2 KV groups
    assert kv_replication(arch, 2) == 1
    assert kv_replication(arch, 8) == 4


def test_mla_cache_is_replicated_on_every_gpu():
    arch = parse_config(fixture_config("deepseek-ai__DeepSeek-V3"))
    assert kv_replication(arch, 8) == 8


@pytest.mark.parametrize("name", fixture_names())
def test_memory_never_shrinks_as_context_batch_or_bits_grow(name):
    arch, params = _arch(name)
    contexts = [512, 4096, 32768]
    totals = [inference_memory(arch, params, context_tokens=c).total_bytes for c in contexts]
    assert totals == sorted(totals)
    batches = [inference_memory(arch, params, batch=b).total_bytes for b in (1, 4, 16)]
    assert batches == sorted(batches)
    for ladder in LADDERS:
        weights = [inference_memory(arch, params, precision=p).weights_bytes for p in ladder]
        assert weights == sorted(weights), ladder


@pytest.mark.parametrize("name", fixture_names())
def test_every_family_answers_every_workload(name):
    arch, _ = _arch(name)
    for workload in ("inference", "lora", "qlora", "full"):
        answer = estimate(arch, EstimateOptions(workload=workload)).as_dict()
        assert answer["memory"]["total_bytes"] > 0
        assert answer["estimator_version"]


def test_full_fine_tuning_is_sixteen_bytes_per_parameter_before_activations():
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    memory = training_memory(arch, params, workload="full")
    per_param = memory.weights_bytes + memory.gradient_bytes + memory.optimizer_bytes
    assert per_param == 16 * params.total


def test_gradient_checkpointing_saves_activation_memory():
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    on = training_memory(arch, params, workload="lora", gradient_checkpointing=True)
    off = training_memory(arch, params, workload="lora", gradient_checkpointing=False)
    assert on.activation_bytes < off.activation_bytes


def test_qlora_base_is_smaller_than_lora_base():
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    lora = training_memory(arch, params, workload="lora")
    qlora = training_memory(arch, params, workload="qlora")
    assert qlora.weights_bytes < lora.weights_bytes / 3
    # LoRA rank 16 on q, k, v, o of Llama-2-7b: 16 × 4 × 8192 × 32 layers.
    assert lora.gradient_bytes == 2 * 16 * 4 * 8192 * 32


def test_lora_rank_grows_trainable_memory():
    arch, params = _arch("meta-llama__Llama-2-7b-hf")
    small = training_memory(arch, params, workload="lora", lora_rank=8)
    large = training_memory(arch, params, workload="lora", lora_rank=64)
    assert large.optimizer_bytes == 8 * small.optimizer_bytes


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (EstimateOptions(precision="int3"), "precision"),
        (EstimateOptions(context_tokens=0), "context"),
        (EstimateOptions(batch=-1), "batch"),
        (EstimateOptions(kv_dtype="int2"), "kv_dtype"),
        (EstimateOptions(workload="pretrain"), "workload"),
        (EstimateOptions(workload="lora", lora_targets="mlp"), "lora_targets"),
    ],
)
def test_bad_options_name_the_field(options, field):
    arch = parse_config(fixture_config("meta-llama__Llama-2-7b-hf"))
    with pytest.raises(EstimateError) as excinfo:
        estimate(arch, options)
    assert excinfo.value.field == field


def test_every_term_explains_itself():
    arch = parse_config(fixture_config("mistralai__Mixtral-8x7B-v0.1"))
    answer = estimate(arch, EstimateOptions(precision="awq-int4")).as_dict()
    for term in answer["breakdown"]:
        assert term["bytes"] >= 0
        assert term["explanation"]
    assert sum(t["bytes"] for t in answer["breakdown"]) == answer["memory"]["total_bytes"]
    assert answer["assumptions"]
