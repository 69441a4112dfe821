"""English and Simplified Chinese ship complete."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.models.families import KV_HEADS_NOT_DIVISOR

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"


def _entries(po_text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file, header excluded."""
    entries, current, key = [], {"msgid": "", "msgstr": ""}, None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, _, value = line.partition(" ")
            current[key] = value.strip('"')
        elif line.startswith('"') and key:
            current[key] += line.strip('"')
        elif not line.strip():
            if current["msgid"]:
                entries.append((current["msgid"], current["msgstr"]))
            current, key = {"msgid": "", "msgstr": ""}, None
    return entries


def test_every_chinese_message_is_translated_and_not_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [msgid for msgid, msgstr in _entries(text) if not msgstr]
    assert untranslated == []


def test_compiled_catalogue_is_up_to_date_with_the_po_file(tmp_path):
    if shutil.which("msgfmt") is None:  # pragma: no cover
        pytest.skip("msgfmt (GNU gettext) is not installed")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes()


def test_messages_render_in_chinese():
    with translation.override("zh-hans"):
        assert "头" in str(KV_HEADS_NOT_DIVISOR)


@pytest.mark.django_db
def test_admin_speaks_chinese_under_the_chinese_prefix(admin_client):
    response = admin_client.get("/zh-hans" + reverse("admin:index").removeprefix("/en"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "模型变体" in page
    assert "许可" in page
