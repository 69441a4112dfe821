"""What a recipe is built from and what it is, and the checks that refuse what an engine
cannot serve (:class:`RecipeError` naming the input at fault).

Pure: the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from adoption.messages import Message, message
from adoption.recipes.flags import (
    CHECKPOINT_PRECISIONS,
    ENGINE_LABELS,
    ENGINES,
    GGUF_PRECISIONS,
    GGUF_TYPES,
    LLAMA_CPP,
    LLAMA_KV,
    NATIVE,
    OLLAMA_KV,
    RECIPE_VERSION,
    SGLANG_DTYPE,
    SGLANG_KV,
    SGLANG_QUANTIZATION,
    TENSOR_PARALLEL_ENGINES,
    TORCH_DTYPES,
    VLLM,
    VLLM_DTYPE,
    VLLM_KV,
    VLLM_QUANTIZATION,
)
from adoption.recipes.notes import (
    BAD_CONTEXT,
    BAD_GPU_COUNT,
    BAD_UTILIZATION,
    CHECKPOINT_IS_QUANTIZED,
    GGUF_ON_TENSOR_ENGINE,
    KV_NOT_SERVED,
    NEEDS_QUANTIZED_CHECKPOINT,
    NO_REPOSITORY,
    NOT_A_GGUF_TYPE,
    NOT_SERVED_BY_ENGINE,
    UNKNOWN_ENGINE,
)


class RecipeError(ValueError):
    """A combination the engine cannot serve; ``field`` names the input at fault and
    ``message`` says why (an English template of :data:`MESSAGES` with its parameters)."""

    def __init__(self, field_name: str, message: Message) -> None:
        super().__init__(message.text)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class RecipeInputs:
    """What a recipe is built from: the engine, the checkpoint, the hardware and the estimate.

    ``precision`` and ``kv_cache_dtype`` are the estimator's keys. ``checkpoint_quantization``:
    the published checkpoint's ``quantization_config`` method ("fp8", "awq", "mxfp4"...), None
    for a 16-bit checkpoint. ``gguf_file``: the GGUF file to load (llama.cpp, Ollama), None for
    a placeholder named after the repository; ``gguf_location`` where a recorded copy lies;
    ``gguf_repo_id`` the Hugging Face repository holding the file, for llama.cpp to download.
    ``layer_count``: the model's blocks. The memory figures are the estimate's, in bytes.
    """

    engine: str
    repo_id: str
    served_name: str
    gpu_count: int
    context_tokens: int
    precision: str
    kv_cache_dtype: str = "bf16"
    gpu_memory_utilization: Fraction = Fraction(9, 10)
    checkpoint_quantization: str | None = None
    gguf_file: str | None = None
    gguf_location: str | None = None
    gguf_repo_id: str | None = None
    layer_count: int = 1
    expected_memory_bytes: int = 0
    expected_memory_per_gpu_bytes: int = 0


@dataclass(frozen=True)
class Recipe:
    """A serving recipe: the argument vector, the same as one shell line, the Ollama Modelfile
    (empty for other engines), the memory the estimate expects, and notes on its choices."""

    engine: str
    argv: tuple[str, ...]
    command: str
    modelfile: str
    expected_memory_bytes: int
    expected_memory_per_gpu_bytes: int
    notes: tuple[Message, ...] = field(default=())
    recipe_version: str = RECIPE_VERSION


def check_recipe_inputs(inputs: RecipeInputs) -> None:
    """Refuse what the engine cannot serve, before any memory is estimated.

    Raises :class:`RecipeError` naming ``engine``, ``variant``, ``gpu_count``,
    ``context_tokens``, ``gpu_memory_utilization``, ``precision`` or ``kv_cache_dtype``.
    """
    engine = inputs.engine
    if engine not in ENGINES:
        raise RecipeError(
            "engine",
            message(UNKNOWN_ENGINE, engine=str(engine)[:40], engines=", ".join(ENGINES)),
        )
    label = ENGINE_LABELS[engine]
    if _bad_int(inputs.gpu_count):
        raise RecipeError("gpu_count", message(BAD_GPU_COUNT))
    if _bad_int(inputs.context_tokens):
        raise RecipeError("context_tokens", message(BAD_CONTEXT))
    if not 0 < inputs.gpu_memory_utilization <= 1:
        raise RecipeError("gpu_memory_utilization", message(BAD_UTILIZATION))
    if engine in TENSOR_PARALLEL_ENGINES:
        if not inputs.repo_id:
            raise RecipeError("variant", message(NO_REPOSITORY, engine=label))
        tensor_engine_weights(inputs, label)
        served_kv = set(VLLM_KV if engine == VLLM else SGLANG_KV)
    else:
        gguf_type_of(inputs, label)
        served_kv = set(LLAMA_KV if engine == LLAMA_CPP else OLLAMA_KV)
    if inputs.kv_cache_dtype not in served_kv:
        raise RecipeError(
            "kv_cache_dtype",
            message(KV_NOT_SERVED, engine=label, kv=str(inputs.kv_cache_dtype)[:20].upper()),
        )


# -- checks --------------------------------------------------------------------------------------


def _bad_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int) or value < 1


def tensor_engine_weights(inputs: RecipeInputs, label: str) -> tuple[str, ...]:
    """vLLM's and SGLang's flags for the weights' precision (without the KV cache)."""
    precision = inputs.precision
    checkpoint = inputs.checkpoint_quantization
    if precision in GGUF_PRECISIONS:
        raise RecipeError(
            "precision",
            message(GGUF_ON_TENSOR_ENGINE, engine=label, precision=GGUF_TYPES[precision]),
        )
    if precision == NATIVE:
        return ()
    if checkpoint is not None:
        if CHECKPOINT_PRECISIONS.get(checkpoint) == precision:
            return ()  # read from the checkpoint's quantization_config
        raise RecipeError(
            "precision",
            message(CHECKPOINT_IS_QUANTIZED, method=checkpoint[:40], engine=label),
        )
    if precision in TORCH_DTYPES:
        dtype_flag = VLLM_DTYPE if inputs.engine == VLLM else SGLANG_DTYPE
        return (dtype_flag, TORCH_DTYPES[precision])
    if precision == "fp8":
        flag = VLLM_QUANTIZATION if inputs.engine == VLLM else SGLANG_QUANTIZATION
        return (flag, "fp8")
    if precision == "nf4" and inputs.engine == VLLM:
        return (VLLM_QUANTIZATION, "bitsandbytes")
    if precision in ("awq-int4", "gptq-int4", "int8"):
        raise RecipeError(
            "precision",
            message(NEEDS_QUANTIZED_CHECKPOINT, engine=label, precision=precision.upper()),
        )
    raise RecipeError(
        "precision", message(NOT_SERVED_BY_ENGINE, engine=label, precision=precision[:40])
    )


def gguf_type_of(inputs: RecipeInputs, label: str) -> str:
    """The GGUF type llama.cpp and Ollama load for the precision."""
    precision = inputs.precision
    if precision == NATIVE and inputs.checkpoint_quantization is None:
        return GGUF_TYPES["bf16"]
    if precision in GGUF_TYPES:
        return GGUF_TYPES[precision]
    raise RecipeError("precision", message(NOT_A_GGUF_TYPE, engine=label))
