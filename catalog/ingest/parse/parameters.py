"""Architecture numbers from config.json and the cross-check of the parameter count against
the Hub's safetensors total, each result explained by one note (rules: the package
docstring)."""

from __future__ import annotations

import re
from typing import Any

from catalog.ingest.parse.checks import (
    _check_json,
    _object,
    _optional_object,
    _shown,
    _text,
    _whole,
)
from catalog.ingest.parse.common import (
    _ARCHITECTURE_TEXT,
    ARCHITECTURE_FIELDS,
    MAX_CONTEXT_TOKENS,
    MAX_PARAMETERS,
    NOT_TEXT,
    TOLERANCE_PER_MILLE,
    TOO_LARGE,
    TOO_MANY_PARAMETERS,
    UNREADABLE,
    WRONG_FORMAT,
    Note,
    ParseError,
)
from estimator import ConfigError, count_parameters, parse_config
from estimator.checkpoint import checkpoint

# The config.json key each string comes from (for error messages).
_CONFIG_KEYS = {
    "architecture_class": "architectures",
    "model_type": "model_type",
    "rope_scaling_type": "rope_scaling",
}


def _architecture(
    config: Any,
) -> tuple[dict[str, Any], Any, Any, list[Note]]:
    """(architecture values, Architecture, ParameterCount, notes) of a config.json; the
    architecture and the count are ``None`` without a usable config."""
    if config is None:
        return {}, None, None, [Note("config_missing", {})]
    config = _object(config, "config")
    _check_json(config, "config")
    try:
        arch = parse_config(config)
        count = count_parameters(arch)
    except ConfigError as exc:
        if exc.field == "model_type" and not isinstance(config.get("model_type"), str | None):
            raise ParseError("config.model_type", NOT_TEXT) from None
        if exc.field == "model_type":
            model_type = config.get("model_type") or ""
            return {}, None, None, [Note("config_unsupported", {"model_type": model_type[:60]})]
        raise ParseError(f"config.{exc.field}" if exc.field else "config", str(exc)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # The estimator names every field it refuses; anything else is a config it cannot read.
        raise ParseError("config", UNREADABLE.format(error=_shown(str(exc)))) from None
    values = {name: value for name, value in arch.as_dict().items() if name in ARCHITECTURE_FIELDS}
    for name, limit in _ARCHITECTURE_TEXT.items():
        values[name] = _text(values[name], f"config.{_CONFIG_KEYS[name]}", limit=limit)
    context = values.get("max_position_embeddings")
    if context is not None and context > MAX_CONTEXT_TOKENS:
        key = next(
            (
                k
                for k in ("max_position_embeddings", "seq_length", "model_max_length")
                if k in config
            ),
            "max_position_embeddings",
        )
        raise ParseError(f"config.{key}", TOO_LARGE.format(value=context, limit=MAX_CONTEXT_TOKENS))
    for total in (count.total, count.total + count.vision + count.mtp):
        if total > MAX_PARAMETERS:
            raise ParseError(
                "config", TOO_MANY_PARAMETERS.format(value=total, limit=MAX_PARAMETERS)
            )
    return values, arch, count, []


# safetensors dtypes whose element counts are not weight counts.
_INTEGER_DTYPES = frozenset({"I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64"})
_LOW_FLOAT_DTYPES = frozenset({"F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4"})
_DTYPE = re.compile(r"^[A-Z0-9_]{1,16}$")


def _safetensors(value: Any) -> tuple[int | None, dict[str, int]]:
    """(total, parameters by dtype) of the Hub's ``safetensors``; (None, {}) when absent."""
    if value is None:
        return None, {}
    data = _object(value, "safetensors")
    parameters: dict[str, int] = {}
    for dtype, count in _optional_object(data.get("parameters"), "safetensors.parameters").items():
        if not _DTYPE.match(dtype):
            raise ParseError(
                "safetensors.parameters",
                WRONG_FORMAT.format(value=_shown(dtype), expected="a dtype"),
            )
        where = f"safetensors.parameters.{dtype}"
        parameters[dtype] = _whole(count, where, limit=MAX_PARAMETERS, positive=False)
    total = data.get("total")
    if total is None:
        total = sum(parameters.values()) if parameters else None
        if total is not None and total > MAX_PARAMETERS:
            raise ParseError(
                "safetensors.parameters", TOO_LARGE.format(value=total, limit=MAX_PARAMETERS)
            )
    else:
        total = _whole(total, "safetensors.total", limit=MAX_PARAMETERS)
    return total or None, parameters


def _close(difference: int, part: int, computed: int) -> bool:
    return abs(difference - part) * 1000 <= computed * TOLERANCE_PER_MILLE


def _percent(difference: int, computed: int) -> float:
    """The difference in percent of the computed count, to three significant digits."""
    return float(f"{difference * 100 / computed:.3g}")


def _cross_check(count: Any, arch: Any, hub: int, dtypes: dict[str, int]) -> Note:
    """The one note that explains the Hub's total against the computed count."""
    computed = count.total
    difference = hub - computed
    pair = {"computed": computed, "hub": hub}
    integer = sorted(_INTEGER_DTYPES.intersection(dtypes))
    if integer:
        return Note("parameters_quantized_checkpoint", {**pair, "dtypes": ", ".join(integer)})
    if difference == 0:
        return Note("parameters_equal", {"total": computed})
    measured = {**pair, "difference": difference}
    held = checkpoint(arch, count)
    if held is not None and held.total == hub and not held.scales:
        if count.vision:
            return Note(
                "parameters_mtp_vision_reconciled",
                {**measured, "mtp": held.mtp, "vision": count.vision},
            )
        return Note("parameters_mtp_reconciled", {**measured, "mtp": held.mtp})
    if held is not None and held.total == hub:
        return Note(
            "parameters_checkpoint_reconciled", {**measured, "scales": held.scales, "mtp": held.mtp}
        )
    if abs(difference) * 1000 <= computed * TOLERANCE_PER_MILLE:
        return Note(
            "parameters_within_tolerance",
            {**measured, "percent": _percent(difference, computed)},
        )
    embedding = arch.vocab_size * arch.hidden_size
    if _close(abs(difference), embedding, computed):
        return Note("parameters_tied_embeddings", {**measured, "embedding": embedding})
    if count.vision and _close(difference, count.vision, computed):
        return Note("parameters_vision_tower", {**measured, "vision": count.vision})
    if count.mtp and _close(difference, count.mtp, computed):
        return Note("parameters_mtp_layers", {**measured, "mtp": count.mtp})
    low = sorted(_LOW_FLOAT_DTYPES.intersection(dtypes))
    if low:
        return Note("parameters_quantized_checkpoint", {**pair, "dtypes": ", ".join(low)})
    return Note("parameters_unexplained", {**measured, "percent": _percent(difference, computed)})


def _parameters(
    count: Any, arch: Any, hub: int | None, dtypes: dict[str, int]
) -> tuple[dict[str, int], Note]:
    """The proposed parameter values and the note that says where they come from."""
    if count is not None:
        values = {"total_parameters": count.total}
        if arch.is_moe:
            values["active_parameters"] = count.active
        if hub is None:
            return values, Note("parameters_config_only", {"computed": count.total})
        return values, _cross_check(count, arch, hub, dtypes)
    if hub is None:
        return {}, Note("parameters_unknown", {"reason": "no_config_or_safetensors"})
    integer = sorted(_INTEGER_DTYPES.intersection(dtypes))
    if integer:
        params = {"reason": "quantized_checkpoint", "hub": hub, "dtypes": ", ".join(integer)}
        return {}, Note("parameters_unknown", params)
    return {"total_parameters": hub}, Note("parameters_from_safetensors", {"hub": hub})
