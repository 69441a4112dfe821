"""The realistic decode estimate against published measurements: estimate, measured, ratio.

    python bench/decode_calibration.py          # the Markdown table for docs/estimator.md
    python bench/decode_calibration.py --fit    # search the constants of estimator/speed.py

Reads bench/data/decode_measurements.yaml (each row sourced), the catalog files (the variant's
architecture) and hardware/data/accelerators.yaml (bandwidth, vendor, form); no database.
A decode step of llama-bench's tgN reads the weights and the KV cache of N/2 tokens on average.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estimator import architecture_from_numbers, count_parameters, parse_config  # noqa: E402
from estimator.memory import inference_memory  # noqa: E402
from estimator.speed import (  # noqa: E402
    LLAMA_CPP_CUDA,
    LLAMA_CPP_METAL,
    DecodeCalibration,
    calibration_for,
)

MEASUREMENTS = ROOT / "bench" / "data" / "decode_measurements.yaml"


@dataclass(frozen=True)
class Row:
    measurement: dict
    step_bytes: int
    bandwidth: float
    devices: int
    calibration: DecodeCalibration

    def estimate(self, calibration: DecodeCalibration | None = None) -> float:
        used = calibration or self.calibration
        return 1 / used.seconds_per_token(self.step_bytes, self.bandwidth, self.devices)

    @property
    def measured(self) -> float:
        return float(self.measurement["tokens_per_s"])


def _variants() -> dict[str, dict]:
    variants = {}
    for path in sorted((ROOT / "catalog" / "data" / "families").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text("utf-8")).get("variants", []):
            variants[entry["slug"]] = entry
    return variants


def rows() -> list[Row]:
    """Every measurement with what the estimator needs to estimate it."""
    accelerators = {
        a["slug"]: a
        for a in yaml.safe_load((ROOT / "hardware/data/accelerators.yaml").read_text("utf-8"))[
            "accelerators"
        ]
    }
    variants = _variants()
    result = []
    for measurement in yaml.safe_load(MEASUREMENTS.read_text("utf-8")):
        entry = variants[measurement["variant"]]
        arch = (
            parse_config(entry["config"])
            if entry.get("config")
            else architecture_from_numbers(entry["architecture"])
        )
        generated = int(measurement["test"].removeprefix("tg"))
        memory = inference_memory(
            arch,
            count_parameters(arch),
            precision=measurement["precision"],
            context_tokens=max(1, generated // 2),
        )
        accelerator = accelerators[measurement["accelerator"]]
        calibration = calibration_for(accelerator["vendor"], accelerator["form"])
        assert calibration is not None, measurement["accelerator"]
        result.append(
            Row(
                measurement,
                memory.active_weights_bytes
                + memory.kv_bytes_per_sequence
                + memory.fixed_state_bytes_per_sequence,
                accelerator["memory_bandwidth_gbps"] * 1e9,
                measurement["count"],
                calibration,
            )
        )
    return result


def summary(selected: list[Row]) -> dict[str, float]:
    ratios = [row.estimate() / row.measured for row in selected]
    return {
        "measurements": len(ratios),
        "median_error": statistics.median(abs(r - 1) for r in ratios),
        "worst_factor": max(max(ratios), 1 / min(ratios)),
    }


def _fit(selected: list[Row], base: DecodeCalibration) -> DecodeCalibration:
    best: tuple[float, DecodeCalibration] | None = None
    ceilings = [None, *(x * 1e11 for x in range(7, 16))]
    for fraction in (x / 100 for x in range(40, 101, 2)):
        for per_token in (x / 10000 for x in range(0, 80, 2)):
            for hop in (x / 10000 for x in range(0, 40, 4)):
                for ceiling in ceilings:
                    trial = replace(
                        base,
                        bandwidth_fraction=fraction,
                        per_token_seconds=per_token,
                        per_extra_device_seconds=hop,
                        bandwidth_ceiling=ceiling,
                    )
                    errors = [abs(math.log(r.estimate(trial) / r.measured)) for r in selected]
                    score = statistics.median(errors) + 0.3 * max(errors)
                    if best is None or score < best[0]:
                        best = (score, trial)
    assert best is not None
    return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="search the constants")
    args = parser.parse_args()
    every = rows()
    if args.fit:
        for base in (LLAMA_CPP_CUDA, LLAMA_CPP_METAL):
            selected = [r for r in every if r.calibration is base]
            print(len(selected), _fit(selected, base))
        return
    print(
        "| model | precision | accelerator | GPUs | test | estimate | measured | ratio | source |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in every:
        m = row.measurement
        print(
            f"| {m['variant']} | {m['precision']} | {m['accelerator']} | {m['count']} | "
            f"{m['test']} | {row.estimate():.1f} | {row.measured:.1f} | "
            f"{row.estimate() / row.measured:.2f} | [{m['source'].split('/')[4]}]({m['source']}) |"
        )
    overall = summary(every)
    print(
        f"\n{overall['measurements']} measurements: median error "
        f"{overall['median_error']:.1%}, worst {overall['worst_factor']:.2f}×"
    )


if __name__ == "__main__":
    main()
