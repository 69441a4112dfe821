"""The units module: exact conversions, and pure (the estimator imports it)."""

import ast
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from core.lib import units

ROOT = Path(__file__).resolve().parents[2]


def test_core_lib_imports_only_the_standard_library_and_itself():
    modules = sorted((ROOT / "core/lib").rglob("*.py"))
    assert ROOT / "core/lib/units.py" in modules
    for module in modules:
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = top in sys.stdlib_module_names or name.startswith("core.lib.")
                assert allowed, f"{module.relative_to(ROOT)} imports {name}"


def test_a_gibibyte_is_binary_and_a_gigabyte_decimal():
    assert units.GIB == 1_073_741_824
    assert units.GB == 1_000_000_000


def test_gib_to_bytes_is_exact_for_decimal_sizes():
    assert units.gib_to_bytes(Decimal("80.00")) == 80 * units.GIB
    assert units.gib_to_bytes(Decimal("0.5")) == units.GIB // 2
    assert units.gib_to_bytes(Fraction(1, 3)) == units.GIB // 3
    assert units.gib_to_bytes(24) == 24 * units.GIB


def test_bytes_to_gib_and_gb_divide_by_their_unit():
    assert units.bytes_to_gib(16 * units.GIB) == 16.0
    assert units.bytes_to_gb(7 * units.GB) == 7.0
    assert units.bytes_to_gib(units.GB) < units.bytes_to_gb(units.GB)
