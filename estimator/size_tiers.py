"""The seed's sizing table beside what the estimator computes for the same parameter count.

The seed gives ranges such as "20-24GB (单卡)". For a tier of N billion parameters we compute
the weight-bound figures (no KV cache or activations) the seed's columns describe, and flag a
seed range the computed figure falls outside of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from core.lib.units import GB  # the seed's "GB" figures are decimal
from estimator.memory import GRADIENT_BYTES, OPTIMIZER_BYTES, WEIGHT_BYTES_16
from estimator.precision import INT4_GROUP, NF4

OPEN_RANGE_SLACK = Fraction(3, 2)
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*(GB|TB)(\+)?", re.IGNORECASE)


@dataclass(frozen=True)
class TierFigure:
    key: str
    label: str
    computed_bytes: int
    seed_text: str
    seed_low_bytes: int | None
    seed_high_bytes: int | None
    explanation: str

    @property
    def disagrees(self) -> bool:
        """Whether the seed's cell cannot hold the computed figure.

        Computed figures are lower bounds (weights and optimizer states, before KV cache,
        activations and runtime overhead): a closed range disagrees when its upper end leaves
        no room above them; an open "X+" range when X understates them by more than half.
        """
        if self.seed_low_bytes is None:
            return False
        if self.seed_high_bytes is None:
            return self.computed_bytes > OPEN_RANGE_SLACK * self.seed_low_bytes
        return self.computed_bytes >= self.seed_high_bytes


def parse_seed_range(text: str) -> tuple[int | None, int | None]:
    """ "20-24GB (单卡)" → (20 GB, 24 GB); "400GB+" → (400 GB, None); no figure → (None, None)."""
    match = _RANGE.search(text or "")
    if not match:
        return None, None
    unit = GB * (1000 if match.group(3).upper() == "TB" else 1)
    low = int(Fraction(match.group(1)) * unit)
    if match.group(4):
        return low, None
    high = int(Fraction(match.group(2)) * unit) if match.group(2) else low
    return low, high


def tier_figures(
    parameters_billion: Fraction | float | str, *, training_memory: str, inference_memory: str
) -> list[TierFigure]:
    """Computed figures for a tier, each beside the seed's cell it corresponds to."""
    params = Fraction(str(parameters_billion)) * 10**9
    full = params * (WEIGHT_BYTES_16 + GRADIENT_BYTES + OPTIMIZER_BYTES)
    lora = params * WEIGHT_BYTES_16
    qlora = params * NF4 / 8
    fp16 = params * 2
    int4 = params * INT4_GROUP / 8
    train_low, train_high = parse_seed_range(training_memory)
    infer_low, infer_high = parse_seed_range(inference_memory)
    return [
        TierFigure(
            "full_finetune",
            "Full fine-tune (AdamW, mixed precision)",
            int(full),
            training_memory,
            train_low,
            train_high,
            "16 bytes per parameter before activations (ZeRO arXiv 1910.02054)",
        ),
        TierFigure(
            "lora",
            "LoRA (16-bit frozen base)",
            int(lora),
            training_memory,
            None,
            None,
            "2 bytes per parameter for the frozen weights, plus adapters and activations",
        ),
        TierFigure(
            "qlora",
            "QLoRA (NF4 frozen base)",
            int(qlora),
            training_memory,
            None,
            None,
            "4.127 bits per parameter (QLoRA arXiv 2305.14314), plus adapters",
        ),
        TierFigure(
            "inference_fp16",
            "Inference weights at FP16",
            int(fp16),
            inference_memory,
            infer_low,
            infer_high,
            "2 bytes per parameter, before KV cache, activations and runtime overhead",
        ),
        TierFigure(
            "inference_int4",
            "Inference weights at INT4 (GPTQ/AWQ g128)",
            int(int4),
            inference_memory,
            None,
            None,
            "4.156 bits per parameter",
        ),
    ]
