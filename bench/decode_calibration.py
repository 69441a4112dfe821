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
    LLAMA_CPP,
    LLAMA_CPP_CUDA,
    LLAMA_CPP_METAL,
    VLLM,
    VLLM_CUDA,
    DecodeCalibration,
    PrefillCalibration,
    calibration_for,
    prefill_calibration_for,
    prefill_flops,
)

MEASUREMENTS = ROOT / "bench" / "data" / "decode_measurements.yaml"


@dataclass(frozen=True)
class Row:
    measurement: dict
    step_bytes: int
    bandwidth: float
    devices: int
    calibration: DecodeCalibration
    syncs: int = 0  # all-reduces of one token under tensor parallelism
    prefill_flops: int = 0  # the prompt of the row's ppN test
    dense_flops: float = 0.0  # one accelerator's dense 16-bit throughput (0: not published)
    prefill: PrefillCalibration | None = None

    def estimate(self, calibration: DecodeCalibration | None = None) -> float:
        used = calibration or self.calibration
        return 1 / used.seconds_per_token(self.step_bytes, self.bandwidth, self.devices, self.syncs)

    @property
    def measured(self) -> float:
        return float(self.measurement["tokens_per_s"])

    @property
    def prefill_tokens(self) -> int:
        return int(self.measurement["prefill_test"].removeprefix("pp"))

    def prefill_estimate(self, calibration: PrefillCalibration | None = None) -> float:
        """Prompt tokens per second as llama-bench's ppN prints it: N / time to prefill."""
        used = calibration or self.prefill
        assert used is not None
        return self.prefill_tokens / used.seconds(self.prefill_flops, self.dense_flops)

    @property
    def prefill_measured(self) -> float:
        return float(self.measurement["prefill_tokens_per_s"])


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
        test = measurement["test"]
        # llama-bench's tgN decodes N tokens from an empty context: N/2 cached on average;
        # other tests state the tokens cached.
        cached = (
            int(test.removeprefix("tg")) // 2
            if test.startswith("tg")
            else int(measurement["cache_tokens"])
        )
        params = count_parameters(arch)
        memory = inference_memory(
            arch,
            params,
            precision=measurement["precision"],
            context_tokens=max(1, cached),
        )
        accelerator = accelerators[measurement["accelerator"]]
        runtime = VLLM if measurement["runtime"].startswith("vLLM") else LLAMA_CPP
        calibration = calibration_for(accelerator["vendor"], accelerator["form"], runtime)
        assert calibration is not None, measurement["accelerator"]
        prompt = int(measurement.get("prefill_test", "pp0").removeprefix("pp"))
        dense = float(accelerator.get("bf16_dense_tflops") or 0) * 1e12
        result.append(
            Row(
                measurement,
                memory.active_weights_bytes
                + memory.kv_bytes_per_sequence
                + memory.fixed_state_bytes_per_sequence,
                accelerator["memory_bandwidth_gbps"] * 1e9,
                measurement["count"],
                calibration,
                arch.num_layers * (1 if arch.structure.separate_blocks else 2),
                prefill_flops(arch, params, prompt) if prompt else 0,
                dense,
                prefill_calibration_for(accelerator["vendor"], accelerator["form"])
                if prompt and dense
                else None,
            )
        )
    return result


def _source_name(url: str) -> str:
    """A GitHub repository's name, else the site's."""
    parts = url.split("/")
    return parts[4] if "github.com" in url and len(parts) > 4 else parts[2]


def summary(selected: list[Row]) -> dict[str, float]:
    """Decode: how many measurements, the median miss and the worst factor."""
    return _errors([row.estimate() / row.measured for row in selected])


def _errors(ratios: list[float]) -> dict[str, float]:
    return {
        "measurements": len(ratios),
        "median_error": statistics.median(abs(r - 1) for r in ratios),
        "worst_factor": max(max(ratios), 1 / min(ratios)),
    }


def _best(selected: list[Row], trials) -> DecodeCalibration:
    """The trial with the least median log error plus 0.3 × the worst."""

    def score(trial: DecodeCalibration) -> float:
        errors = [abs(math.log(r.estimate(trial) / r.measured)) for r in selected]
        return statistics.median(errors) + 0.3 * max(errors)

    return min(trials, key=score)


def _fit(selected: list[Row], base: DecodeCalibration) -> DecodeCalibration:
    """Search the constants of ``base``'s form: a grid over each."""
    fractions = [x / 100 for x in range(40, 101, 2)]
    if base.tensor_parallel:
        return _best(
            selected,
            (
                replace(base, bandwidth_fraction=f, per_token_seconds=t, per_sync_seconds=sync)
                for f in fractions
                for t in (x / 10000 for x in range(0, 60, 2))
                for sync in (x / 1_000_000 for x in range(0, 100, 2))
            ),
        )
    return _best(
        selected,
        (
            replace(
                base,
                bandwidth_fraction=f,
                per_token_seconds=t,
                per_extra_device_seconds=hop,
                bandwidth_ceiling=ceiling,
            )
            for f in fractions
            for t in (x / 10000 for x in range(0, 80, 2))
            for hop in (x / 10000 for x in range(0, 40, 4))
            for ceiling in (None, *(x * 1e11 for x in range(7, 16)))
        ),
    )


def prefill_summary(selected: list[Row]) -> dict[str, float]:
    """Prefill: the same figures for the ppN rows."""
    return _errors([row.prefill_estimate() / row.prefill_measured for row in selected])


def _fit_prefill(selected: list[Row], base: PrefillCalibration) -> PrefillCalibration:
    """The efficiency and ceiling with the least median log error."""

    def score(trial: PrefillCalibration) -> float:
        return statistics.median(
            abs(math.log(r.prefill_estimate(trial) / r.prefill_measured)) for r in selected
        )

    trials = [
        replace(base, efficiency=x / 100, ceiling=ceiling, measurements=len(selected))
        for x in range(5, 101)
        for ceiling in (None, *(y * 1e13 for y in range(4, 31)))
    ]
    return min(trials, key=score)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="search the constants")
    args = parser.parse_args()
    every = rows()
    if args.fit:
        for base in (LLAMA_CPP_CUDA, LLAMA_CPP_METAL, VLLM_CUDA):
            selected = [r for r in every if r.calibration is base]
            print(len(selected), _fit(selected, base))
        prefilled = [r for r in every if r.prefill is not None]
        print(len(prefilled), _fit_prefill(prefilled, prefilled[0].prefill))
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
            f"{row.estimate() / row.measured:.2f} | [{_source_name(m['source'])}]({m['source']}) |"
        )
    overall = summary(every)
    print(
        f"\n{overall['measurements']} measurements: median error "
        f"{overall['median_error']:.1%}, worst {overall['worst_factor']:.2f}×"
    )
    print("\nTime to first token (prefill of the ppN prompt), as prompt tokens per second:\n")
    print("| model | precision | accelerator | GPUs | test | estimate | measured | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    prefilled = [r for r in every if r.prefill is not None]
    for row in prefilled:
        m = row.measurement
        print(
            f"| {m['variant']} | {m['precision']} | {m['accelerator']} | {m['count']} | "
            f"{m['prefill_test']} | {row.prefill_estimate():.0f} | {row.prefill_measured:.0f} | "
            f"{row.prefill_estimate() / row.prefill_measured:.2f} |"
        )
    overall = prefill_summary(prefilled)
    print(
        f"\n{overall['measurements']} measurements: median error "
        f"{overall['median_error']:.1%}, worst {overall['worst_factor']:.2f}×"
    )


if __name__ == "__main__":
    main()
