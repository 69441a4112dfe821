"""Serving recipes: each generated command parses with the engine's documented options and says
what the estimate sized; combinations an engine cannot serve, or that do not fit, are refused."""

from __future__ import annotations

import ast
import shlex
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from adoption import recipes
from adoption.recipes import (
    ENGINES,
    RecipeError,
    RecipeInputs,
    build_recipe,
    check_recipe_inputs,
)
from tests.adoption.engine_arguments import ArgumentsRefused, parse_modelfile, parse_recipe

GIB = 1024**3
BASE = RecipeInputs(
    engine="vllm",
    repo_id="meta-llama/Llama-3.1-8B-Instruct",
    served_name="llama-3-1-8b-instruct",
    gpu_count=1,
    context_tokens=32768,
    precision="bf16",
    kv_cache_dtype="bf16",
    gpu_memory_utilization=Fraction(9, 10),
    layer_count=32,
    expected_memory_bytes=20 * GIB,
    expected_memory_per_gpu_bytes=21 * GIB,
)


def _inputs(**changes) -> RecipeInputs:
    return replace(BASE, **changes)


# -- pure: every engine ----------------------------------------------------------------------


def test_the_recipe_core_imports_the_standard_library_only():
    # Every module of the package, and the shared message it builds on (adoption/messages.py).
    package = Path(recipes.__file__).parent
    files = [*sorted(package.glob("*.py")), package.parent / "messages.py"]
    allowed_own = {"adoption.messages"} | {f"adoption.recipes.{f.stem}" for f in files}
    outside = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        outside[path.name] = {
            name
            for name in imported
            if name not in allowed_own and name.split(".")[0] not in sys.stdlib_module_names
        }
    assert len(files) > 2, "the package's modules were not found"
    assert not any(outside.values()), outside


@pytest.mark.parametrize("count", [1, 4])
def test_a_vllm_recipe_parses_with_vllm_serve_options(count):
    recipe = build_recipe(_inputs(gpu_count=count))
    args = parse_recipe("vllm", recipe.argv)
    assert args.model_tag == "meta-llama/Llama-3.1-8B-Instruct"
    assert args.served_model_name == ["llama-3-1-8b-instruct"]
    assert args.tensor_parallel_size == count
    assert args.max_model_len == 32768
    assert args.gpu_memory_utilization == 0.9
    assert args.dtype == "bfloat16"
    assert args.quantization is None
    assert args.kv_cache_dtype is None  # the model's own dtype
    assert recipe.command == shlex.join(recipe.argv)
    assert recipe.modelfile == ""
    assert recipe.expected_memory_bytes == 20 * GIB
    assert recipe.recipe_version == recipes.RECIPE_VERSION


def test_vllm_quantises_a_sixteen_bit_checkpoint_to_fp8_and_keeps_an_fp8_cache():
    args = parse_recipe("vllm", build_recipe(_inputs(precision="fp8", kv_cache_dtype="fp8")).argv)
    assert args.quantization == "fp8"
    assert args.kv_cache_dtype == "fp8"
    assert args.dtype is None


def test_vllm_reads_an_awq_checkpoint_without_forcing_its_kernel():
    recipe = build_recipe(_inputs(precision="awq-int4", checkpoint_quantization="awq"))
    args = parse_recipe("vllm", recipe.argv)
    assert args.quantization is None
    assert any(n.template == recipes.NOTE_CHECKPOINT_FORMAT for n in recipe.notes)


def test_vllm_loads_nf4_with_bitsandbytes():
    assert parse_recipe("vllm", build_recipe(_inputs(precision="nf4")).argv).quantization == (
        "bitsandbytes"
    )


def test_a_native_checkpoint_needs_no_precision_flag():
    recipe = build_recipe(_inputs(precision="native", checkpoint_quantization="fp8"))
    args = parse_recipe("vllm", recipe.argv)
    assert args.dtype is None
    assert args.quantization is None


@pytest.mark.parametrize("count", [1, 8])
def test_an_sglang_recipe_parses_with_launch_server_options(count):
    recipe = build_recipe(
        _inputs(
            engine="sglang",
            gpu_count=count,
            precision="fp8",
            kv_cache_dtype="fp8",
            gpu_memory_utilization=Fraction(85, 100),
        )
    )
    args = parse_recipe("sglang", recipe.argv)
    assert args.model_path == "meta-llama/Llama-3.1-8B-Instruct"
    assert args.served_model_name == "llama-3-1-8b-instruct"
    assert args.tp_size == count
    assert args.context_length == 32768
    assert args.mem_fraction_static == 0.85
    assert args.quantization == "fp8"
    assert args.kv_cache_dtype == "fp8_e4m3"


@pytest.mark.parametrize("count", [1, 2])
def test_a_llama_cpp_recipe_parses_with_llama_server_options(count):
    recipe = build_recipe(
        _inputs(engine="llama_cpp", gpu_count=count, precision="q4_k_m", kv_cache_dtype="fp16")
    )
    args = parse_recipe("llama_cpp", recipe.argv)
    assert args.model == "Llama-3.1-8B-Instruct-Q4_K_M.gguf"
    assert args.alias == "llama-3-1-8b-instruct"
    assert args.ctx_size == 32768
    assert args.n_gpu_layers == 33  # 32 blocks and the output layer
    assert args.parallel == 1
    assert args.cache_type_k == args.cache_type_v == "f16"
    if count == 1:
        assert args.split_mode is None
        assert args.tensor_split is None
    else:
        assert args.split_mode == "layer"
        assert args.tensor_split == [1.0, 1.0]
    assert any(n.template == recipes.NOTE_GGUF_PLACEHOLDER for n in recipe.notes)


def test_llama_cpp_downloads_a_recorded_gguf_from_its_hugging_face_repository():
    recipe = build_recipe(
        _inputs(
            engine="llama_cpp",
            precision="q8_0",
            gguf_file="model-Q8_0.gguf",
            gguf_repo_id="acme/Llama-3.1-8B-Instruct-GGUF",
            gguf_location="https://huggingface.co/acme/Llama-3.1-8B-Instruct-GGUF",
        )
    )
    args = parse_recipe("llama_cpp", recipe.argv)
    assert args.model is None
    assert (args.hf_repo, args.hf_file) == ("acme/Llama-3.1-8B-Instruct-GGUF", "model-Q8_0.gguf")


def test_an_ollama_recipe_parses_and_its_modelfile_uses_documented_parameters():
    recipe = build_recipe(_inputs(engine="ollama", precision="q4_k_m", context_tokens=8192))
    args = parse_recipe("ollama", recipe.argv)
    assert args.model == "llama-3-1-8b-instruct"
    assert args.file == "Modelfile"
    modelfile = parse_modelfile(recipe.modelfile)
    assert modelfile == {
        "FROM": "./Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        "num_ctx": 8192,
        "num_gpu": 33,
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_states_the_memory_the_estimate_expects(engine):
    precision = "bf16" if engine in ("vllm", "sglang") else "q8_0"
    recipe = build_recipe(_inputs(engine=engine, precision=precision, gpu_count=2))
    assert recipe.engine == engine
    assert recipe.expected_memory_bytes == 20 * GIB
    assert recipe.expected_memory_per_gpu_bytes == 21 * GIB
    assert recipe.notes
    parse_recipe(engine, recipe.argv)


def test_the_documented_parser_refuses_an_option_the_engine_does_not_list():
    argv = (*build_recipe(BASE).argv, "--max-context", "4096")
    with pytest.raises(ArgumentsRefused):
        parse_recipe("vllm", argv)


# -- pure: refusals --------------------------------------------------------------------------


def _refusal(**changes) -> RecipeError:
    with pytest.raises(RecipeError) as caught:
        check_recipe_inputs(_inputs(**changes))
    return caught.value


def test_an_unknown_engine_is_refused_naming_the_engine():
    error = _refusal(engine="tgi")
    assert error.field == "engine"
    assert error.message.template == recipes.UNKNOWN_ENGINE


@pytest.mark.parametrize("engine", ["vllm", "sglang"])
def test_gguf_types_are_refused_by_the_safetensors_engines(engine):
    error = _refusal(engine=engine, precision="q4_k_m")
    assert error.field == "precision"
    assert error.message.template == recipes.GGUF_ON_TENSOR_ENGINE
    assert "Q4_K_M" in str(error)


@pytest.mark.parametrize("precision", ["awq-int4", "gptq-int4", "int8"])
def test_int4_and_int8_need_a_checkpoint_published_in_that_format(precision):
    error = _refusal(precision=precision)
    assert (error.field, error.message.template) == (
        "precision",
        recipes.NEEDS_QUANTIZED_CHECKPOINT,
    )


def test_a_quantised_checkpoint_cannot_be_served_at_another_precision():
    error = _refusal(precision="bf16", checkpoint_quantization="fp8")
    assert (error.field, error.message.template) == ("precision", recipes.CHECKPOINT_IS_QUANTIZED)


@pytest.mark.parametrize("engine", ["llama_cpp", "ollama"])
@pytest.mark.parametrize("precision", ["fp8", "awq-int4", "nf4", "int8"])
def test_llama_cpp_and_ollama_refuse_what_is_not_a_gguf_type(engine, precision):
    error = _refusal(engine=engine, precision=precision)
    assert (error.field, error.message.template) == ("precision", recipes.NOT_A_GGUF_TYPE)


def test_sglang_has_no_nf4_recipe():
    error = _refusal(engine="sglang", precision="nf4")
    assert (error.field, error.message.template) == ("precision", recipes.NOT_SERVED_BY_ENGINE)


@pytest.mark.parametrize(
    ("engine", "precision", "kv"),
    [("vllm", "bf16", "fp32"), ("llama_cpp", "q8_0", "fp8"), ("ollama", "q8_0", "fp8")],
)
def test_a_kv_cache_the_engine_lacks_is_refused(engine, precision, kv):
    error = _refusal(engine=engine, precision=precision, kv_cache_dtype=kv)
    assert (error.field, error.message.template) == ("kv_cache_dtype", recipes.KV_NOT_SERVED)


def test_a_safetensors_engine_needs_a_repository():
    assert _refusal(repo_id="").field == "variant"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"gpu_count": 0}, "gpu_count"),
        ({"context_tokens": 0}, "context_tokens"),
        ({"context_tokens": True}, "context_tokens"),
        ({"gpu_memory_utilization": Fraction(0)}, "gpu_memory_utilization"),
        ({"gpu_memory_utilization": Fraction(11, 10)}, "gpu_memory_utilization"),
    ],
)
def test_out_of_range_numbers_are_refused_naming_their_field(changes, field):
    assert _refusal(**changes).field == field


def test_every_message_of_the_core_is_listed_for_translation():
    # Messages are sentences; flags, programs and values have no spaces.
    constants = {
        value
        for name, value in vars(recipes).items()
        if name.isupper() and isinstance(value, str) and " " in value
    }
    assert constants <= set(recipes.MESSAGES)


def test_a_fraction_is_written_as_the_engines_read_it():
    assert recipes.format_fraction(Fraction(9, 10)) == "0.9"
    assert recipes.format_fraction(Fraction(1)) == "1"
    assert recipes.format_fraction(Fraction(2, 3)) == "0.6667"


# -- the service, on the curated catalog -----------------------------------------------------


def _variant(repo_id: str):
    from catalog.models import ModelVariant

    return ModelVariant.objects.select_related("version").get(hf_repo_id=repo_id)


def _profile(slug: str):
    from hardware.models import HardwareProfile

    return HardwareProfile.objects.select_related("accelerator").get(slug=slug)


LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("engine", "precision", "profile_slug"),
    [
        ("vllm", "bf16", "2x-nvidia-h100-sxm"),
        ("sglang", "fp8", "1x-nvidia-h100-sxm"),
        ("llama_cpp", "q4_k_m", "2x-nvidia-rtx-4090"),
        ("ollama", "q8_0", "1x-nvidia-rtx-4090"),
    ],
)
def test_a_recipe_for_a_variant_that_fits_carries_the_estimate(
    curated_catalog, engine, precision, profile_slug
):
    from adoption.services.recipes import recipe_build
    from estimator import ESTIMATOR_VERSION

    profile = _profile(profile_slug)
    answer = recipe_build(
        variant=_variant(LLAMA_8B),
        profile=profile,
        precision=precision,
        context_tokens=8192,
        engine=engine,
    )
    assert answer["engine"] == engine
    assert answer["profile"] == profile_slug
    assert answer["precision"] == precision
    assert answer["context_tokens"] == 8192
    assert answer["estimator_version"] == ESTIMATOR_VERSION
    assert answer["recipe_version"] == recipes.RECIPE_VERSION
    memory = answer["expected_memory"]
    assert memory["total_bytes"] == memory["summary"]["total_bytes"] > 0
    assert 0 < memory["per_gpu_bytes"] <= memory["usable_per_gpu_bytes"]
    assert memory["breakdown"]
    assert answer["notes"]
    assert answer["assumptions"]
    assert answer["command"] == shlex.join(answer["argv"])
    args = parse_recipe(engine, answer["argv"])
    if engine == "vllm":
        assert (args.tensor_parallel_size, args.max_model_len) == (profile.count, 8192)
        assert args.model_tag == LLAMA_8B
    elif engine == "sglang":
        assert (args.tp_size, args.context_length, args.quantization) == (1, 8192, "fp8")
    elif engine == "llama_cpp":
        assert args.ctx_size == 8192
        assert args.n_gpu_layers == 33
        assert args.tensor_split == [1.0, 1.0]
    else:
        assert parse_modelfile(answer["modelfile"])["num_ctx"] == 8192
    assert (answer["modelfile"] is None) == (engine != "ollama")


@pytest.mark.django_db
def test_a_recipe_for_a_variant_that_does_not_fit_is_refused_naming_the_profile(
    curated_catalog,
):
    from adoption.services.recipes import RecipeInputError, recipe_build

    with pytest.raises(RecipeInputError) as caught:
        recipe_build(
            variant=_variant("deepseek-ai/DeepSeek-V3"),
            profile=_profile("1x-nvidia-rtx-4090"),
            precision="native",
            context_tokens=4096,
            engine="vllm",
        )
    assert set(caught.value.errors) == {"profile"}
    assert caught.value.errors["profile"].startswith("Does not fit:")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"engine": "tgi"}, "engine"),
        ({"precision": "q4_k_m"}, "precision"),
        ({"precision": "fp4"}, "precision"),
        ({"context_tokens": 0}, "context_tokens"),
        ({"context_tokens": 10_000_000}, "context_tokens"),
        ({"kv_cache_dtype": "int3"}, "kv_cache_dtype"),
        ({"gpu_memory_utilization": 1.5}, "gpu_memory_utilization"),
    ],
)
def test_the_service_refuses_bad_input_naming_the_field(curated_catalog, changes, field):
    from adoption.services.recipes import RecipeInputError, recipe_build

    arguments = {
        "variant": _variant(LLAMA_8B),
        "profile": _profile("1x-nvidia-h100-sxm"),
        "precision": "bf16",
        "context_tokens": 4096,
        "engine": "vllm",
    } | changes
    with pytest.raises(RecipeInputError) as caught:
        recipe_build(**arguments)
    assert field in caught.value.errors


@pytest.mark.django_db
def test_a_variant_without_architecture_numbers_is_refused_naming_the_variant(curated_catalog):
    from adoption.services.recipes import NO_ARCHITECTURE, RecipeInputError, recipe_build

    variant = _variant(LLAMA_8B)
    variant.config = {}
    variant.num_layers = None
    with pytest.raises(RecipeInputError) as caught:
        recipe_build(
            variant=variant,
            profile=_profile("1x-nvidia-h100-sxm"),
            precision="bf16",
            context_tokens=4096,
            engine="vllm",
        )
    assert caught.value.errors == {"variant": str(NO_ARCHITECTURE)}
