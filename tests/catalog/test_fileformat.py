"""The catalog file format module: plain data any layer may import."""

import ast
import sys
from pathlib import Path

from catalog import fileformat


def test_file_format_imports_only_the_standard_library():
    tree = ast.parse(Path(fileformat.__file__).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top == "__future__", name


def test_every_reference_names_a_kind_that_loads_before_it_or_is_deferred():
    order = list(fileformat.KINDS)
    for position, kind in enumerate(fileformat.KINDS.values()):
        for field_name, reference in kind.references.items():
            target, _ = fileformat.REFERENCE_KINDS[reference]
            assert order.index(target) < position or field_name in kind.deferred, (
                kind.key,
                field_name,
            )
