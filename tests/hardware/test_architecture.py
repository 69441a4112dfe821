"""The config parser is pure: no database, no Django."""

import ast
import sys
from pathlib import Path

import pytest
import yaml

from hardware.estimator import SUPPORTED_MODEL_TYPES, ConfigError, parse_config

ROOT = Path(__file__).resolve().parents[2]


def _catalog_config(family_file: str, slug: str) -> dict:
    document = yaml.safe_load((ROOT / "catalog/data/families" / family_file).read_text("utf-8"))
    return next(v["config"] for v in document["variants"] if v["slug"] == slug)


def test_estimator_imports_only_the_standard_library():
    allowed_prefixes = ("hardware.estimator",)
    for path in (ROOT / "hardware/estimator").glob("*.py"):
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
