"""The pure manifest parser: it imports the standard library only, and every message it can
give has a translatable copy in the service layer that users see."""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from pathlib import Path

import pytest
from django.utils import translation

from adoption import manifests, messages
from adoption.manifests import ManifestEntry, ManifestError, parse_manifest
from adoption.services import artifacts as svc

SHA = hashlib.sha256(b"shard one").hexdigest()


def test_the_manifest_core_imports_the_standard_library_only():
    # The parser and the shared message it builds on (adoption/messages.py).
    allowed_own = {"adoption.messages"}
    for path in (Path(manifests.__file__), Path(messages.__file__)):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert imported, f"the parse found no imports in {path.name}"
        outside = {
            name
            for name in imported
            if name not in allowed_own and name.split(".")[0] not in sys.stdlib_module_names
        }
        assert not outside, (path.name, outside)


def test_every_message_of_the_core_is_listed_for_translation():
    # Messages are the upper-case string constants with a space (patterns and names have none).
    constants = {
        value
        for name, value in vars(manifests).items()
        if name.isupper() and isinstance(value, str) and " " in value
    }
    assert constants == set(manifests.MESSAGES)


def test_the_service_translates_every_message_of_the_core_from_the_same_english_text():
    assert set(svc.MESSAGES) == set(manifests.MESSAGES)
    with translation.override("en"):
        for template, translated in svc.MESSAGES.items():
            assert str(translated) == template


def test_a_bad_line_is_an_error_naming_the_line_in_english():
    with pytest.raises(ManifestError) as caught:
        parse_manifest(f"{SHA}  a\nnot-hex  b\n")

    assert caught.value.line == 2
    assert caught.value.entry is None
    assert caught.value.message.template == manifests.NOT_HEX_IN_MANIFEST
    assert caught.value.text == "line 2: the checksum is not 64 hexadecimal digits"


def test_a_bad_json_entry_is_an_error_naming_the_entry_and_its_parameters():
    with pytest.raises(ManifestError) as caught:
        parse_manifest(json.dumps([{"path": "a", "sha256": SHA}, {"path": "./a", "sha256": SHA}]))

    assert caught.value.entry == "[1]"
    assert caught.value.message.params == (("path", "a"),)
    assert str(caught.value) == "[1]: 'a' is listed twice"


def test_the_limits_are_parameters_of_the_parse():
    text = "".join(f"{SHA}  f{i}\n" for i in range(3))

    assert len(parse_manifest(text)) == 3
    with pytest.raises(ManifestError) as too_many:
        parse_manifest(text, max_entries=2)
    with pytest.raises(ManifestError) as too_large:
        parse_manifest(text, max_bytes=100)

    assert too_many.value.text == "The manifest lists more than 2 files."
    assert too_large.value.text == "The manifest is 1 KB; at most 0 KB is accepted."


def test_a_byte_order_mark_and_leading_dot_slash_are_dropped():
    assert parse_manifest(f"\ufeff{SHA} *./dir/a.gguf\n") == [ManifestEntry("dir/a.gguf", SHA)]


def test_an_entry_is_a_frozen_value():
    entry = ManifestEntry("a", SHA, 10)

    with pytest.raises(AttributeError):
        entry.size_bytes = 11  # type: ignore[misc]
