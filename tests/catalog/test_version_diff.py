"""The version diff: pure code, no database."""

import ast
import sys
from pathlib import Path

from catalog import version_diff
from catalog.version_diff import Status, diff_field, diff_versions


def test_the_module_imports_only_the_standard_library():
    tree = ast.parse(Path(version_diff.__file__).read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names, name


def test_a_changed_scalar_keeps_old_and_new():
    change = diff_field("max_context_tokens", 32768, 131072)
    assert change.status is Status.CHANGED
    assert change.removed == (32768,)
    assert change.added == (131072,)
    assert change.kept == ()
    assert not change.is_collection
    assert change.changed


def test_an_equal_scalar_is_the_same():
    change = diff_field("tokenizer", "BPE", "BPE")
    assert change.status is Status.SAME
    assert not change.changed


def test_a_scalar_recorded_only_now_is_added_and_one_dropped_is_removed():
    assert diff_field("training_tokens", None, 18 * 10**12).status is Status.ADDED
    assert diff_field("training_tokens", None, 18 * 10**12).removed == ()
    dropped = diff_field("tokenizer", "BPE", "")
    assert dropped.status is Status.REMOVED
    assert dropped.removed == ("BPE",)
    assert dropped.added == ()


def test_false_is_a_value_not_an_absence():
    change = diff_field("moe", True, False)
    assert change.status is Status.CHANGED
    assert change.removed == (True,)
    assert change.added == (False,)


def test_collections_are_compared_item_by_item_in_the_callers_order():
    change = diff_field("sizes", [500, 1500, 7000, 57000, 72000], [500, 1500, 3000, 7000, 72000])
    assert change.is_collection
    assert change.status is Status.CHANGED
    assert change.removed == (57000,)
    assert change.added == (3000,)
    assert change.kept == (500, 1500, 7000, 72000)


def test_a_collection_that_only_grew_is_added_and_one_that_only_shrank_is_removed():
    assert diff_field("languages", ["en"], ["en", "zh"]).status is Status.ADDED
    assert diff_field("languages", ["en", "zh"], ["zh"]).status is Status.REMOVED
    assert diff_field("languages", ["zh", "en"], ["en", "zh"]).status is Status.SAME


def test_duplicates_count_once():
    change = diff_field("sizes", [7, 7, 13], [7, 13, 13])
    assert change.status is Status.SAME
    assert change.kept == (7, 13)


def test_a_collection_against_nothing():
    change = diff_field("features", None, ["gqa", "rope"])
    assert change.status is Status.ADDED
    assert change.added == ("gqa", "rope")
    assert change.is_collection


def test_fields_empty_on_both_sides_are_left_out():
    assert diff_field("vocab_size", None, None) is None
    assert diff_field("languages", [], ()) is None


def test_diff_versions_follows_the_current_versions_keys_then_the_previous_ones():
    previous = {"training_tokens": 7, "tokenizer": "BPE", "paper": "x"}
    current = {"max_context_tokens": 131072, "training_tokens": 18, "tokenizer": "BPE"}
    changes = diff_versions(previous, current)
    keys = [c.key for c in changes]
    assert keys == ["max_context_tokens", "training_tokens", "tokenizer", "paper"]
    by_key = {c.key: c for c in changes}
    assert by_key["max_context_tokens"].status is Status.ADDED
    assert by_key["training_tokens"].status is Status.CHANGED
    assert by_key["tokenizer"].status is Status.SAME
    assert by_key["paper"].status is Status.REMOVED


def test_hashable_objects_are_compared_as_they_are():
    first, second, third = object(), object(), object()
    change = diff_field("features", [first, second], [second, third])
    assert change.removed == (first,)
    assert change.added == (third,)
    assert change.kept == (second,)
