"""What a published checkpoint holds, reconciled to the parameter count
(estimator/checkpoint.py)."""

import pytest

from estimator import count_parameters, parse_config
from estimator.checkpoint import checkpoint, matrix_shapes
from tests.estimator.configs import fixture_config, fixture_names


@pytest.mark.parametrize("name", fixture_names())
def test_the_linear_layers_listed_by_shape_are_the_counted_matrices(name):
    arch = parse_config(fixture_config(name))
    params = count_parameters(arch)
    counted = sum(layer.attention + layer.ffn + layer.routed_experts for layer in params.layers)
    listed = sum(
        out * inp * count
        for index in range(arch.num_layers)
        for out, inp, count in matrix_shapes(arch, index)
    )
    assert listed == counted


def test_deepseek_v3s_fp8_checkpoint_is_reconciled_exactly_to_the_hubs_figures():
    """The Hub API's safetensors figures for deepseek-ai/DeepSeek-V3 (a saved response:
    github.com/zaid-cdlg/inference-atlas test/fixtures/hf/deepseek-v3.api.json, quoted in
    tests/fixtures/configs/published_counts.yaml)."""
    arch = parse_config(fixture_config("deepseek-ai__DeepSeek-V3"))
    params = count_parameters(arch)
    held = checkpoint(arch, params)
    assert held is not None
    assert held.tensors == {
        "BF16": 3_918_786_560,
        "F8_E4M3": 680_571_043_840,
        "F32": 41_555_600,
    }
    assert held.total == 684_531_386_000  # the Hub's total: not the 671B parameter count
    # the differences, each explained: the MTP block with its own embedding and head copies,
    # and one scale per 128 x 128 block
    assert held.total - params.total == held.mtp + held.scales
    assert held.mtp == params.mtp + 2 * params.embedding
    assert held.scales == 41_540_496
    assert len(held.reconciliation) == 3


def test_kimi_k2_has_no_prediction_block_and_scales_for_each_block():
    arch = parse_config(fixture_config("moonshotai__Kimi-K2-Instruct"))
    params = count_parameters(arch)
    held = checkpoint(arch, params)
    assert held is not None
    assert held.mtp == 0
    assert held.total == params.total + held.scales
    assert held.tensors["F8_E4M3"] == sum(
        layer.attention + layer.ffn + layer.routed_experts for layer in params.layers
    )


@pytest.mark.parametrize(
    "name", ["meta-llama__Llama-3.1-8B", "openai__gpt-oss-20b", "Qwen__Qwen3-Next-80B-A3B-Thinking"]
)
def test_a_checkpoint_in_another_format_is_not_guessed(name):
    arch = parse_config(fixture_config(name))
    assert checkpoint(arch, count_parameters(arch)) is None
