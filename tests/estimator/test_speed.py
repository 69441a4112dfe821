"""The realistic decode estimate against published measurements (estimator/speed.py;
bench/decode_calibration.py prints the table that docs/estimator.md keeps)."""

import importlib.util
import sys
from pathlib import Path

import pytest

from estimator.speed import LLAMA_CPP_CUDA, LLAMA_CPP_METAL, calibration_for

BENCH = Path(__file__).resolve().parents[2] / "bench" / "decode_calibration.py"


@pytest.fixture(scope="module")
def calibration():
    spec = importlib.util.spec_from_file_location("decode_calibration", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_estimate_meets_the_published_measurements(calibration):
    """The issue's bar: at least 20 cited measurements, a median miss of at most 20 % and
    none missed by more than 2x."""
    rows = calibration.rows()
    assert all(row.measurement["source"].startswith("https://") for row in rows)
    result = calibration.summary(rows)
    assert result["measurements"] >= 20
    assert result["median_error"] <= 0.20
    assert result["worst_factor"] <= 2


def test_each_runtime_meets_the_bar_on_its_own(calibration):
    rows = calibration.rows()
    for runtime in (LLAMA_CPP_CUDA, LLAMA_CPP_METAL):
        mine = [row for row in rows if row.calibration is runtime]
        assert len(mine) == runtime.measurements
        assert calibration.summary(mine)["worst_factor"] <= 2


@pytest.mark.parametrize(
    ("vendor", "form", "expected"),
    [
        ("NVIDIA", "consumer", LLAMA_CPP_CUDA),
        ("NVIDIA", "datacenter", LLAMA_CPP_CUDA),
        ("Apple", "unified_memory", LLAMA_CPP_METAL),
        ("AMD", "datacenter", None),
        ("Intel", "cpu", None),
    ],
)
def test_only_measured_runtimes_are_calibrated(vendor, form, expected):
    assert calibration_for(vendor, form) is expected
