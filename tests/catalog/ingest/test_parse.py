"""The pure ingestion parser, on stored Hub, ModelScope and export-feed payloads."""

import ast
import copy
import json
import sys
from pathlib import Path

import pytest

from catalog.ingest import parse
from catalog.ingest.parse import (
    NOTE_CODES,
    Note,
    ParseError,
    ReleaseFacts,
    feed_entries,
    guess_names,
    parse_feed_entry,
    parse_hf_release,
    parse_json_text,
    parse_modelscope_release,
    slugify,
)

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests/fixtures"
INGEST = FIXTURES / "ingest"


def _load(path: Path):
    return json.loads(path.read_text("utf-8"))


def _hub(name: str) -> dict:
    return _load(INGEST / "hf" / f"{name}.json")


def _config(name: str) -> dict:
    """A config.json: this folder's own, else the estimator's real ones (read-only)."""
    own = INGEST / "hf/configs" / f"{name}.json"
    return _load(own if own.exists() else FIXTURES / "configs" / f"{name}.json")


def _feed(name: str) -> dict:
    return _load(INGEST / "feed" / f"{name}.json")


def _bundle(document: dict, slug: str) -> dict:
    return next(b for b in feed_entries(document) if b["variant"]["slug"] == slug)


def _notes(facts: ReleaseFacts) -> dict[str, dict]:
    return {note.code: note.params for note in facts.notes}


# (Hub payload, its config.json, model_type, total, active, the parameter note).
HUB_CASES = [
    (
        "Qwen__Qwen2.5-7B-Instruct",
        "Qwen__Qwen2.5-7B-Instruct",
        "qwen2",
        7615616512,
        None,
        "parameters_equal",
    ),
    (
        "meta-llama__Llama-3.1-8B-Instruct",
        "meta-llama__Llama-3.1-8B",
        "llama",
        8030261248,
        None,
        "parameters_equal",
    ),
    (
        "meta-llama__Meta-Llama-3-8B",
        "meta-llama__Meta-Llama-3-8B",
        "llama",
        8030261248,
        None,
        "parameters_equal",
    ),
    (
        "meta-llama__Llama-2-7b-hf",
        "meta-llama__Llama-2-7b-hf",
        "llama",
        6738415616,
        None,
        "parameters_within_tolerance",
    ),
    (
        "mistralai__Mixtral-8x7B-v0.1",
        "mistralai__Mixtral-8x7B-v0.1",
        "mixtral",
        46702792704,
        12879925248,
        "parameters_equal",
    ),
    (
        "Qwen__Qwen1.5-MoE-A2.7B",
        "Qwen__Qwen1.5-MoE-A2.7B",
        "qwen2_moe",
        14315784192,
        2689173504,
        "parameters_equal",
    ),
    (
        "Qwen__Qwen3-30B-A3B",
        "Qwen__Qwen3-30B-A3B",
        "qwen3_moe",
        30532122624,
        3353032704,
        "parameters_equal",
    ),
    (
        "deepseek-ai__DeepSeek-V3",
        "deepseek-ai__DeepSeek-V3",
        "deepseek_v3",
        671026419200,
        37552297472,
        "parameters_checkpoint_reconciled",
    ),
    ("google__gemma-2-9b", "google__gemma-2-9b", "gemma2", 9241705984, None, "parameters_equal"),
    (
        "THUDM__chatglm2-6b",
        "THUDM__chatglm2-6b",
        "chatglm",
        6243584000,
        None,
        "parameters_config_only",
    ),
    (
        "Qwen__Qwen2.5-VL-7B-Instruct",
        "Qwen__Qwen2.5-VL-7B-Instruct",
        "qwen2_5_vl",
        7615616512,
        None,
        "parameters_vision_tower",
    ),
    (
        "Qwen__Qwen2.5-7B-Instruct-AWQ",
        "Qwen__Qwen2.5-7B-Instruct-AWQ",
        "qwen2",
        7615616512,
        None,
        "parameters_quantized_checkpoint",
    ),
    (
        "Qwen__Qwen2.5-3B-Instruct",
        "Qwen__Qwen2.5-3B-Instruct",
        "qwen2",
        3085938688,
        None,
        "parameters_equal",
    ),
    (
        "example-lab__Qwen2.5-0.5B-Instruct-SFT",
        "Qwen__Qwen2.5-0.5B-Instruct",
        "qwen2",
        494032768,
        None,
        "parameters_tied_embeddings",
    ),
    (
        "example-lab__Mistral-7B-v0.1-pruned",
        "mistralai__Mistral-7B-v0.1",
        "mistral",
        7241732096,
        None,
        "parameters_unexplained",
    ),
    ("microsoft__phi-2", "microsoft__phi-2", None, 2779683840, None, "parameters_from_safetensors"),
]


def _all_facts() -> list[ReleaseFacts]:
    facts = [parse_hf_release(_hub(name), _config(config)) for name, config, *_ in HUB_CASES]
    facts.append(parse_hf_release(_hub("Qwen__Qwen2.5-7B-Instruct"), None))
    facts += [
        parse_modelscope_release(
            _load(INGEST / "modelscope/Qwen__Qwen2.5-7B-Instruct.json"),
            _config("Qwen__Qwen2.5-7B-Instruct"),
        ),
        parse_modelscope_release(
            _load(INGEST / "modelscope/ZhipuAI__glm-4-9b-chat.json"),
            _config("THUDM__glm-4-9b-chat"),
        ),
    ]
    for name in ("qwen2-5-slice", "export-with-new-family"):
        facts += [parse_feed_entry(b, feed_label=name) for b in feed_entries(_feed(name))]
    return facts


# ---------------------------------------------------------------------------------------------
# The module's shape


def test_parser_imports_only_the_standard_library_the_estimator_and_itself():
    modules = sorted((ROOT / "catalog/ingest/parse").glob("*.py"))
    assert ROOT / "catalog/ingest/parse/__init__.py" in modules
    assert len(modules) > 1
    for module in modules:
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue  # a relative import stays inside the package
            for name in names:
                top = name.split(".")[0]
                allowed = (
                    top in sys.stdlib_module_names
                    or name == "estimator"
                    or name.startswith("estimator.")
                    or name.startswith("catalog.ingest.parse.")
                )
                assert allowed, f"{module.name} imports {name}"
                assert top != "django", f"{module.name} imports {name}"


def test_architecture_fields_are_variant_model_fields():
    from catalog.models import ModelVariant

    stored = {f.name for f in ModelVariant._meta.concrete_fields}
    assert set(parse.ARCHITECTURE_FIELDS) <= stored
    assert len(set(parse.ARCHITECTURE_FIELDS)) == len(parse.ARCHITECTURE_FIELDS)


def test_variant_and_lineage_kinds_are_the_catalog_choices():
    from catalog.choices import LineageKind, VariantKind

    assert set(parse.VARIANT_KINDS) == set(VariantKind.values)
    assert set(parse.LINEAGE_KINDS) == set(LineageKind.values)


def test_export_format_is_the_one_the_catalog_writes():
    from catalog.fileformat import EXPORT_FORMAT, EXPORT_VERSION

    assert (parse.EXPORT_FORMAT, parse.EXPORT_VERSION) == (EXPORT_FORMAT, EXPORT_VERSION)


def test_note_codes_are_unique_and_every_code_is_explained_in_the_module_docstring():
    assert len(NOTE_CODES) == len(set(NOTE_CODES))
    for code in NOTE_CODES:
        assert f"``{code}``" in parse.__doc__, code


def test_every_note_emitted_uses_a_listed_code_with_json_params():
    emitted = set()
    for facts in _all_facts():
        for note in facts.notes:
            assert isinstance(note, Note)
            assert note.code in NOTE_CODES, note.code
            assert all(isinstance(v, str | int | float) for v in note.params.values()), note
            json.dumps(note.params)
            emitted.add(note.code)
    assert {"parameters_equal", "config_missing", "config_unsupported"} <= emitted


def test_facts_are_json_able_for_the_candidate_row():
    for facts in _all_facts():
        json.dumps(facts.variant, allow_nan=False)
        json.dumps([facts.version_guess, facts.extra, list(facts.lineage)], allow_nan=False)


def test_parse_error_names_the_field_and_is_a_value_error():
    error = ParseError("safetensors.total", "must be a whole number")
    assert isinstance(error, ValueError)
    assert (error.field, error.message) == ("safetensors.total", "must be a whole number")
    assert str(error) == "safetensors.total: must be a whole number"


# ---------------------------------------------------------------------------------------------
# Hugging Face Hub


@pytest.mark.parametrize(
    ("name", "config", "model_type", "total", "active", "note"),
    HUB_CASES,
    ids=[case[0] for case in HUB_CASES],
)
def test_hub_release_proposes_the_architecture_and_explains_the_safetensors_total(
    name, config, model_type, total, active, note
):
    facts = parse_hf_release(_hub(name), _config(config))
    assert facts.variant.get("model_type") == model_type
    assert facts.variant["total_parameters"] == total
    assert facts.variant.get("active_parameters") == active
    assert note in _notes(facts)


def test_hub_release_reads_the_qwen_payload_field_by_field():
    config = _config("Qwen__Qwen2.5-7B-Instruct")
    facts = parse_hf_release(_hub("Qwen__Qwen2.5-7B-Instruct"), config)
    assert facts.source == "hf"
    assert facts.upstream_id == "Qwen/Qwen2.5-7B-Instruct"
    assert facts.revision == "a09a35458c702b33eeacc393d103063234e8bc28"
    assert facts.upstream_url == "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct"
    assert facts.created_at == "2024-09-16T11:55:40.000Z"
    assert facts.last_modified == "2025-01-12T02:10:10.000Z"
    assert facts.gated is False
    assert "conversational" in facts.tags
    assert facts.license_tag == "apache-2.0"
    assert facts.lineage == ({"parent": "Qwen/Qwen2.5-7B", "kind": "finetune"},)
    assert facts.family_guess == "qwen"
    assert facts.version_guess == {
        "name": "Qwen2.5",
        "slug": "qwen2-5",
        "release_date": "2024-09-16",
        "max_context_tokens": 32768,
    }
    variant = facts.variant
    assert (variant["name"], variant["slug"], variant["kind"]) == (
        "Qwen2.5-7B-Instruct",
        "qwen2-5-7b-instruct",
        "instruct",
    )
    assert variant["hf_repo_id"] == "Qwen/Qwen2.5-7B-Instruct"
    assert variant["release_date"] == "2024-09-16"
    assert variant["config"] == config
    assert set(parse.ARCHITECTURE_FIELDS) <= set(variant)
    assert (variant["num_layers"], variant["num_kv_heads"], variant["qkv_bias"]) == (28, 4, True)
    assert variant["num_experts"] is None
    assert variant["rope_scaling_type"] == ""
    assert "modelscope_repo_id" not in variant
    assert facts.extra["safetensors_parameters"] == {"BF16": 7615616512}


def test_hub_release_uses_the_web_base_for_its_link():
    facts = parse_hf_release(
        _hub("Qwen__Qwen2.5-7B-Instruct"), None, web_base="https://hf-mirror.example/"
    )
    assert facts.upstream_url == "https://hf-mirror.example/Qwen/Qwen2.5-7B-Instruct"


def test_gated_repository_is_marked_gated():
    facts = parse_hf_release(_hub("google__gemma-2-9b"), _config("google__gemma-2-9b"))
    assert facts.gated is True
    assert facts.license_tag == "gemma"
    assert facts.variant["tie_word_embeddings"] is True


def test_deepseek_v3_keeps_latent_attention_and_reconciles_its_fp8_checkpoint_exactly():
    facts = parse_hf_release(_hub("deepseek-ai__DeepSeek-V3"), _config("deepseek-ai__DeepSeek-V3"))
    variant = facts.variant
    assert (variant["kv_lora_rank"], variant["q_lora_rank"], variant["qk_rope_head_dim"]) == (
        512,
        1536,
        64,
    )
    assert (variant["num_experts"], variant["num_experts_per_token"]) == (256, 8)
    assert (variant["num_shared_experts"], variant["first_dense_layers"]) == (1, 3)
    # The Hub's total is the count, the MTP block with its own embedding and head copies,
    # and one F32 scale per 128 x 128 block of FP8 weights: to the parameter.
    reconciled = _notes(facts)["parameters_checkpoint_reconciled"]
    assert reconciled == {
        "computed": 671026419200,
        "hub": 684531386000,
        "difference": 13504966800,
        "scales": 41540496,
        "mtp": 13463426304,
    }
    assert reconciled["scales"] + reconciled["mtp"] == reconciled["difference"]
    assert (facts.version_guess["name"], facts.variant["kind"]) == ("DeepSeek-V3", "base")


def test_a_16_bit_checkpoint_with_a_prediction_block_is_explained_by_the_block():
    config = _config("deepseek-ai__DeepSeek-V3")
    config = {key: value for key, value in config.items() if key != "quantization_config"}
    hub = _hub("deepseek-ai__DeepSeek-V3")
    computed, mtp = 671026419200, 11610068224
    hub["safetensors"] = {"parameters": {"BF16": computed + mtp}, "total": computed + mtp}
    note = _notes(parse_hf_release(hub, config))["parameters_mtp_layers"]
    assert note == {"computed": computed, "hub": computed + mtp, "difference": mtp, "mtp": mtp}


def test_each_parameter_note_carries_its_numbers():
    cases = {
        "meta-llama__Llama-2-7b-hf": (
            "meta-llama__Llama-2-7b-hf",
            "parameters_within_tolerance",
            {"computed": 6738415616, "hub": 6738417664, "difference": 2048, "percent": 3.04e-05},
        ),
        "Qwen__Qwen2.5-VL-7B-Instruct": (
            "Qwen__Qwen2.5-VL-7B-Instruct",
            "parameters_vision_tower",
            {
                "computed": 7615616512,
                "hub": 8292166656,
                "difference": 676550144,
                "vision": 676550144,
            },
        ),
        "example-lab__Qwen2.5-0.5B-Instruct-SFT": (
            "Qwen__Qwen2.5-0.5B-Instruct",
            "parameters_tied_embeddings",
            {
                "computed": 494032768,
                "hub": 630167424,
                "difference": 136134656,
                "embedding": 151936 * 896,
            },
        ),
        "Qwen__Qwen2.5-7B-Instruct-AWQ": (
            "Qwen__Qwen2.5-7B-Instruct-AWQ",
            "parameters_quantized_checkpoint",
            {"computed": 7615616512, "hub": 1963340288, "dtypes": "I32"},
        ),
        "example-lab__Mistral-7B-v0.1-pruned": (
            "mistralai__Mistral-7B-v0.1",
            "parameters_unexplained",
            {"computed": 7241732096, "hub": 7000000000, "difference": -241732096, "percent": -3.34},
        ),
        "THUDM__chatglm2-6b": (
            "THUDM__chatglm2-6b",
            "parameters_config_only",
            {"computed": 6243584000},
        ),
    }
    for name, (config, code, params) in cases.items():
        assert _notes(parse_hf_release(_hub(name), _config(config)))[code] == params, name


def test_float8_checkpoint_without_a_closer_explanation_is_called_quantized():
    info = _hub("Qwen__Qwen2.5-7B-Instruct")
    info["safetensors"] = {"parameters": {"F8_E4M3": 7000000000, "BF16": 900000000}}
    facts = parse_hf_release(info, _config("Qwen__Qwen2.5-7B-Instruct"))
    assert _notes(facts)["parameters_quantized_checkpoint"]["dtypes"] == "F8_E4M3"
    assert facts.extra["safetensors_total"] == 7900000000


def test_unsupported_architecture_proposes_the_safetensors_total_and_says_why():
    facts = parse_hf_release(_hub("microsoft__phi-2"), _config("microsoft__phi-2"))
    assert _notes(facts) == {
        "config_unsupported": {"model_type": "phi"},
        "parameters_from_safetensors": {"hub": 2779683840},
    }
    assert facts.variant["total_parameters"] == 2779683840
    assert "num_layers" not in facts.variant
    assert facts.variant["config"]["model_type"] == "phi"
    assert facts.version_guess["max_context_tokens"] is None


def test_config_without_model_type_is_an_unsupported_architecture():
    facts = parse_hf_release(_hub("microsoft__phi-2"), {"architectures": ["PhiForCausalLM"]})
    assert _notes(facts)["config_unsupported"] == {"model_type": ""}


def test_missing_config_proposes_the_safetensors_total():
    facts = parse_hf_release(_hub("Qwen__Qwen2.5-7B-Instruct"), None)
    assert _notes(facts) == {
        "config_missing": {},
        "parameters_from_safetensors": {"hub": 7615616512},
    }
    assert "config" not in facts.variant
    assert facts.variant["total_parameters"] == 7615616512


def test_neither_config_nor_safetensors_proposes_no_total():
    info = _hub("THUDM__chatglm2-6b")
    facts = parse_hf_release(info, None)
    assert "total_parameters" not in facts.variant
    assert _notes(facts)["parameters_unknown"] == {"reason": "no_config_or_safetensors"}


def test_quantized_checkpoint_without_config_proposes_no_total():
    facts = parse_hf_release(_hub("Qwen__Qwen2.5-7B-Instruct-AWQ"), None)
    assert "total_parameters" not in facts.variant
    assert _notes(facts)["parameters_unknown"] == {
        "reason": "quantized_checkpoint",
        "hub": 1963340288,
        "dtypes": "I32",
    }


def test_safetensors_total_is_summed_when_the_hub_gives_only_the_dtypes():
    info = _hub("Qwen__Qwen2.5-7B-Instruct")
    info["safetensors"] = {"parameters": {"BF16": 7615616512}}
    facts = parse_hf_release(info, _config("Qwen__Qwen2.5-7B-Instruct"))
    assert "parameters_equal" in _notes(facts)


# ---------------------------------------------------------------------------------------------
# Licence and lineage


def test_licence_other_is_read_from_the_card_licence_name():
    facts = parse_hf_release(_hub("Qwen__Qwen2.5-3B-Instruct"), None)
    assert facts.license_tag == "qwen-research"
    assert "license_other_unnamed" not in _notes(facts)


def test_licence_other_without_a_name_stays_other_and_says_so():
    info = _hub("Qwen__Qwen2.5-3B-Instruct")
    del info["cardData"]["license_name"]
    facts = parse_hf_release(info, None)
    assert facts.license_tag == "other"
    assert _notes(facts)["license_other_unnamed"] == {}


def test_licence_falls_back_to_the_licence_tag():
    info = _hub("Qwen__Qwen2.5-7B-Instruct")
    del info["cardData"]["license"]
    assert parse_hf_release(info, None).license_tag == "apache-2.0"
    info["tags"].remove("license:apache-2.0")
    assert parse_hf_release(info, None).license_tag == ""


def test_card_licence_list_gives_its_first_licence():
    info = _hub("Qwen__Qwen2.5-7B-Instruct")
    info["cardData"]["license"] = ["mit", "apache-2.0"]
    assert parse_hf_release(info, None).license_tag == "mit"


def _lineage(tags=(), card=None, siblings=()):
    info = _hub("Qwen__Qwen2.5-7B-Instruct")
    info["tags"] = [t for t in info["tags"] if not t.startswith("base_model:")] + list(tags)
    info["cardData"] = card or {}
    info["siblings"] += [{"rfilename": name} for name in siblings]
    facts = parse_hf_release(info, None)
    return [(edge["parent"], edge["kind"]) for edge in facts.lineage], _notes(facts)


def test_lineage_relations_come_from_the_hub_tags():
    for relation, kind in [
        ("finetune", "finetune"),
        ("adapter", "adapter"),
        ("merge", "merge"),
        ("quantized", "quantize"),
    ]:
        tags = ["base_model:Qwen/Qwen2.5-7B", f"base_model:{relation}:Qwen/Qwen2.5-7B"]
        assert _lineage(tags)[0] == [("Qwen/Qwen2.5-7B", kind)], relation


def test_lineage_without_a_relation_tag_takes_the_card_relation():
    edges, _ = _lineage(["base_model:Qwen/Qwen2.5-7B"], {"base_model_relation": "adapter"})
    assert edges == [("Qwen/Qwen2.5-7B", "adapter")]


def test_lineage_without_any_relation_is_inferred():
    assert _lineage(["base_model:Qwen/Qwen2.5-7B"])[0] == [("Qwen/Qwen2.5-7B", "finetune")]
    assert _lineage(["base_model:Qwen/Qwen2.5-7B"], siblings=["adapter_config.json"])[0] == [
        ("Qwen/Qwen2.5-7B", "adapter")
    ]
    assert _lineage(["base_model:Qwen/Qwen2.5-7B", "gguf"])[0] == [("Qwen/Qwen2.5-7B", "quantize")]
    assert _lineage(["base_model:Qwen/Qwen2.5-7B", "base_model:Qwen/Qwen2.5-Math-7B"])[0] == [
        ("Qwen/Qwen2.5-7B", "merge"),
        ("Qwen/Qwen2.5-Math-7B", "merge"),
    ]


def test_card_base_model_is_read_only_without_hub_tags():
    card = {"base_model": ["Qwen/Qwen2.5-7B"], "base_model_relation": "quantized"}
    assert _lineage((), card)[0] == [("Qwen/Qwen2.5-7B", "quantize")]
    # The Hub resolves renamed repositories in its tags; the card may still say the old name.
    facts = parse_hf_release(_hub("meta-llama__Llama-3.1-8B-Instruct"), None)
    assert facts.lineage == ({"parent": "meta-llama/Llama-3.1-8B", "kind": "finetune"},)


def test_lineage_leaves_out_itself_repeats_and_what_is_no_repository():
    edges, notes = _lineage(
        [
            "base_model:finetune:Qwen/Qwen2.5-7B",
            "base_model:finetune:Qwen/Qwen2.5-7B",
            "base_model:Qwen/Qwen2.5-7B-Instruct",
            "base_model:./local/checkpoint",
        ]
    )
    assert edges == [("Qwen/Qwen2.5-7B", "finetune")]
    assert notes["lineage_parent_unrecognised"] == {"parent": "./local/checkpoint"}


# ---------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("repo_name", "name", "slug", "kind", "version_name", "version_slug", "family"),
    [
        (
            "Qwen2.5-7B-Instruct",
            "Qwen2.5-7B-Instruct",
            "qwen2-5-7b-instruct",
            "instruct",
            "Qwen2.5",
            "qwen2-5",
            "qwen",
        ),
        (
            "Meta-Llama-3-8B",
            "Meta-Llama-3-8B",
            "meta-llama-3-8b",
            "base",
            "Llama 3",
            "llama-3",
            "llama",
        ),
        (
            "Llama-3.1-8B-Instruct",
            "Llama-3.1-8B-Instruct",
            "llama-3-1-8b-instruct",
            "instruct",
            "Llama 3.1",
            "llama-3-1",
            "llama",
        ),
        (
            "Llama-2-7b-chat-hf",
            "Llama-2-7b-chat",
            "llama-2-7b-chat",
            "chat",
            "Llama 2",
            "llama-2",
            "llama",
        ),
        (
            "DeepSeek-V3",
            "DeepSeek-V3",
            "deepseek-v3",
            "base",
            "DeepSeek-V3",
            "deepseek-v3",
            "deepseek",
        ),
        (
            "DeepSeek-V3-0324",
            "DeepSeek-V3-0324",
            "deepseek-v3-0324",
            "base",
            "DeepSeek-V3",
            "deepseek-v3",
            "deepseek",
        ),
        (
            "DeepSeek-R1",
            "DeepSeek-R1",
            "deepseek-r1",
            "reasoning",
            "DeepSeek-R1",
            "deepseek-r1",
            "deepseek",
        ),
        (
            "DeepSeek-R1-Distill-Qwen-1.5B",
            "DeepSeek-R1-Distill-Qwen-1.5B",
            "deepseek-r1-distill-qwen-1-5b",
            "distilled",
            "DeepSeek-R1-Distill",
            "deepseek-r1-distill",
            "deepseek",
        ),
        (
            "Mixtral-8x7B-v0.1",
            "Mixtral-8x7B-v0.1",
            "mixtral-8x7b-v0-1",
            "base",
            "Mixtral",
            "mixtral",
            "mixtral",
        ),
        (
            "Qwen1.5-MoE-A2.7B",
            "Qwen1.5-MoE-A2.7B",
            "qwen1-5-moe-a2-7b",
            "base",
            "Qwen1.5",
            "qwen1-5",
            "qwen",
        ),
        (
            "Qwen3-235B-A22B-Instruct-2507",
            "Qwen3-235B-A22B-Instruct-2507",
            "qwen3-235b-a22b-instruct-2507",
            "instruct",
            "Qwen3",
            "qwen3",
            "qwen",
        ),
        ("Qwen-1_8B", "Qwen-1_8B", "qwen-1-8b", "base", "Qwen", "qwen", "qwen"),
        (
            "Qwen2.5-VL-7B-Instruct",
            "Qwen2.5-VL-7B-Instruct",
            "qwen2-5-vl-7b-instruct",
            "vision",
            "Qwen2.5-VL",
            "qwen2-5-vl",
            "qwen",
        ),
        (
            "Qwen2.5-Math-7B",
            "Qwen2.5-Math-7B",
            "qwen2-5-math-7b",
            "math",
            "Qwen2.5-Math",
            "qwen2-5-math",
            "qwen",
        ),
        ("QwQ-32B", "QwQ-32B", "qwq-32b", "reasoning", "QwQ", "qwq", "qwq"),
        ("Yi-Coder-9B", "Yi-Coder-9B", "yi-coder-9b", "code", "Yi-Coder", "yi-coder", "yi"),
        ("Yi-1.5-34B-Chat", "Yi-1.5-34B-Chat", "yi-1-5-34b-chat", "chat", "Yi 1.5", "yi-1-5", "yi"),
        (
            "gemma-2-9b-it",
            "gemma-2-9b-it",
            "gemma-2-9b-it",
            "instruct",
            "gemma 2",
            "gemma-2",
            "gemma",
        ),
        (
            "Phi-3-mini-4k-instruct",
            "Phi-3-mini-4k-instruct",
            "phi-3-mini-4k-instruct",
            "instruct",
            "Phi 3",
            "phi-3",
            "phi",
        ),
        ("chatglm3-6b", "chatglm3-6b", "chatglm3-6b", "chat", "chatglm3", "chatglm3", "chatglm"),
        (
            "chatglm3-6b-base",
            "chatglm3-6b-base",
            "chatglm3-6b-base",
            "base",
            "chatglm3",
            "chatglm3",
            "chatglm",
        ),
        (
            "codegeex2-6b",
            "codegeex2-6b",
            "codegeex2-6b",
            "code",
            "codegeex2",
            "codegeex2",
            "codegeex",
        ),
        (
            "Baichuan2-13B-Chat",
            "Baichuan2-13B-Chat",
            "baichuan2-13b-chat",
            "chat",
            "Baichuan2",
            "baichuan2",
            "baichuan",
        ),
    ],
)
def test_names_are_guessed_from_the_repository_name(
    repo_name, name, slug, kind, version_name, version_slug, family
):
    guess = guess_names(repo_name)
    assert (guess.name, guess.slug, guess.kind) == (name, slug, kind)
    assert (guess.version_name, guess.version_slug, guess.family) == (
        version_name,
        version_slug,
        family,
    )


def test_slugs_follow_the_catalog_convention():
    assert slugify("Qwen2.5-7B-Instruct") == "qwen2-5-7b-instruct"
    assert slugify("Qwen_1 8B..chat") == "qwen-1-8b-chat"
    assert slugify("<script>alert(1)</script> 7B") == "scriptalert1script-7b"
    assert slugify("Café--Modèle") == "cafe-modele"
    assert slugify("通义千问") == ""


def test_a_name_that_leaves_no_slug_is_refused():
    with pytest.raises(ParseError) as error:
        guess_names("___", where="Data.Name")
    assert error.value.field == "Data.Name"


# ---------------------------------------------------------------------------------------------
# ModelScope


def test_modelscope_release_reads_the_envelope():
    envelope = _load(INGEST / "modelscope/Qwen__Qwen2.5-7B-Instruct.json")
    facts = parse_modelscope_release(envelope, _config("Qwen__Qwen2.5-7B-Instruct"))
    assert facts.source == "modelscope"
    assert facts.upstream_id == "Qwen/Qwen2.5-7B-Instruct"
    assert facts.revision == "1736647810"
    assert facts.upstream_url == "https://modelscope.cn/models/Qwen/Qwen2.5-7B-Instruct"
    assert facts.created_at == "2024-09-16T08:59:00+00:00"
    assert facts.last_modified == "2025-01-12T02:10:10+00:00"
    assert facts.license_tag == "Apache License 2.0"
    assert facts.tags == ("qwen2", "chat", "Qwen2.5")
    assert facts.gated is False
    assert facts.lineage == ()
    variant = facts.variant
    assert variant["modelscope_repo_id"] == "Qwen/Qwen2.5-7B-Instruct"
    assert "hf_repo_id" not in variant
    assert variant["description_zh"].startswith("Qwen2.5 是")
    assert "description" not in variant
    assert (variant["kind"], variant["total_parameters"], variant["release_date"]) == (
        "instruct",
        7615616512,
        "2024-09-16",
    )
    assert _notes(facts) == {"parameters_config_only": {"computed": 7615616512}}
    assert facts.extra == {"chinese_name": "通义千问2.5-7B-Instruct", "branch": "master"}


def test_modelscope_release_of_glm_4_reads_chatglm_and_its_base_model():
    envelope = _load(INGEST / "modelscope/ZhipuAI__glm-4-9b-chat.json")
    facts = parse_modelscope_release(
        envelope, _config("THUDM__glm-4-9b-chat"), web_base="https://ms.example"
    )
    assert facts.upstream_url == "https://ms.example/models/ZhipuAI/glm-4-9b-chat"
    assert facts.variant["model_type"] == "chatglm"
    assert facts.variant["total_parameters"] == 9399951360
    assert (facts.variant["num_kv_heads"], facts.variant["vocab_size"]) == (2, 151552)
    assert facts.variant["description"].startswith("GLM-4-9B")
    assert facts.lineage == ({"parent": "ZhipuAI/glm-4-9b", "kind": "finetune"},)
    assert facts.license_tag == "other"


def test_modelscope_quantized_name_makes_its_base_model_a_quantization():
    envelope = _load(INGEST / "modelscope/ZhipuAI__glm-4-9b-chat.json")
    envelope["Data"]["Name"] = "glm-4-9b-chat-GPTQ-Int4"
    facts = parse_modelscope_release(envelope, None)
    assert facts.lineage == ({"parent": "ZhipuAI/glm-4-9b", "kind": "quantize"},)
    assert _notes(facts)["parameters_unknown"] == {"reason": "no_config_or_safetensors"}


def test_modelscope_times_may_be_iso_strings():
    envelope = _load(INGEST / "modelscope/Qwen__Qwen2.5-7B-Instruct.json")
    envelope["Data"].update(CreatedTime="2024-09-16T08:59:00Z", LastUpdatedTime="2025-01-12")
    facts = parse_modelscope_release(envelope, None)
    assert (facts.revision, facts.last_modified) == ("2025-01-12", "2025-01-12")
    assert facts.variant["release_date"] == "2024-09-16"


# ---------------------------------------------------------------------------------------------
# Registry export feed


def test_feed_entries_give_one_bundle_per_variant_with_what_it_refers_to():
    bundles = feed_entries(_feed("export-with-new-family"))
    assert [b["variant"]["slug"] for b in bundles] == [
        "qwen2-5-7b",
        "qwen2-5-7b-instruct",
        "mistral-7b-v0-1",
        "mistral-7b-instruct-v0-1",
    ]
    bundle = bundles[3]
    assert bundle["version"]["slug"] == "mistral-7b"
    assert bundle["family"]["slug"] == "mistral"
    assert bundle["organization"]["slug"] == "mistral-ai"
    assert bundle["license"]["slug"] == "apache-2-0"
    assert [e["parent"] for e in bundle["lineage"]] == ["mistral/mistral-7b/mistral-7b-v0-1"]
    assert bundles[2]["lineage"] == []


def test_feed_document_without_variants_gives_no_bundles():
    assert feed_entries({"format": "llmregistry-catalog", "format_version": 1}) == []


def test_feed_lineage_of_another_child_is_refused():
    bundle = _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b-instruct")
    bundle["lineage"][0]["child"] = "qwen/qwen2-5/qwen2-5-72b-instruct"
    with pytest.raises(ParseError) as error:
        parse_feed_entry(bundle, feed_label="feed")
    assert error.value.field == "lineage[0].child"


def test_feed_entry_of_a_new_family_proposes_the_variant_its_version_and_lineage():
    facts = parse_feed_entry(
        _bundle(_feed("export-with-new-family"), "mistral-7b-instruct-v0-1"),
        feed_label="https://registry.example/api/v1/export/",
    )
    assert facts.source == "feed"
    assert facts.upstream_id == "mistral/mistral-7b/mistral-7b-instruct-v0-1"
    assert facts.upstream_url == "https://registry.example/api/v1/export/"
    assert len(facts.revision) == 64
    assert facts.family_guess == "mistral"
    assert facts.version_guess["name"] == "Mistral 7B"
    assert facts.version_guess["max_context_tokens"] == 32768
    assert facts.license_tag == "apache-2-0"
    assert facts.lineage == (
        {
            "parent": "mistral/mistral-7b/mistral-7b-v0-1",
            "kind": "instruct_tune",
            "note": "Instruction-tuned from Mistral-7B-v0.1 on public conversation datasets.",
        },
    )
    assert facts.notes == ()
    variant = facts.variant
    assert (variant["name"], variant["kind"], variant["total_parameters"]) == (
        "Mistral-7B-Instruct-v0.1",
        "instruct",
        7241732096,
    )
    assert variant["hf_repo_id"] == "mistralai/Mistral-7B-Instruct-v0.1"
    assert (variant["num_layers"], variant["sliding_window"], variant["num_kv_heads"]) == (
        32,
        4096,
        8,
    )
    assert (variant["q_lora_rank"], variant["rope_scaling_type"]) == (None, "")
    assert variant["seed_claim"] == ""
    assert variant["config"]["model_type"] == "mistral"
    assert facts.extra["family"]["name"] == "Mistral"
    assert facts.extra["organization"]["slug"] == "mistral-ai"
    assert facts.extra["license"]["spdx_id"] == "Apache-2.0"
    assert facts.extra["sources"][0]["fields"] == ["config", "total_parameters"]


def test_feed_entry_of_this_registrys_own_export_reads_back_its_values():
    facts = parse_feed_entry(
        _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b-instruct"), feed_label="slice.json"
    )
    assert facts.upstream_id == "qwen/qwen2-5/qwen2-5-7b-instruct"
    assert facts.variant["total_parameters"] == 7615616512
    assert facts.variant["qkv_bias"] is True
    assert facts.variant["active_parameters"] is None
    assert facts.license_tag == "apache-2-0"
    assert facts.lineage[0]["kind"] == "instruct_tune"


def test_feed_script_tag_in_a_name_is_kept_verbatim():
    bundle = _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b")
    bundle["variant"]["name"] = "<script>alert(1)</script> 7B"
    facts = parse_feed_entry(bundle, feed_label="feed")
    assert facts.variant["name"] == "<script>alert(1)</script> 7B"


def test_feed_revision_is_stable_for_the_same_entry_and_changes_with_it():
    label = "feed"
    slice_bundle = _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b-instruct")
    revision = parse_feed_entry(slice_bundle, feed_label=label).revision
    # The same entry in another export (other sections, another export time).
    other = _bundle(_feed("export-with-new-family"), "qwen2-5-7b-instruct")
    assert parse_feed_entry(other, feed_label="elsewhere").revision == revision
    assert parse_feed_entry(copy.deepcopy(slice_bundle), feed_label=label).revision == revision

    reordered = copy.deepcopy(slice_bundle)
    reordered["lineage"].append(
        {
            "child": "qwen/qwen2-5/qwen2-5-7b-instruct",
            "parent": "qwen/qwen2-5/qwen2-5-7b",
            "kind": "distill",
            "note": "",
            "sources": [],
        }
    )
    swapped = copy.deepcopy(reordered)
    swapped["lineage"].reverse()
    assert (
        parse_feed_entry(reordered, feed_label=label).revision
        == parse_feed_entry(swapped, feed_label=label).revision
        != revision
    )
    for change in (
        lambda b: b["variant"].update(name="Qwen2.5-7B-Instruct (new)"),
        lambda b: b["variant"]["architecture"].update(num_layers=29),
        lambda b: b["version"].update(description="Changed."),
        lambda b: b["license"].update(commercial_use="restricted"),
    ):
        changed = copy.deepcopy(slice_bundle)
        change(changed)
        assert parse_feed_entry(changed, feed_label=label).revision != revision


def test_feed_entry_without_its_version_in_the_document_keeps_the_version_key():
    bundle = _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b")
    bundle["version"] = None
    facts = parse_feed_entry(bundle, feed_label="feed")
    assert facts.version_guess == {"family": "qwen", "slug": "qwen2-5"}
    assert facts.license_tag == ""


def test_feed_variant_without_architecture_numbers_proposes_empty_ones():
    bundle = _bundle(_feed("qwen2-5-slice"), "qwen2-5-7b")
    del bundle["variant"]["architecture"]
    variant = parse_feed_entry(bundle, feed_label="feed").variant
    assert variant["num_layers"] is None
    assert (variant["architecture_class"], variant["model_type"]) == ("", "")


# ---------------------------------------------------------------------------------------------
# Hostile input: every fixture is a ParseError naming the field, never another exception.

HOSTILE = {
    "hf-truncated.json": ("hf", "info"),
    "hf-nan.json": ("hf", "info"),
    "hf-huge-float.json": ("hf", "likes"),
    "hf-huge-integer-text.json": ("hf", "info"),
    "hf-not-an-object.json": ("hf", "info"),
    "hf-id-wrong-type.json": ("hf", "id"),
    "hf-id-script-tag.json": ("hf", "id"),
    "hf-id-too-long.json": ("hf", "id"),
    "hf-id-empty-slug.json": ("hf", "id"),
    "hf-nul-in-tag.json": ("hf", "tags[4]"),
    "hf-nul-in-widget.json": ("hf", "widgetData[0].text"),
    "hf-surrogate.json": ("hf", "cardData.language[0]"),
    "hf-safetensors-huge.json": ("hf", "safetensors.total"),
    "hf-safetensors-negative.json": ("hf", "safetensors.parameters.BF16"),
    "hf-safetensors-string.json": ("hf", "safetensors.total"),
    "hf-sha-wrong-type.json": ("hf", "sha"),
    "hf-sha-not-hex.json": ("hf", "sha"),
    "hf-created-garbage.json": ("hf", "createdAt"),
    "hf-tags-not-list.json": ("hf", "tags"),
    "hf-too-many-tags.json": ("hf", "tags"),
    "hf-license-wrong-type.json": ("hf", "cardData.license"),
    "hf-base-model-wrong-type.json": ("hf", "cardData.base_model"),
    "hf-gated-wrong-type.json": ("hf", "gated"),
    "hf-card-not-object.json": ("hf", "cardData"),
    "hf-siblings-wrong.json": ("hf", "siblings[0].rfilename"),
    "hf-deeply-nested.json": ("hf", "cardData.widget.child.child"),
    "config-negative-hidden-size.json": ("config", "config.hidden_size"),
    "config-layers-as-text.json": ("config", "config.num_hidden_layers"),
    "config-huge-context.json": ("config", "config.max_position_embeddings"),
    "config-huge-parameters.json": ("config", "config"),
    "config-nul-model-type.json": ("config", "config.model_type"),
    "config-infinite-theta.json": ("config", "config.rope_theta"),
    "config-not-an-object.json": ("config", "config"),
    "ms-error-envelope.json": ("modelscope", "Code"),
    "ms-data-wrong-type.json": ("modelscope", "Data"),
    "ms-name-nul.json": ("modelscope", "Data.Name"),
    "ms-timestamp-negative.json": ("modelscope", "Data.LastUpdatedTime"),
    "ms-timestamp-missing.json": ("modelscope", "Data.LastUpdatedTime"),
    "ms-tags-wrong-type.json": ("modelscope", "Data.Tags[0]"),
    "feed-truncated.json": ("feed", "document"),
    "feed-wrong-format.json": ("feed", "format"),
    "feed-wrong-version.json": ("feed", "format_version"),
    "feed-variants-not-list.json": ("feed", "variants"),
    "feed-entry-not-object.json": ("feed", "variants[0]"),
    "feed-duplicate-variant.json": ("feed", "variants[2]"),
    "feed-script-name-empty-slug.json": ("feed", "variant.slug"),
    "feed-parameters-huge.json": ("feed", "variant.total_parameters"),
    "feed-parameters-boolean.json": ("feed", "variant.total_parameters"),
    "feed-nul-description.json": ("feed", "variant.description"),
    "feed-name-too-long.json": ("feed", "variant.name"),
    "feed-architecture-negative.json": ("feed", "variant.architecture.num_layers"),
    "feed-kind-unknown.json": ("feed", "variant.kind"),
    "feed-context-huge.json": ("feed", "version.max_context_tokens"),
    "feed-lineage-kind.json": ("feed", "lineage[0].kind"),
}


def _read_hostile(reader: str, text: str) -> None:
    if reader == "hf":
        parse_hf_release(parse_json_text(text, field="info"), _config("Qwen__Qwen2.5-7B-Instruct"))
    elif reader == "config":
        parse_hf_release(_hub("Qwen__Qwen2.5-7B-Instruct"), parse_json_text(text, field="config"))
    elif reader == "modelscope":
        parse_modelscope_release(parse_json_text(text, field="info"), None)
    else:
        for bundle in feed_entries(parse_json_text(text, field="document")):
            parse_feed_entry(bundle, feed_label="hostile")


def test_every_hostile_fixture_is_listed():
    assert {path.name for path in (INGEST / "hostile").glob("*.json")} == set(HOSTILE)


@pytest.mark.parametrize(("fixture", "expected"), sorted(HOSTILE.items()))
def test_hostile_payload_is_a_parse_error_naming_the_field(fixture, expected):
    reader, field = expected
    text = (INGEST / "hostile" / fixture).read_text("utf-8")
    with pytest.raises(ParseError) as error:
        _read_hostile(reader, text)
    if fixture == "hf-deeply-nested.json":
        assert error.value.field.startswith(field)
    else:
        assert error.value.field == field
    assert str(error.value).startswith(f"{error.value.field}: ")


def test_hostile_messages_are_the_module_constants():
    cases = {
        "hf-nul-in-tag.json": parse.HAS_NUL,
        "hf-surrogate.json": parse.HAS_SURROGATE,
        "hf-tags-not-list.json": parse.NOT_A_LIST,
        "hf-card-not-object.json": parse.NOT_AN_OBJECT,
        "hf-id-script-tag.json": parse.NOT_REPO_ID.format(value="'Qwen/<script>alert(1)</script>'"),
        "hf-safetensors-huge.json": parse.TOO_LARGE.format(
            value=10**16, limit=parse.MAX_PARAMETERS
        ),
        "feed-wrong-version.json": parse.WRONG_FORMAT.format(value=2, expected=1),
    }
    for fixture, message in cases.items():
        reader = HOSTILE[fixture][0]
        with pytest.raises(ParseError) as error:
            _read_hostile(reader, (INGEST / "hostile" / fixture).read_text("utf-8"))
        assert error.value.message == message, fixture


def test_json_text_nested_past_the_recursion_limit_is_a_parse_error():
    with pytest.raises(ParseError) as error:
        parse_json_text("[" * 100_000 + "]" * 100_000, field="document")
    assert error.value.field == "document"


def test_json_text_may_be_bytes():
    assert parse_json_text(b'{"id": "Qwen/Qwen2.5-7B"}') == {"id": "Qwen/Qwen2.5-7B"}
    with pytest.raises(ParseError):
        parse_json_text(b"\xff\xfe{", field="info")


def test_json_text_with_infinity_is_a_parse_error():
    with pytest.raises(ParseError, match="Infinity"):
        parse_json_text('{"total": -Infinity}', field="info")


BAD_VALUES = [None, True, -1, 0, 2**70, 1.5, "", "x" * 300, "\x00", [], {}, [[[]]], {"a": {}}]


def _paths(value, prefix=(), depth=3):
    """Every key path of ``value`` up to ``depth`` levels (the first item of each list)."""
    if depth == 0:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key), depth - 1)
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from _paths(value[0], (*prefix, 0), depth - 1)


def _replaced(payload, path, value):
    changed = copy.deepcopy(payload)
    node = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return changed


def _refused(read, payload, depth=3) -> int:
    """Put each bad value at each path of ``payload``; only ParseError may come out. Returns
    how many were refused (the rest parsed)."""
    refused = 0
    for path in list(_paths(payload, depth=depth)):
        for value in BAD_VALUES:
            try:
                read(_replaced(payload, path, value))
            except ParseError:
                refused += 1
    return refused


def test_wrong_values_anywhere_in_a_hub_payload_raise_only_parse_errors():
    config = _config("Qwen__Qwen2.5-7B-Instruct")
    for name in ("Qwen__Qwen2.5-7B-Instruct", "meta-llama__Llama-3.1-8B-Instruct"):
        assert _refused(lambda info: parse_hf_release(info, config), _hub(name)) > 0


def test_wrong_values_anywhere_in_a_config_raise_only_parse_errors():
    info = _hub("deepseek-ai__DeepSeek-V3")
    for name in (
        "Qwen__Qwen2.5-7B-Instruct",
        "deepseek-ai__DeepSeek-V3",
        "THUDM__chatglm2-6b",
        "Qwen__Qwen2.5-VL-7B-Instruct",
        "mistralai__Mixtral-8x7B-v0.1",
    ):
        assert _refused(lambda config: parse_hf_release(info, config), _config(name)) > 0


def test_wrong_values_anywhere_in_a_modelscope_payload_raise_only_parse_errors():
    for name in ("Qwen__Qwen2.5-7B-Instruct", "ZhipuAI__glm-4-9b-chat"):
        envelope = _load(INGEST / "modelscope" / f"{name}.json")
        assert _refused(lambda e: parse_modelscope_release(e, None), envelope) > 0


def test_wrong_values_anywhere_in_a_feed_bundle_raise_only_parse_errors():
    bundle = _bundle(_feed("export-with-new-family"), "mistral-7b-instruct-v0-1")
    bundle["variant"]["config"] = {"model_type": "mistral"}  # keeps the run short
    assert _refused(lambda b: parse_feed_entry(b, feed_label="feed"), bundle, depth=4) > 0


def test_wrong_values_anywhere_in_a_feed_document_raise_only_parse_errors():
    document = _feed("qwen2-5-slice")
    document["features"] = []
    for variant in document["variants"]:
        variant["config"] = {"model_type": "qwen2"}

    def read(changed):
        return [parse_feed_entry(b, feed_label="feed") for b in feed_entries(changed)]

    assert _refused(read, document, depth=3) > 0


def test_a_16_bit_checkpoint_with_its_mtp_copies_is_reconciled_exactly():
    """GLM-4.5-Air: the Hub's 110,468,824,832 is the model and its MTP layer, which stores its
    own embedding and output head (tests/fixtures/configs/published_counts.yaml)."""
    hub = _hub("deepseek-ai__DeepSeek-V3") | {"id": "zai-org/GLM-4.5-Air"}
    hub["safetensors"] = {"parameters": {"BF16": 110468819072, "F32": 5760}, "total": 110468824832}
    facts = parse_hf_release(hub, _config("zai-org__GLM-4.5-Air"))
    note = _notes(facts)["parameters_mtp_reconciled"]
    assert note == {
        "computed": 106852251264,
        "hub": 110468824832,
        "difference": 3616573568,
        "mtp": 3616573568,
    }
    vision = _hub("deepseek-ai__DeepSeek-V3") | {"id": "google/gemma-3-4b-it"}
    vision["safetensors"] = {"parameters": {"BF16": 4300079472}, "total": 4300079472}
    facts = parse_hf_release(vision, _config("google__gemma-3-4b-it"))
    assert _notes(facts)["parameters_vision_tower"]["vision"] == 419816304


def test_a_checkpoint_with_mtp_and_vision_is_reconciled_exactly():
    hub = _hub("deepseek-ai__DeepSeek-V3") | {"id": "Qwen/Qwen3.5-27B"}
    hub["safetensors"] = {"parameters": {"BF16": 27781419504, "F32": 8448}, "total": 27781427952}
    facts = parse_hf_release(hub, _config("Qwen__Qwen3.5-27B"))
    assert _notes(facts)["parameters_mtp_vision_reconciled"] == {
        "computed": 26895998464,
        "hub": 27781427952,
        "difference": 885429488,
        "mtp": 424699392,
        "vision": 460730096,
    }
