"""English and Simplified Chinese ship complete."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from catalog.models.variants import KV_HEADS_NOT_DIVISOR

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"


def _entries(po_text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file, header excluded."""
    entries, current, key = [], {"msgid": "", "msgstr": ""}, None
    for line in [*po_text.splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgstr[0] ")):
            # Chinese has one plural form: msgstr[0] is the whole translation.
            key, _, value = line.partition(" ")
            key = "msgstr" if key.startswith("msgstr") else key
            current[key] = value.strip('"')
        elif line.startswith(("msgid_plural ", "msgstr[")):
            key = None
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


def test_catalogue_holds_every_translatable_string_of_the_code(tmp_path):
    """`make messages` on the current code adds nothing untranslated: every string in a template
    or in Python has its Chinese translation committed."""
    if shutil.which("msgmerge") is None:  # pragma: no cover
        pytest.skip("GNU gettext is not installed")
    skip = {".venv", "staticfiles", "test-artifacts", ".pgdata", ".git", "tests", "bench"}
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in skip or not path.is_file():
            continue
        if path.suffix in {".py", ".html", ".txt"} or relative.parts[0] == "locale":
            target = tmp_path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    text = (tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    fuzzy = [
        block.split("msgid ", 1)[-1][:80] for block in text.split("\n\n") if "#, fuzzy" in block
    ]
    untranslated = [msgid for msgid, msgstr in _entries(text) if not msgstr]
    # `make messages` would add these; translate them in locale/zh_Hans/LC_MESSAGES/django.po.
    assert fuzzy == []
    assert untranslated == []
