"""Serving recipes: the command that serves a variant on a hardware profile with vLLM, SGLang,
llama.cpp or Ollama, at the precision, context and memory share the estimator sized.

Standard library only. The caller (``adoption.services.recipes``) runs the estimator and hands
its figures in through :class:`RecipeInputs`; :func:`build_recipe` turns them into the engine's
argument vector (and, for Ollama, a Modelfile) or refuses, with :class:`RecipeError` naming the
input at fault, a combination the engine cannot serve.

Every flag and value below is an engine's documented option, with the page it comes from. The
precision keys are the estimator's (``estimator/precision.py``); the KV cache keys are its
``KV_DTYPES``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from fractions import Fraction

# Bumped whenever a flag, a mapping or a default below changes: stored with each recipe so that
# recipes built by an older mapping can be told apart.
RECIPE_VERSION = "1.0.0"

VLLM = "vllm"
SGLANG = "sglang"
LLAMA_CPP = "llama_cpp"
OLLAMA = "ollama"
ENGINES = (VLLM, SGLANG, LLAMA_CPP, OLLAMA)
# The engines that place the model with tensor parallelism (the estimator's "vllm" runtime);
# llama.cpp and Ollama split it by layers (its "llama.cpp" runtime).
TENSOR_PARALLEL_ENGINES = (VLLM, SGLANG)

# The estimator's precision and KV cache keys this module maps (estimator/precision.py).
NATIVE = "native"
GGUF_PRECISIONS = ("q8_0", "q4_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")

# -- vLLM ----------------------------------------------------------------------------------------
# `vllm serve <model>`: the model is the positional argument; the other flags are engine
# arguments. Source: https://docs.vllm.ai/en/latest/configuration/engine_args.html and
# https://docs.vllm.ai/en/latest/cli/serve.html (generated from vllm/engine/arg_utils.py).
VLLM_PROGRAM = ("vllm", "serve")
VLLM_SERVED_NAME = "--served-model-name"
VLLM_TENSOR_PARALLEL = "--tensor-parallel-size"
VLLM_MAX_MODEL_LEN = "--max-model-len"
# Share of each GPU's memory vLLM may use for weights, activations and KV cache (ModelConfig /
# CacheConfig.gpu_memory_utilization, vllm/config/cache.py).
VLLM_GPU_MEMORY_UTILIZATION = "--gpu-memory-utilization"
# --dtype {auto,half,float16,bfloat16,float,float32} (engine_args.html).
VLLM_DTYPE = "--dtype"
# --quantization / -q: the method; left out, vLLM reads the checkpoint's quantization_config
# and picks its fastest kernel (AWQ -> awq_marlin). Source: engine_args.html; in-flight FP8:
# https://docs.vllm.ai/en/latest/features/quantization/fp8.html; in-flight NF4 with
# bitsandbytes: https://docs.vllm.ai/en/latest/features/quantization/bnb.html.
VLLM_QUANTIZATION = "--quantization"
# --kv-cache-dtype: "auto" (the model's dtype), "fp8" (= fp8_e4m3) ... (CacheDType in
# vllm/config/cache.py; engine_args.html).
VLLM_KV_CACHE_DTYPE = "--kv-cache-dtype"

# -- SGLang --------------------------------------------------------------------------------------
# `python -m sglang.launch_server`. Source: https://docs.sglang.ai/advanced_features/
# server_arguments.html (docs/advanced_features/server_arguments.md; server_args.py).
SGLANG_PROGRAM = ("python", "-m", "sglang.launch_server")
SGLANG_MODEL_PATH = "--model-path"
SGLANG_SERVED_NAME = "--served-model-name"
SGLANG_TENSOR_PARALLEL = "--tp-size"  # alias of --tensor-parallel-size
SGLANG_CONTEXT_LENGTH = "--context-length"
# "The fraction of the memory used for static allocation (model weights and KV cache memory
# pool)" (server_arguments.md, Memory and scheduling).
SGLANG_MEM_FRACTION_STATIC = "--mem-fraction-static"
SGLANG_DTYPE = "--dtype"  # auto, half, float16, bfloat16, float, float32
# "To enable fp8 weight quantization, add --quantization fp8 on a fp16 checkpoint or directly
# load a fp8 checkpoint without specifying any arguments" (server_arguments.md).
SGLANG_QUANTIZATION = "--quantization"
# auto, fp8_e5m2, fp8_e4m3, bf16, bfloat16, fp4_e2m1 (server_arguments.md).
SGLANG_KV_CACHE_DTYPE = "--kv-cache-dtype"

# -- llama.cpp -----------------------------------------------------------------------------------
# `llama-server`. Source: https://github.com/ggml-org/llama.cpp/blob/master/tools/server/
# README.md (generated from common/arg.cpp by llama-gen-docs).
LLAMA_SERVER_PROGRAM = ("llama-server",)
LLAMA_MODEL = "--model"  # -m, model path to load
LLAMA_HF_REPO = "--hf-repo"  # -hf, Hugging Face model repository
LLAMA_HF_FILE = "--hf-file"  # -hff, Hugging Face model file
LLAMA_ALIAS = "--alias"  # -a, model name used by the API
LLAMA_CTX_SIZE = "--ctx-size"  # -c, size of the prompt context
# -ngl: max. number of layers to store in VRAM. llama.cpp counts the output layer as one more
# slot: i_gpu_start = max(n_layer + 1 - n_gpu_layers, 0) (src/llama-model.cpp), so every block
# and the output layer take n_layer + 1.
LLAMA_N_GPU_LAYERS = "--n-gpu-layers"
# -np: number of server slots (default auto); one slot holds the whole context, as the
# estimate assumes one sequence of context_tokens.
LLAMA_PARALLEL = "--parallel"
LLAMA_SPLIT_MODE = "--split-mode"  # -sm {none,layer,row,tensor}; layer is the default
LLAMA_TENSOR_SPLIT = "--tensor-split"  # -ts N0,N1,...: proportion of the model on each GPU
# -ctk / -ctv: KV cache data type for K and V; f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0,
# q5_1 (default f16).
LLAMA_CACHE_TYPE_K = "--cache-type-k"
LLAMA_CACHE_TYPE_V = "--cache-type-v"

# -- Ollama --------------------------------------------------------------------------------------
# `ollama create <name> -f <Modelfile>` (cmd/cmd.go: createCmd flags "file"/-f), with a
# Modelfile: FROM a GGUF file, PARAMETER num_ctx. Source:
# https://github.com/ollama/ollama/blob/main/docs/modelfile.mdx and docs/import.mdx.
OLLAMA_PROGRAM = ("ollama", "create")
OLLAMA_FILE = "-f"
OLLAMA_MODELFILE_NAME = "Modelfile"
OLLAMA_NUM_CTX = "num_ctx"
# num_gpu: layers to offload, a runner option of every model (api/types.go, Runner.NumGPU;
# docs/api.md options); Ollama runs llama.cpp, which counts the output layer too.
OLLAMA_NUM_GPU = "num_gpu"
# The K/V cache type is a server-wide setting, OLLAMA_KV_CACHE_TYPE, default f16 (docs/faq.mdx,
# "How can I set the quantization type for the K/V cache?").
OLLAMA_KV_CACHE_ENV = "OLLAMA_KV_CACHE_TYPE"

# Precision -> --dtype of vLLM and SGLang (both accept the same names).
TORCH_DTYPES = {"bf16": "bfloat16", "fp16": "float16"}
# Precision -> GGUF type, as llama.cpp names its files and types (ggml-common.h; llama-quantize
# --help; examples: "Q4_K_M", "Q8_0", "F16", "BF16").
GGUF_TYPES = {
    "bf16": "BF16",
    "fp16": "F16",
    "q8_0": "Q8_0",
    "q4_0": "Q4_0",
    "q6_k": "Q6_K",
    "q5_k_m": "Q5_K_M",
    "q4_k_m": "Q4_K_M",
    "q3_k_m": "Q3_K_M",
    "q2_k": "Q2_K",
}
# The checkpoint methods (quantization_config.quant_method) vLLM and SGLang read from the
# published checkpoint without a flag, and the precision each stands for.
CHECKPOINT_PRECISIONS = {"awq": "awq-int4", "gptq": "gptq-int4", "fp8": "fp8"}
# KV cache key -> each engine's value; None: the flag is left out (the model's own dtype, "auto").
VLLM_KV = {"bf16": None, "fp16": None, "fp8": "fp8"}
SGLANG_KV = {"bf16": None, "fp16": None, "fp8": "fp8_e4m3"}
LLAMA_KV = {"bf16": "bf16", "fp16": "f16", "fp32": "f32"}
# Ollama's documented cache types are f16, q8_0 and q4_0; BF16 takes the same two bytes.
OLLAMA_KV = {"bf16": "f16", "fp16": "f16"}

# -- messages ------------------------------------------------------------------------------------
# English; the service shows them translated (adoption/services/recipes.py maps each one).
UNKNOWN_ENGINE = "Unknown engine '%(engine)s'; choose one of %(engines)s."
NO_REPOSITORY = "This variant has no Hugging Face repository for %(engine)s to load."
BAD_GPU_COUNT = "The number of GPUs must be a positive integer."
BAD_CONTEXT = "The context must be a positive number of tokens."
BAD_UTILIZATION = "The GPU memory share must be above 0 and at most 1."
GGUF_ON_TENSOR_ENGINE = (
    "%(engine)s serves safetensors checkpoints; %(precision)s is a llama.cpp GGUF type. "
    "Choose llama.cpp or Ollama, or BF16, FP8, AWQ or GPTQ."
)
NEEDS_QUANTIZED_CHECKPOINT = (
    "%(engine)s does not quantise to %(precision)s while loading; serve a checkpoint published "
    "in %(precision)s."
)
NOT_SERVED_BY_ENGINE = "%(engine)s has no recipe here for %(precision)s."
CHECKPOINT_IS_QUANTIZED = (
    "The published checkpoint is stored as %(method)s; %(engine)s loads it as it is. Choose "
    "'native'."
)
NOT_A_GGUF_TYPE = (
    "%(engine)s runs GGUF files: choose BF16, FP16 or a GGUF type such as Q8_0 or Q4_K_M."
)
KV_NOT_SERVED = "%(engine)s has no %(kv)s KV cache."
# Notes.
NOTE_TENSOR_PARALLEL = (
    "The %(count)s GPUs share every layer (tensor parallelism); the estimate sized it that way."
)
NOTE_NATIVE = "The engine reads the checkpoint's own format from its config.json."
NOTE_CHECKPOINT_FORMAT = (
    "The engine reads the %(method)s format from the checkpoint's quantization_config and "
    "chooses its kernel."
)
NOTE_IN_FLIGHT = "The engine quantises the 16-bit weights to %(precision)s while loading."
NOTE_KV_AUTO = "The KV cache keeps the model's 16-bit dtype (the engine's 'auto')."
NOTE_MEM_FRACTION = (
    "SGLang's static fraction covers the weights and the KV cache pool, close to the share the "
    "estimate allows; lower it if activations run out of memory."
)
NOTE_GGUF_PLACEHOLDER = (
    "'%(file)s' stands for a %(type)s GGUF of %(repo)s: no GGUF copy is recorded. Convert the "
    "checkpoint (convert_hf_to_gguf.py, llama-quantize) or download one, and put its path here."
)
NOTE_GGUF_RECORDED = "The GGUF file comes from the copy recorded at %(location)s."
NOTE_LAYER_SPLIT = (
    "llama.cpp splits the layers evenly over the %(count)s GPUs (--split-mode layer); the "
    "estimate sized it that way."
)
NOTE_ONE_SLOT = "One server slot holds the whole context, as the estimate assumes one sequence."
NOTE_OLLAMA_KV = (
    "Ollama keeps the KV cache in f16 unless the server sets %(variable)s; leave it unset for "
    "this estimate."
)
NOTE_OLLAMA_GPUS = (
    "Ollama spreads a model over all GPUs only when it does not fit on one; num_gpu offloads "
    "every layer."
)
NOTE_OLLAMA_USE = "Save the Modelfile, then run the command; serve it with `ollama run %(name)s`."

MESSAGES = (
    UNKNOWN_ENGINE,
    NO_REPOSITORY,
    BAD_GPU_COUNT,
    BAD_CONTEXT,
    BAD_UTILIZATION,
    GGUF_ON_TENSOR_ENGINE,
    NEEDS_QUANTIZED_CHECKPOINT,
    NOT_SERVED_BY_ENGINE,
    CHECKPOINT_IS_QUANTIZED,
    NOT_A_GGUF_TYPE,
    KV_NOT_SERVED,
    NOTE_TENSOR_PARALLEL,
    NOTE_NATIVE,
    NOTE_CHECKPOINT_FORMAT,
    NOTE_IN_FLIGHT,
    NOTE_KV_AUTO,
    NOTE_MEM_FRACTION,
    NOTE_GGUF_PLACEHOLDER,
    NOTE_GGUF_RECORDED,
    NOTE_LAYER_SPLIT,
    NOTE_ONE_SLOT,
    NOTE_OLLAMA_KV,
    NOTE_OLLAMA_GPUS,
    NOTE_OLLAMA_USE,
)
ENGINE_LABELS = {VLLM: "vLLM", SGLANG: "SGLang", LLAMA_CPP: "llama.cpp", OLLAMA: "Ollama"}


@dataclass(frozen=True)
class Message:
    """An English message template and its parameters (``template % params``)."""

    template: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return self.template % dict(self.params)


def _message(template: str, **params: object) -> Message:
    return Message(template, tuple((k, str(v)) for k, v in sorted(params.items())))


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
            _message(UNKNOWN_ENGINE, engine=str(engine)[:40], engines=", ".join(ENGINES)),
        )
    label = ENGINE_LABELS[engine]
    if _bad_int(inputs.gpu_count):
        raise RecipeError("gpu_count", _message(BAD_GPU_COUNT))
    if _bad_int(inputs.context_tokens):
        raise RecipeError("context_tokens", _message(BAD_CONTEXT))
    if not 0 < inputs.gpu_memory_utilization <= 1:
        raise RecipeError("gpu_memory_utilization", _message(BAD_UTILIZATION))
    if engine in TENSOR_PARALLEL_ENGINES:
        if not inputs.repo_id:
            raise RecipeError("variant", _message(NO_REPOSITORY, engine=label))
        _tensor_engine_weights(inputs, label)
        served_kv = set(VLLM_KV if engine == VLLM else SGLANG_KV)
    else:
        _gguf_type(inputs, label)
        served_kv = set(LLAMA_KV if engine == LLAMA_CPP else OLLAMA_KV)
    if inputs.kv_cache_dtype not in served_kv:
        raise RecipeError(
            "kv_cache_dtype",
            _message(KV_NOT_SERVED, engine=label, kv=str(inputs.kv_cache_dtype)[:20].upper()),
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


# -- checks --------------------------------------------------------------------------------------


def _bad_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int) or value < 1


def _tensor_engine_weights(inputs: RecipeInputs, label: str) -> tuple[str, ...]:
    """vLLM's and SGLang's flags for the weights' precision (without the KV cache)."""
    precision = inputs.precision
    checkpoint = inputs.checkpoint_quantization
    if precision in GGUF_PRECISIONS:
        raise RecipeError(
            "precision",
            _message(GGUF_ON_TENSOR_ENGINE, engine=label, precision=GGUF_TYPES[precision]),
        )
    if precision == NATIVE:
        return ()
    if checkpoint is not None:
        if CHECKPOINT_PRECISIONS.get(checkpoint) == precision:
            return ()  # read from the checkpoint's quantization_config
        raise RecipeError(
            "precision",
            _message(CHECKPOINT_IS_QUANTIZED, method=checkpoint[:40], engine=label),
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
            _message(NEEDS_QUANTIZED_CHECKPOINT, engine=label, precision=precision.upper()),
        )
    raise RecipeError(
        "precision", _message(NOT_SERVED_BY_ENGINE, engine=label, precision=precision[:40])
    )


def _gguf_type(inputs: RecipeInputs, label: str) -> str:
    """The GGUF type llama.cpp and Ollama load for the precision."""
    precision = inputs.precision
    if precision == NATIVE and inputs.checkpoint_quantization is None:
        return GGUF_TYPES["bf16"]
    if precision in GGUF_TYPES:
        return GGUF_TYPES[precision]
    raise RecipeError("precision", _message(NOT_A_GGUF_TYPE, engine=label))


# -- builders ------------------------------------------------------------------------------------


def _weights_notes(inputs: RecipeInputs) -> list[Message]:
    if inputs.precision == NATIVE:
        return [_message(NOTE_NATIVE)]
    if inputs.checkpoint_quantization is not None:
        return [_message(NOTE_CHECKPOINT_FORMAT, method=inputs.checkpoint_quantization)]
    if inputs.precision in ("fp8", "nf4"):
        return [_message(NOTE_IN_FLIGHT, precision=inputs.precision.upper())]
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
        *_tensor_engine_weights(inputs, ENGINE_LABELS[VLLM]),
    ]
    kv = VLLM_KV[inputs.kv_cache_dtype]
    notes = _weights_notes(inputs)
    if kv is None:
        notes.append(_message(NOTE_KV_AUTO))
    else:
        argv += [VLLM_KV_CACHE_DTYPE, kv]
    if inputs.gpu_count > 1:
        notes.append(_message(NOTE_TENSOR_PARALLEL, count=inputs.gpu_count))
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
        *_tensor_engine_weights(inputs, ENGINE_LABELS[SGLANG]),
    ]
    kv = SGLANG_KV[inputs.kv_cache_dtype]
    notes = _weights_notes(inputs)
    if kv is None:
        notes.append(_message(NOTE_KV_AUTO))
    else:
        argv += [SGLANG_KV_CACHE_DTYPE, kv]
    notes.append(_message(NOTE_MEM_FRACTION))
    if inputs.gpu_count > 1:
        notes.append(_message(NOTE_TENSOR_PARALLEL, count=inputs.gpu_count))
    return argv, "", notes


def gguf_placeholder(repo_id: str, gguf_type: str) -> str:
    """The file name a GGUF of ``repo_id`` at ``gguf_type`` commonly takes: the repository's
    name and the type (``Llama-3.1-8B-Instruct-Q4_K_M.gguf``)."""
    name = repo_id.rstrip("/").rsplit("/", 1)[-1] or "model"
    return f"{name}-{gguf_type}.gguf"


def _gguf_file(inputs: RecipeInputs, gguf_type: str) -> tuple[str, Message]:
    if inputs.gguf_file:
        return inputs.gguf_file, _message(
            NOTE_GGUF_RECORDED, location=inputs.gguf_location or inputs.gguf_file
        )
    placeholder = gguf_placeholder(inputs.repo_id or inputs.served_name, gguf_type)
    return placeholder, _message(
        NOTE_GGUF_PLACEHOLDER,
        file=placeholder,
        type=gguf_type,
        repo=inputs.repo_id or inputs.served_name,
    )


def _offloaded_layers(inputs: RecipeInputs) -> str:
    return str(inputs.layer_count + 1)  # every block and the output layer


def _llama_cpp(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    gguf_type = _gguf_type(inputs, ENGINE_LABELS[LLAMA_CPP])
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
    notes = [file_note, _message(NOTE_ONE_SLOT)]
    if inputs.gpu_count > 1:
        argv += [
            LLAMA_SPLIT_MODE,
            "layer",
            LLAMA_TENSOR_SPLIT,
            ",".join("1" for _ in range(inputs.gpu_count)),
        ]
        notes.append(_message(NOTE_LAYER_SPLIT, count=inputs.gpu_count))
    return argv, "", notes


def _ollama(inputs: RecipeInputs) -> tuple[list[str], str, list[Message]]:
    gguf_type = _gguf_type(inputs, ENGINE_LABELS[OLLAMA])
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
        _message(NOTE_OLLAMA_USE, name=inputs.served_name),
        _message(NOTE_OLLAMA_KV, variable=OLLAMA_KV_CACHE_ENV),
    ]
    if inputs.gpu_count > 1:
        notes.append(_message(NOTE_OLLAMA_GPUS))
    return argv, modelfile, notes
