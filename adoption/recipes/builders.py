"""The recipe of each engine: the argument vector (and, for Ollama, a Modelfile) and notes on
its choices, from inputs :func:`adoption.recipes.inputs.check_recipe_inputs` accepts.

Pure: the standard library only.
"""

from __future__ import annotations

import shlex
from fractions import Fraction

from adoption.messages import Message, message
from adoption.recipes.flags import (
    ENGINE_LABELS,
    LLAMA_ALIAS,
    LLAMA_CACHE_TYPE_K,
    LLAMA_CACHE_TYPE_V,
    LLAMA_CPP,
    LLAMA_CTX_SIZE,
    LLAMA_HF_FILE,
    LLAMA_HF_REPO,
    LLAMA_KV,
    LLAMA_MODEL,
    LLAMA_N_GPU_LAYERS,
    LLAMA_PARALLEL,
    LLAMA_SERVER_PROGRAM,
    LLAMA_SPLIT_MODE,
    LLAMA_TENSOR_SPLIT,
    NATIVE,
    OLLAMA,
    OLLAMA_FILE,
    OLLAMA_KV_CACHE_ENV,
    OLLAMA_MODELFILE_NAME,
    OLLAMA_NUM_CTX,
    OLLAMA_NUM_GPU,
    OLLAMA_PROGRAM,
    SGLANG,
    SGLANG_CONTEXT_LENGTH,
    SGLANG_KV,
    SGLANG_KV_CACHE_DTYPE,
    SGLANG_MEM_FRACTION_STATIC,
    SGLANG_MODEL_PATH,
    SGLANG_PROGRAM,
    SGLANG_SERVED_NAME,
    SGLANG_TENSOR_PARALLEL,
    VLLM,
    VLLM_GPU_MEMORY_UTILIZATION,
    VLLM_KV,
    VLLM_KV_CACHE_DTYPE,
    VLLM_MAX_MODEL_LEN,
    VLLM_PROGRAM,
    VLLM_SERVED_NAME,
    VLLM_TENSOR_PARALLEL,
)
from adoption.recipes.inputs import (
    Recipe,
    RecipeInputs,
    check_recipe_inputs,
    gguf_type_of,
    tensor_engine_weights,
)
from adoption.recipes.notes import (
    NOTE_CHECKPOINT_FORMAT,
    NOTE_GGUF_PLACEHOLDER,
    NOTE_GGUF_RECORDED,
    NOTE_IN_FLIGHT,
    NOTE_KV_AUTO,
    NOTE_LAYER_SPLIT,
    NOTE_MEM_FRACTION,
    NOTE_NATIVE,
    NOTE_OLLAMA_GPUS,
    NOTE_OLLAMA_KV,
    NOTE_OLLAMA_USE,
    NOTE_ONE_SLOT,
    NOTE_TENSOR_PARALLEL,
)


def build_recipe(inputs: RecipeInputs) -> Recipe:
    """The recipe for ``inputs``; raises :class:`RecipeError` as :func:`check_recipe_inputs`."""
    check_recipe_inputs(inputs)
    builder = {
        VLLM: _vllm,
        SGLANG: _sglang,
        LLAMA_CPP: _llama_cpp,
        OLLAMA: _ollama,
    }[inputs.engine]
    argv, modelfile, notes = builder(inputs)
    return Recipe(
        engine=inputs.engine,
        argv=tuple(argv),
        command=shlex.join(argv),
        modelfile=modelfile,
        expected_memory_bytes=inputs.expected_memory_bytes,
        expected_memory_per_gpu_bytes=inputs.expected_memory_per_gpu_bytes,
        notes=tuple(notes),
    )


def format_fraction(value: Fraction) -> str:
    """A share as an engine reads it: 0.9, 0.85 (at most four decimals, no trailing zeros)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text or "0"


# -- builders ------------------------------------------------------------------------------------


def _weights_notes(inputs: RecipeInputs) -> list[Message]:
    if inputs.precision == NATIVE:
        return [message(NOTE_NATIVE)]
    if inputs.checkpoint_quantization is not None:
        return [message(NOTE_CHECKPOINT_FORMAT, method=inputs.checkpoint_quantization)]
    if inputs.precision in ("fp8", "nf4"):
        return [message(NOTE_IN_FLIGHT, precision=inputs.precision.upper())]
    return []


def _vllm(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    argv = [
        *VLLM_PROGRAM,
        inputs.repo_id,
        VLLM_SERVED_NAME,
        inputs.served_name,
        VLLM_TENSOR_PARALLEL,
        str(inputs.gpu_count),
        VLLM_MAX_MODEL_LEN,
        str(inputs.context_tokens),
        VLLM_GPU_MEMORY_UTILIZATION,
        format_fraction(inputs.gpu_memory_utilization),
        *tensor_engine_weights(inputs, ENGINE_LABELS[VLLM]),
    ]
    kv = VLLM_KV[inputs.kv_cache_dtype]
    notes = _weights_notes(inputs)
    if kv is None:
        notes.append(message(NOTE_KV_AUTO))
    else:
        argv += [VLLM_KV_CACHE_DTYPE, kv]
    if inputs.gpu_count > 1:
        notes.append(message(NOTE_TENSOR_PARALLEL, count=inputs.gpu_count))
    return argv, "", notes


def _sglang(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    argv = [
        *SGLANG_PROGRAM,
        SGLANG_MODEL_PATH,
        inputs.repo_id,
        SGLANG_SERVED_NAME,
        inputs.served_name,
        SGLANG_TENSOR_PARALLEL,
        str(inputs.gpu_count),
        SGLANG_CONTEXT_LENGTH,
        str(inputs.context_tokens),
        SGLANG_MEM_FRACTION_STATIC,
        format_fraction(inputs.gpu_memory_utilization),
        *tensor_engine_weights(inputs, ENGINE_LABELS[SGLANG]),
    ]
    kv = SGLANG_KV[inputs.kv_cache_dtype]
    notes = _weights_notes(inputs)
    if kv is None:
        notes.append(message(NOTE_KV_AUTO))
    else:
        argv += [SGLANG_KV_CACHE_DTYPE, kv]
    notes.append(message(NOTE_MEM_FRACTION))
    if inputs.gpu_count > 1:
        notes.append(message(NOTE_TENSOR_PARALLEL, count=inputs.gpu_count))
    return argv, "", notes


def gguf_placeholder(repo_id: str, gguf_type: str) -> str:
    """The file name a GGUF of ``repo_id`` at ``gguf_type`` commonly takes: the repository's
    name and the type (``Llama-3.1-8B-Instruct-Q4_K_M.gguf``)."""
    name = repo_id.rstrip("/").rsplit("/", 1)[-1] or "model"
    return f"{name}-{gguf_type}.gguf"


def _gguf_file(inputs: RecipeInputs, gguf_type: str) -> tuple[str, Message]:
    if inputs.gguf_file:
        return inputs.gguf_file, message(
            NOTE_GGUF_RECORDED, location=inputs.gguf_location or inputs.gguf_file
        )
    placeholder = gguf_placeholder(inputs.repo_id or inputs.served_name, gguf_type)
    return placeholder, message(
        NOTE_GGUF_PLACEHOLDER,
        file=placeholder,
        type=gguf_type,
        repo=inputs.repo_id or inputs.served_name,
    )


def _offloaded_layers(inputs: RecipeInputs) -> str:
    return str(inputs.layer_count + 1)  # every block and the output layer


def _llama_cpp(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    gguf_type = gguf_type_of(inputs, ENGINE_LABELS[LLAMA_CPP])
    path, file_note = _gguf_file(inputs, gguf_type)
    kv = LLAMA_KV[inputs.kv_cache_dtype]
    if inputs.gguf_file and inputs.gguf_repo_id:
        source = [LLAMA_HF_REPO, inputs.gguf_repo_id, LLAMA_HF_FILE, inputs.gguf_file]
    else:
        source = [LLAMA_MODEL, path]
    argv = [
        *LLAMA_SERVER_PROGRAM,
        *source,
        LLAMA_ALIAS,
        inputs.served_name,
        LLAMA_CTX_SIZE,
        str(inputs.context_tokens),
        LLAMA_N_GPU_LAYERS,
        _offloaded_layers(inputs),
        LLAMA_PARALLEL,
        "1",
        LLAMA_CACHE_TYPE_K,
        kv,
        LLAMA_CACHE_TYPE_V,
        kv,
    ]
    notes = [file_note, message(NOTE_ONE_SLOT)]
    if inputs.gpu_count > 1:
        argv += [
            LLAMA_SPLIT_MODE,
            "layer",
            LLAMA_TENSOR_SPLIT,
            ",".join("1" for _ in range(inputs.gpu_count)),
        ]
        notes.append(message(NOTE_LAYER_SPLIT, count=inputs.gpu_count))
    return argv, "", notes


def _ollama(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    gguf_type = gguf_type_of(inputs, ENGINE_LABELS[OLLAMA])
    path, file_note = _gguf_file(inputs, gguf_type)
    # FROM takes a path absolute or relative to the Modelfile (docs/modelfile.mdx).
    source = path if path.startswith(("/", "./", "../")) else f"./{path}"
    modelfile = "\n".join(
        [
            f"FROM {source}",
            f"PARAMETER {OLLAMA_NUM_CTX} {inputs.context_tokens}",
            f"PARAMETER {OLLAMA_NUM_GPU} {_offloaded_layers(inputs)}",
            "",
        ]
    )
    argv = [*OLLAMA_PROGRAM, inputs.served_name, OLLAMA_FILE, OLLAMA_MODELFILE_NAME]
    notes = [
        file_note,
        message(NOTE_OLLAMA_USE, name=inputs.served_name),
        message(NOTE_OLLAMA_KV, variable=OLLAMA_KV_CACHE_ENV),
    ]
    if inputs.gpu_count > 1:
        notes.append(message(NOTE_OLLAMA_GPUS))
    return argv, modelfile, notes
