"""A variant's architecture as the estimator reads it: its published config.json with the
curated numbers taking precedence, else the curated numbers alone.

A fact about the variant, not about hardware: the variant page draws its memory from it, and
the hardware app estimates, ranks and recommends with it (hardware/ranking.py,
hardware/services.py).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from estimator import Architecture, ConfigError, architecture_from_numbers, parse_config

if TYPE_CHECKING:
    from catalog.models import ModelVariant

# The numbers the estimator cannot do without when there is no config.json to read.
REQUIRED_NUMBERS = (
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "intermediate_size",
    "vocab_size",
)


def variant_architecture(variant: ModelVariant) -> Architecture | None:
    """The variant's architecture: its config.json when there is one, with the curated numbers
    taking precedence; ``None`` when neither gives the numbers the estimator needs."""
    numbers = {f: getattr(variant, f) for f in ARCHITECTURE_FIELDS}
    if variant.config:
        try:
            parsed = parse_config(variant.config)
        except ConfigError:
            parsed = None
        if parsed is not None:
            curated = {k: v for k, v in numbers.items() if v not in (None, "")}
            curated.pop("model_type", None)
            return dataclasses.replace(parsed, **curated)
    if any(numbers[f] is None for f in REQUIRED_NUMBERS):
        return None
    try:
        return architecture_from_numbers(numbers)
    except ConfigError:
        return None
