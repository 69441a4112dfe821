"""The engines' programs and flags, and how the estimator's precision and KV cache keys map
to each engine's values. Every flag and value is an engine's documented option, with the page
it comes from; the precision keys are the estimator's (``estimator/precision.py``), the KV
cache keys its ``KV_DTYPES``.

Pure: the standard library only.
"""

from __future__ import annotations

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
# (engine_args.html; "for pre-quantized checkpoints, vLLM will try to infer the quantization
# method from the config file": https://docs.vllm.ai/en/latest/features/quantization/bnb/).
# In-flight FP8 of a BF16/FP16 model is --quantization="fp8" ("Quick Start with Online Dynamic
# Quantization", https://docs.vllm.ai/en/v0.5.5/quantization/fp8.html; newer releases also name
# fp8_per_tensor and fp8_per_block, https://docs.vllm.ai/en/v0.20.0/features/quantization/online/);
# in-flight 4-bit with bitsandbytes is --quantization bitsandbytes (the bnb page above).
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
ENGINE_LABELS = {VLLM: "vLLM", SGLANG: "SGLang", LLAMA_CPP: "llama.cpp", OLLAMA: "Ollama"}
