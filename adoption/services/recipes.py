"""Serving recipes for a variant on a hardware profile: the estimator sizes the memory, the pure
``adoption.recipes`` writes the engine's command, and this module refuses what does not fit."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from adoption import recipes
from adoption.choices import ArtifactFormat
from adoption.models import Artifact
from catalog.architecture import variant_architecture
from catalog.effective import effective_context_tokens
from catalog.models import ModelVariant
from core.lib.units import bytes_to_gib
from estimator import KV_DTYPES, PRECISIONS, EstimateOptions
from estimator.fit import DEFAULT_USABLE_FRACTION
from estimator.memory import MAX_CONTEXT_TOKENS
from estimator.speed import LLAMA_CPP, VLLM
from hardware.models import HardwareProfile
from hardware.services import EstimateInputError, estimate_for

# Error messages users see (constants: the tests assert on them).
NO_ARCHITECTURE = _("This variant has no architecture numbers to estimate.")
UNKNOWN_PRECISION = _("Unknown precision; choose one of %(choices)s.")
UNKNOWN_KV_DTYPE = _("Unknown KV cache precision; choose one of %(choices)s.")
CONTEXT_OUT_OF_RANGE = _("Enter a context from 1 to %(limit)s tokens.")
CONTEXT_TOO_LONG = _("This variant reads at most %(limit)s tokens of context.")
UTILIZATION_OUT_OF_RANGE = _("Enter a GPU memory share above 0 and at most 1.")
DOES_NOT_FIT = _(
    "Does not fit: the estimate needs %(needed).1f GiB on each of the %(count)s accelerators of "
    "%(profile)s, which have %(usable).1f GiB usable."
)
HEADS_NOT_DIVISIBLE = _(
    "Does not fit: tensor parallelism over the %(count)s accelerators of %(profile)s needs "
    "%(count)s to divide the model's %(heads)s attention heads."
)

# The pure core's English messages, translated (each must stay the same text as its source).
MESSAGES = {
    recipes.UNKNOWN_ENGINE: _("Unknown engine '%(engine)s'; choose one of %(engines)s."),
    recipes.NO_REPOSITORY: _("This variant has no Hugging Face repository for %(engine)s to load."),
    recipes.BAD_GPU_COUNT: _("The number of GPUs must be a positive integer."),
    recipes.BAD_CONTEXT: _("The context must be a positive number of tokens."),
    recipes.BAD_UTILIZATION: _("The GPU memory share must be above 0 and at most 1."),
    recipes.GGUF_ON_TENSOR_ENGINE: _(
        "%(engine)s serves safetensors checkpoints; %(precision)s is a llama.cpp GGUF type. "
        "Choose llama.cpp or Ollama, or BF16, FP8, AWQ or GPTQ."
    ),
    recipes.NEEDS_QUANTIZED_CHECKPOINT: _(
        "%(engine)s does not quantise to %(precision)s while loading; serve a checkpoint "
        "published in %(precision)s."
    ),
    recipes.NOT_SERVED_BY_ENGINE: _("%(engine)s has no recipe here for %(precision)s."),
    recipes.CHECKPOINT_IS_QUANTIZED: _(
        "The published checkpoint is stored as %(method)s; %(engine)s loads it as it is. "
        "Choose 'native'."
    ),
    recipes.NOT_A_GGUF_TYPE: _(
        "%(engine)s runs GGUF files: choose BF16, FP16 or a GGUF type such as Q8_0 or Q4_K_M."
    ),
    recipes.KV_NOT_SERVED: _("%(engine)s has no %(kv)s KV cache."),
    recipes.NOTE_TENSOR_PARALLEL: _(
        "The %(count)s GPUs share every layer (tensor parallelism); the estimate sized it that way."
    ),
    recipes.NOTE_NATIVE: _("The engine reads the checkpoint's own format from its config.json."),
    recipes.NOTE_CHECKPOINT_FORMAT: _(
        "The engine reads the %(method)s format from the checkpoint's quantization_config and "
        "chooses its kernel."
    ),
    recipes.NOTE_IN_FLIGHT: _(
        "The engine quantises the 16-bit weights to %(precision)s while loading."
    ),
    recipes.NOTE_KV_AUTO: _("The KV cache keeps the model's 16-bit dtype (the engine's 'auto')."),
    recipes.NOTE_MEM_FRACTION: _(
        "SGLang's static fraction covers the weights and the KV cache pool, close to the share "
        "the estimate allows; lower it if activations run out of memory."
    ),
    recipes.NOTE_GGUF_PLACEHOLDER: _(
        "'%(file)s' stands for a %(type)s GGUF of %(repo)s: no GGUF copy is recorded. Convert "
        "the checkpoint (convert_hf_to_gguf.py, llama-quantize) or download one, and put its "
        "path here."
    ),
    recipes.NOTE_GGUF_RECORDED: _("The GGUF file comes from the copy recorded at %(location)s."),
    recipes.NOTE_LAYER_SPLIT: _(
        "llama.cpp splits the layers evenly over the %(count)s GPUs (--split-mode layer); the "
        "estimate sized it that way."
    ),
    recipes.NOTE_ONE_SLOT: _(
        "One server slot holds the whole context, as the estimate assumes one sequence."
    ),
    recipes.NOTE_OLLAMA_KV: _(
        "Ollama keeps the KV cache in f16 unless the server sets %(variable)s; leave it unset "
        "for this estimate."
    ),
    recipes.NOTE_OLLAMA_GPUS: _(
        "Ollama spreads a model over all GPUs only when it does not fit on one; num_gpu "
        "offloads every layer."
    ),
    recipes.NOTE_OLLAMA_USE: _(
        "Save the Modelfile, then run the command; serve it with `ollama run %(name)s`."
    ),
}
# Hugging Face addresses a recorded GGUF copy may have, for llama.cpp's --hf-repo.
HF_PREFIXES = ("https://huggingface.co/", "hf://")


class RecipeInputError(EstimateInputError):
    """Input a recipe cannot be built for; ``errors`` maps field names to messages."""


def translated(message: recipes.Message) -> str:
    """A message of the pure core in the current language."""
    params = dict(message.params)
    if message.template in MESSAGES:
        return str(MESSAGES[message.template]) % params
    return message.text


def recipe_build(
    *,
    variant: ModelVariant,
    profile: HardwareProfile,
    precision: str,
    context_tokens: int,
    engine: str,
    kv_cache_dtype: str = "bf16",
    gpu_memory_utilization: Fraction | float | str = DEFAULT_USABLE_FRACTION,
) -> dict:
    """The serving recipe of ``variant`` on ``profile`` with ``engine`` (one of
    ``adoption.recipes.ENGINES``) at ``precision`` (an estimator precision key) and a context of
    ``context_tokens`` tokens, with a ``kv_cache_dtype`` cache and ``gpu_memory_utilization``
    (the share of each accelerator the engine may use, 0 < x <= 1).

    Read ``variant.version`` and ``profile.accelerator`` with them (select_related). Returns a
    JSON-ready dict (see the keys below). Raises :class:`RecipeInputError` whose ``errors`` name
    ``engine``, ``variant``, ``precision``, ``kv_cache_dtype``, ``context_tokens``,
    ``gpu_memory_utilization`` or ``profile`` (the estimate does not fit).
    """
    share = _share(gpu_memory_utilization)
    _check_options(variant, precision, context_tokens, kv_cache_dtype)
    arch = variant_architecture(variant)
    if arch is None:
        raise RecipeInputError({"variant": str(NO_ARCHITECTURE)})
    checkpoint = arch.quantization.method if arch.quantization is not None else None
    inputs = recipes.RecipeInputs(
        engine=engine,
        repo_id=variant.hf_repo_id,
        served_name=variant.slug,
        gpu_count=profile.count,
        context_tokens=context_tokens,
        precision=precision,
        kv_cache_dtype=kv_cache_dtype,
        gpu_memory_utilization=share,
        checkpoint_quantization=checkpoint,
        layer_count=arch.num_layers,
    )
    try:
        recipes.check_recipe_inputs(inputs)
    except recipes.RecipeError as exc:
        raise RecipeInputError({exc.field: translated(exc.message)}) from None
    if engine in (recipes.LLAMA_CPP, recipes.OLLAMA):
        inputs = _with_gguf(inputs, variant)
    options = EstimateOptions(
        precision=precision,
        context_tokens=context_tokens,
        kv_dtype=kv_cache_dtype,
        usable_fraction=share,
        runtime=VLLM if engine in recipes.TENSOR_PARALLEL_ENGINES else LLAMA_CPP,
    )
    try:
        answer = estimate_for(
            variant=variant, options=options, accelerator=profile.accelerator, count=profile.count
        )
    except EstimateInputError as exc:
        raise RecipeInputError(exc.errors) from None
    fit = answer["fits"][0]
    if not fit["fits"]:
        raise RecipeInputError({"profile": _does_not_fit(fit, profile, arch.num_attention_heads)})
    recipe = recipes.build_recipe(
        replace(
            inputs,
            expected_memory_bytes=answer["memory"]["total_bytes"],
            expected_memory_per_gpu_bytes=fit["per_device_bytes"],
        )
    )
    return {
        "engine": recipe.engine,
        "variant": variant.slug,
        "repo_id": variant.hf_repo_id,
        "profile": profile.slug,
        "profile_name": profile.name,
        "gpu_count": profile.count,
        "precision": answer["inputs"]["precision"],
        "kv_cache_dtype": kv_cache_dtype,
        "context_tokens": context_tokens,
        "gpu_memory_utilization": float(share),
        "command": recipe.command,
        "argv": list(recipe.argv),
        "modelfile": recipe.modelfile or None,
        "expected_memory": {
            "total_bytes": recipe.expected_memory_bytes,
            "total_gib": round(bytes_to_gib(recipe.expected_memory_bytes), 2),
            "per_gpu_bytes": recipe.expected_memory_per_gpu_bytes,
            "per_gpu_gib": round(bytes_to_gib(recipe.expected_memory_per_gpu_bytes), 2),
            "usable_per_gpu_bytes": fit["usable_bytes"],
            "usable_per_gpu_gib": round(bytes_to_gib(fit["usable_bytes"]), 2),
            "headroom_bytes": fit["headroom_bytes"],
            "summary": answer["memory"],
            "breakdown": [
                {k: term[k] for k in ("key", "bytes", "explanation")}
                for term in answer["breakdown"]
            ],
        },
        "notes": [translated(note) for note in recipe.notes],
        "assumptions": answer["assumptions"],
        "estimator_version": answer["estimator_version"],
        "recipe_version": recipe.recipe_version,
    }


def _share(value: Fraction | float | str) -> Fraction:
    try:
        share = Fraction(str(value)) if not isinstance(value, Fraction) else value
    except (ValueError, ZeroDivisionError):
        share = Fraction(0)
    if isinstance(value, bool) or not 0 < share <= 1:
        raise RecipeInputError({"gpu_memory_utilization": str(UTILIZATION_OUT_OF_RANGE)})
    return share


def _check_options(
    variant: ModelVariant, precision: str, context_tokens: int, kv_cache_dtype: str
) -> None:
    errors: dict[str, str] = {}
    if precision not in PRECISIONS:
        errors["precision"] = str(UNKNOWN_PRECISION) % {"choices": ", ".join(PRECISIONS)}
    if kv_cache_dtype not in KV_DTYPES:
        errors["kv_cache_dtype"] = str(UNKNOWN_KV_DTYPE) % {"choices": ", ".join(KV_DTYPES)}
    if (
        isinstance(context_tokens, bool)
        or not isinstance(context_tokens, int)
        or not 1 <= context_tokens <= MAX_CONTEXT_TOKENS
    ):
        errors["context_tokens"] = str(CONTEXT_OUT_OF_RANGE) % {"limit": f"{MAX_CONTEXT_TOKENS:,}"}
    else:
        maximum = effective_context_tokens(variant)
        if maximum is not None and context_tokens > maximum:
            # The engines refuse a longer context than the model's (vLLM --max-model-len,
            # SGLang --context-length).
            errors["context_tokens"] = str(CONTEXT_TOO_LONG) % {"limit": f"{maximum:,}"}
    if errors:
        raise RecipeInputError(errors)


def _with_gguf(inputs: recipes.RecipeInputs, variant: ModelVariant) -> recipes.RecipeInputs:
    """``inputs`` with the GGUF file of a recorded copy at the precision's type, when one is."""
    gguf_type = recipes.GGUF_TYPES.get(
        "bf16" if inputs.precision == recipes.NATIVE else inputs.precision
    )
    if gguf_type is None:
        return inputs
    copies = Artifact.objects.filter(variant=variant, format=ArtifactFormat.GGUF).prefetch_related(
        "files"
    )
    for artifact in copies:
        if artifact.quantization.strip().upper().replace("-", "_") != gguf_type:
            continue
        files = [f.path for f in artifact.files.all() if f.path.lower().endswith(".gguf")]
        if not files:
            continue
        repo_id = None
        for prefix in HF_PREFIXES:
            if artifact.uri.startswith(prefix):
                repo_id = "/".join(artifact.uri[len(prefix) :].strip("/").split("/")[:2])
        return replace(
            inputs, gguf_file=sorted(files)[0], gguf_location=artifact.uri, gguf_repo_id=repo_id
        )
    return inputs


def _does_not_fit(fit: dict, profile: HardwareProfile, heads: int) -> str:
    if fit["per_device_bytes"] == 0:  # the estimator's tensor-parallel refusal
        return str(HEADS_NOT_DIVISIBLE) % {
            "count": profile.count,
            "profile": profile.name,
            "heads": heads,
        }
    return str(DOES_NOT_FIT) % {
        "needed": bytes_to_gib(fit["per_device_bytes"]),
        "count": profile.count,
        "profile": profile.name,
        "usable": bytes_to_gib(fit["usable_bytes"]),
    }
