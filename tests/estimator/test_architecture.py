"""The config parser is pure: no database, no Django."""

import ast
import json
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator import (
    SUPPORTED_MODEL_TYPES,
    AcceleratorSpec,
    ConfigError,
    EstimateOptions,
    ProfileSpec,
    architecture,
    estimate,
    parse_config,
)
from tests.estimator.configs import fixture_config, fixture_names

ROOT = Path(__file__).resolve().parents[2]


def _catalog_config(family_file: str, slug: str) -> dict:
    document = yaml.safe_load((ROOT / "catalog/data/families" / family_file).read_text("utf-8"))
    return next(v["config"] for v in document["variants"] if v["slug"] == slug)


def test_estimator_imports_only_the_standard_library_and_the_pure_units():
    allowed_prefixes = ("estimator", "core.lib.units")
    for path in (ROOT / "estimator").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith(allowed_prefixes), (
                    f"{path.name} imports {name}"
                )


def test_parses_llama_2_7b():
    arch = parse_config(_catalog_config("llama.yaml", "llama-2-7b"))
    assert (arch.num_layers, arch.hidden_size, arch.num_attention_heads) == (32, 4096, 32)
    assert arch.num_kv_heads == 32
    assert arch.head_dim == 128
    assert arch.intermediate_size == 11008
    assert arch.vocab_size == 32000
    assert not arch.tie_word_embeddings
    assert not arch.is_moe


def test_parses_deepseek_v3_latent_attention_and_experts():
    arch = parse_config(_catalog_config("deepseek.yaml", "deepseek-v3"))
    assert arch.uses_mla
    assert (arch.kv_lora_rank, arch.q_lora_rank, arch.qk_rope_head_dim) == (512, 1536, 64)
    assert (arch.num_experts, arch.num_experts_per_token, arch.num_shared_experts) == (256, 8, 1)
    assert arch.first_dense_layers == 3
    assert arch.head_dim == 192


def test_parses_chatglm_field_names():
    arch = parse_config(_catalog_config("glm.yaml", "chatglm3-6b"))
    assert arch.num_kv_heads == 2
    assert arch.intermediate_size == 13696
    assert arch.vocab_size == 65024
    assert arch.qkv_bias


def test_parses_qwen_first_generation_half_intermediate_size():
    arch = parse_config(_catalog_config("qwen.yaml", "qwen-7b"))
    assert arch.intermediate_size == 11008
    assert arch.qkv_bias


def test_unsupported_architecture_is_named_with_the_supported_list():
    with pytest.raises(ConfigError) as excinfo:
        parse_config({"model_type": "rwkv", "architectures": ["RwkvForCausalLM"]})
    message = str(excinfo.value)
    assert "Unsupported architecture 'rwkv'" in message
    for model_type in SUPPORTED_MODEL_TYPES:
        assert model_type in message
    assert excinfo.value.field == "model_type"


def test_missing_field_is_named():
    config = _catalog_config("llama.yaml", "llama-2-7b") | {"hidden_size": None}
    with pytest.raises(ConfigError, match="no 'hidden_size'") as excinfo:
        parse_config(config)
    assert excinfo.value.field == "hidden_size"


def test_invalid_field_is_named():
    config = _catalog_config("llama.yaml", "llama-2-7b") | {"num_hidden_layers": "32"}
    with pytest.raises(ConfigError, match="'num_hidden_layers' must be a positive integer"):
        parse_config(config)


# -- every wrongly typed or out-of-range field is named ----------------------------------------

LLAMA = "meta-llama__Meta-Llama-3-8B"
QWEN3_WINDOWED = "Qwen__Qwen3-8B"  # with use_sliding_window set by the test
DEEPSEEK = "deepseek-ai__DeepSeek-V3"
MIXTRAL = "mistralai__Mixtral-8x7B-v0.1"
CHATGLM = "THUDM__chatglm2-6b"
QWEN1 = "Qwen__Qwen-7B"
WRONG_TYPES = [["llama"], {"a": 1}, 3.5, True, "32"]


def _error(fixture: str, **changes) -> ConfigError:
    config = fixture_config(fixture)
    if fixture == QWEN3_WINDOWED:
        config["use_sliding_window"] = True
    config |= changes
    with pytest.raises(ConfigError) as excinfo:
        parse_config(config)
    return excinfo.value


@pytest.mark.parametrize("value", [["llama"], {"type": "llama"}, 7, True])
def test_a_model_type_that_is_not_a_string_is_named(value):
    error = _error(LLAMA, model_type=value)
    assert error.field == "model_type"
    assert str(error) == architecture.NOT_TEXT.format(
        field="model_type", value=architecture._shown(value)
    )


@pytest.mark.parametrize(
    ("fixture", "field"),
    [
        (LLAMA, "num_hidden_layers"),
        (LLAMA, "hidden_size"),
        (LLAMA, "num_attention_heads"),
        (LLAMA, "num_key_value_heads"),
        (LLAMA, "intermediate_size"),
        (LLAMA, "vocab_size"),
        (LLAMA, "max_position_embeddings"),
        (QWEN3_WINDOWED, "head_dim"),
        (QWEN3_WINDOWED, "sliding_window"),
        (MIXTRAL, "num_local_experts"),
        (MIXTRAL, "num_experts_per_tok"),
        (DEEPSEEK, "n_routed_experts"),
        (DEEPSEEK, "moe_intermediate_size"),
        (DEEPSEEK, "kv_lora_rank"),
        (DEEPSEEK, "qk_rope_head_dim"),
        (CHATGLM, "num_layers"),
        (CHATGLM, "multi_query_group_num"),
        (CHATGLM, "padded_vocab_size"),
        (QWEN1, "kv_channels"),
    ],
)
@pytest.mark.parametrize("value", [*WRONG_TYPES, 0, -4])
def test_a_size_of_the_wrong_type_is_named(fixture, field, value):
    error = _error(fixture, **{field: value})
    assert error.field == field
    assert str(error) == architecture.NOT_POSITIVE_INTEGER.format(
        field=field, value=architecture._shown(value)
    )


@pytest.mark.parametrize(
    ("fixture", "field"),
    [
        (QWEN3_WINDOWED, "max_window_layers"),
        (DEEPSEEK, "first_k_dense_replace"),
        (DEEPSEEK, "num_nextn_predict_layers"),
    ],
)
@pytest.mark.parametrize("value", [*WRONG_TYPES, -1])
def test_a_layer_count_of_the_wrong_type_is_named(fixture, field, value):
    error = _error(fixture, **{field: value})
    assert error.field == field
    assert str(error) == architecture.NOT_A_COUNT.format(
        field=field, value=architecture._shown(value)
    )


@pytest.mark.parametrize(
    ("fixture", "field"),
    [
        (LLAMA, "tie_word_embeddings"),
        (LLAMA, "attention_bias"),
        (QWEN3_WINDOWED, "use_sliding_window"),
        (CHATGLM, "multi_query_attention"),
        (CHATGLM, "add_qkv_bias"),
    ],
)
@pytest.mark.parametrize("value", [["yes"], {"a": 1}, 1, "true"])
def test_a_flag_that_is_not_true_or_false_is_named(fixture, field, value):
    error = _error(fixture, **{field: value})
    assert error.field == field
    assert str(error) == architecture.NOT_BOOLEAN.format(
        field=field, value=architecture._shown(value)
    )


@pytest.mark.parametrize(("fixture", "field"), [(LLAMA, "rope_theta"), (QWEN1, "rotary_emb_base")])
@pytest.mark.parametrize("value", [["1e4"], {"a": 1}, "10000", True, 0, -1.5])
def test_a_rope_base_that_is_not_a_positive_number_is_named(fixture, field, value):
    error = _error(fixture, **{field: value})
    assert error.field == field
    assert str(error) == architecture.NOT_POSITIVE_NUMBER.format(
        field=field, value=architecture._shown(value)
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_rope_base_must_be_finite(value):
    assert _error(LLAMA, rope_theta=value).field == "rope_theta"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rope_scaling": ["linear"]}, "rope_scaling"),
        ({"rope_scaling": {"rope_type": ["llama3"]}}, "rope_scaling.rope_type"),
        ({"rope_scaling": {"type": 2.0}}, "rope_scaling.type"),
        ({"architectures": "LlamaForCausalLM"}, "architectures"),
        ({"architectures": [{"name": "LlamaForCausalLM"}]}, "architectures"),
        ({"text_config": ["hidden_size"]}, "text_config"),
        ({"vision_config": 32}, "vision_config"),
        ({"vision_config": {"depth": "32"}}, "vision_config.depth"),
        ({"vision_config": {"depth": 32, "embed_dim": 1280.0}}, "vision_config.embed_dim"),
        (
            {"vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": "4"}},
            "vision_config.mlp_ratio",
        ),
        (
            {"vision_config": {"depth": 32, "embed_dim": 1280, "mlp_ratio": 1e9}},
            "vision_config.mlp_ratio",
        ),
    ],
)
def test_a_nested_value_of_the_wrong_type_is_named(changes, field):
    assert _error(LLAMA, **changes).field == field


@pytest.mark.parametrize(
    ("fixture", "field", "limit", "unit"),
    [
        (LLAMA, "num_hidden_layers", architecture.MAX_LAYERS, "layers"),
        (CHATGLM, "num_layers", architecture.MAX_LAYERS, "layers"),
        (DEEPSEEK, "num_nextn_predict_layers", architecture.MAX_LAYERS, "layers"),
        (LLAMA, "hidden_size", architecture.MAX_WIDTH, "dimensions"),
        (LLAMA, "intermediate_size", architecture.MAX_WIDTH, "dimensions"),
        (LLAMA, "num_attention_heads", architecture.MAX_HEADS, "heads"),
        (LLAMA, "vocab_size", architecture.MAX_VOCABULARY, "vocabulary entries"),
        (LLAMA, "max_position_embeddings", architecture.MAX_POSITIONS, "tokens"),
        (MIXTRAL, "num_local_experts", architecture.MAX_EXPERTS, "experts"),
    ],
)
@pytest.mark.parametrize("excess", [1, 10**9, 10**30])
def test_a_size_beyond_its_bound_is_refused_at_once(fixture, field, limit, unit, excess):
    value = limit + excess
    error = _error(fixture, **{field: value})
    assert error.field == field
    assert str(error) == architecture.TOO_LARGE.format(
        field=field, value=architecture._shown(value), limit=limit, unit=unit
    )


def test_a_billion_layers_are_refused_with_the_pages_message():
    # The page refuses the same config with its translated message; in English they agree.
    error = _error(LLAMA, num_hidden_layers=10**9)
    assert str(error) == (
        "'num_hidden_layers' is 1000000000; the estimator handles at most 2048 layers."
    )


def test_the_deepest_allowed_config_is_counted_quickly():
    arch = parse_config(fixture_config(LLAMA) | {"num_hidden_layers": architecture.MAX_LAYERS})
    started = time.perf_counter()
    estimate(arch, EstimateOptions(workload="qlora", lora_targets="all-linear"))
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(
    ("fixture", "changes", "field", "message"),
    [
        (
            LLAMA,
            {"num_key_value_heads": 5},
            "num_key_value_heads",
            architecture.KV_HEADS_NOT_DIVISOR.format(
                field="num_key_value_heads", kv_heads=5, heads=32
            ),
        ),
        (
            LLAMA,
            {"num_attention_heads": 8192, "num_key_value_heads": 8192},
            "num_attention_heads",
            architecture.HEADS_WIDER_THAN_HIDDEN.format(heads=8192, hidden=4096),
        ),
        (
            MIXTRAL,
            {"num_experts_per_tok": 9},
            "num_experts_per_tok",
            architecture.TOO_MANY_ACTIVE_EXPERTS.format(active=9, experts=8),
        ),
        (
            CHATGLM,
            {"multi_query_group_num": 3},
            "multi_query_group_num",
            architecture.KV_HEADS_NOT_DIVISOR.format(
                field="multi_query_group_num", kv_heads=3, heads=32
            ),
        ),
    ],
)
def test_numbers_that_contradict_each_other_are_named(fixture, changes, field, message):
    error = _error(fixture, **changes)
    assert (error.field, str(error)) == (field, message)


def test_zero_dense_layers_and_no_prediction_layers_are_accepted():
    arch = parse_config(
        fixture_config(DEEPSEEK) | {"first_k_dense_replace": 0, "num_nextn_predict_layers": 0}
    )
    assert (arch.first_dense_layers, arch.num_mtp_layers) == (None, 0)


# -- whatever the JSON, the parser answers or raises ConfigError -------------------------------

_FIXTURES = [fixture_config(name) for name in fixture_names()]
_KEYS = sorted({key for config in _FIXTURES for key in config} | set(architecture._LIMITS))
_VISION_KEYS = ["depth", "embed_dim", "hidden_size", "intermediate_size", "mlp_ratio"]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=300),
    st.sampled_from([2**20, 2**20 + 1, 10**9, 2**63, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(SUPPORTED_MODEL_TYPES),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
_VISION = st.fixed_dictionaries(
    {"depth": _VALUES}, optional=dict.fromkeys(_VISION_KEYS[1:], _VALUES)
)
_CHANGES = st.dictionaries(
    st.sampled_from(_KEYS) | st.text(max_size=6),
    _VALUES,
    max_size=4,
)
_OPTIONS = [
    EstimateOptions(),
    EstimateOptions(precision="q4_k_m", batch=8, context_tokens=32768),
    EstimateOptions(workload="qlora", lora_targets="all-linear"),
    EstimateOptions(workload="full", gradient_checkpointing=False),
]
_ACCELERATOR = AcceleratorSpec("gpu", "GPU", 80 * 1024**3, 3_000 * 10**9)
_PROFILES = [
    ProfileSpec("1x", "1 × GPU", _ACCELERATOR, 1),
    ProfileSpec("4x", "4 × GPU", _ACCELERATOR, 4),
]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    base=st.sampled_from([{}, *_FIXTURES]),
    changes=_CHANGES,
    model_type=st.none() | st.sampled_from(SUPPORTED_MODEL_TYPES) | _SCALARS,
    vision=st.none() | _VISION,
    text_config=st.none() | _CHANGES,
    options=st.sampled_from(_OPTIONS),
)
def test_any_json_object_is_estimated_or_refused_with_a_config_error(
    base, changes, model_type, vision, text_config, options
):
    config = base | changes
    if model_type is not None:
        config["model_type"] = model_type
    if vision is not None:
        config["vision_config"] = vision
    if text_config is not None:
        config["text_config"] = {**base, **text_config}
    refused = None
    try:
        arch = parse_config(config)
    except ConfigError as error:
        refused = error
    if refused is not None:
        assert refused.field is None or isinstance(refused.field, str)
        assert len(str(refused)) < 1000
        return
    # What the parser lets through, the estimator answers in plain JSON.
    answer = estimate(arch, options, _PROFILES).as_dict()
    json.dumps(answer, allow_nan=False)
