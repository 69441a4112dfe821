"""The recipe core's messages: English templates that the service shows translated
(``adoption/services/recipes.py`` maps each one), refusals and notes on the recipe's choices.

Pure: the standard library only.
"""

from __future__ import annotations

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
