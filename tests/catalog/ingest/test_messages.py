"""Every note the parser can emit has words in every language, and they format."""

import pytest
from django.utils import translation

from catalog.ingest.messages import NOTE_MESSAGES, REASONS, note_message
from catalog.ingest.parse import NOTE_CODES
from tests.catalog.ingest.test_parse import HUB_CASES, _config, _hub

# Params of the codes no Hub fixture produces.
EXTRA_NOTES = [
    {"code": "parameters_unknown", "params": {"reason": reason}} for reason in REASONS
] + [
    {"code": "config_missing", "params": {}},
    {"code": "config_unsupported", "params": {"model_type": "rwkv"}},
    {"code": "license_other_unnamed", "params": {}},
    {"code": "lineage_parent_unrecognised", "params": {"parent": "a fine model"}},
    {"code": "parameters_from_safetensors", "params": {"hub": 7_000_000_000}},
    {"code": "parameters_config_only", "params": {"computed": 7_000_000_000}},
    {
        "code": "model_index_unreadable",
        "params": {"field": "cardData.model-index", "message": "must be a list"},
    },
    {"code": "model_index_truncated", "params": {"limit": 500}},
]


def test_every_note_code_has_a_message():
    assert set(NOTE_CODES) == set(NOTE_MESSAGES)


def _emitted_notes() -> list[dict]:
    from catalog.ingest.parse import parse_hf_release

    notes = list(EXTRA_NOTES)
    for info, config, *_ in HUB_CASES:
        facts = parse_hf_release(_hub(info), _config(config))
        notes += [{"code": note.code, "params": note.params} for note in facts.notes]
    return notes


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_emitted_note_formats_with_its_numbers(language):
    with translation.override(language):
        for note in _emitted_notes():
            message = note_message(note)
            assert "%(" not in message
            assert not message.startswith(note["code"]), message


def test_numbers_are_grouped_for_reading():
    note = {"code": "parameters_equal", "params": {"total": 7615616512}}
    assert "7,615,616,512" in note_message(note)
