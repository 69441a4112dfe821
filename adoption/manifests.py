"""Manifests: the files a checksum listing names, with their SHA-256 and, when it gives them,
their sizes in bytes.

Pure: the standard library only. A manifest is ``sha256sum`` output (or a ``SHA256SUMS`` file),
a JSON list of files, or a Hugging Face file listing. What is wrong with one is a
:class:`ManifestError` carrying an English template of :data:`MESSAGES` and its parameters;
the service layer (``adoption.services.artifacts``) translates it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adoption.messages import Message, message

# Our limits, not a format's. A sha256sum line is 64 hex digits, two characters and the name
# (https://www.gnu.org/software/coreutils/manual/html_node/md5sum-invocation.html), about
# 100 bytes a file; 2 MiB holds ~20,000 files, far more than a sharded checkpoint's file list.
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_MANIFEST_ENTRIES = 100_000

_HEX64 = re.compile(r"\A[0-9a-fA-F]{64}\Z")
# GNU coreutils sha256sum output: the checksum, a space, a mode character ('*' binary, ' ' text)
# and the file name; a name with a backslash or newline starts the line with '\' and is escaped.
# https://www.gnu.org/software/coreutils/manual/html_node/md5sum-invocation.html
# https://man7.org/linux/man-pages/man1/md5sum.1.html
_SUM_LINE = re.compile(r"\A(?P<escaped>\\?)(?P<sha>\S+) (?P<mode>[ *])?(?P<path>.*)\Z")
# The BSD-style line that `sha256sum --tag` writes: SHA256 (name) = checksum (same pages).
_TAG_LINE = re.compile(r"\ASHA256 \((?P<path>.*)\) = (?P<sha>\S+)\Z")

# English message templates; adoption.services.artifacts holds their translatable copies.
MANIFEST_EMPTY = "The manifest lists no files."
MANIFEST_TOO_LARGE = "The manifest is %(size)s KB; at most %(limit)s KB is accepted."
MANIFEST_TOO_MANY = "The manifest lists more than %(limit)s files."
MANIFEST_NOT_JSON = "This is not valid JSON: %(error)s (line %(line)s, column %(column)s)."
MANIFEST_JSON_SHAPE = (
    'Give a JSON list of {"path", "sha256", "size"} objects, or a Hugging Face file listing '
    'with "siblings".'
)
AT_LINE = "line %(line)s: %(message)s"
AT_ENTRY = "%(where)s: %(message)s"
LINE_NOT_A_CHECKSUM = "expected a SHA-256 checksum, two spaces and a file name"
NOT_HEX_IN_MANIFEST = "the checksum is not 64 hexadecimal digits"
MISSING_PATH = "no file name"
MISSING_SHA256 = "no SHA-256 checksum (a file not stored in LFS has none in this listing)"
PATH_LISTED_TWICE = "'%(path)s' is listed twice"
SIZE_NOT_A_NUMBER = "the size is not a whole number of bytes"

MESSAGES = (
    MANIFEST_EMPTY,
    MANIFEST_TOO_LARGE,
    MANIFEST_TOO_MANY,
    MANIFEST_NOT_JSON,
    MANIFEST_JSON_SHAPE,
    AT_LINE,
    AT_ENTRY,
    LINE_NOT_A_CHECKSUM,
    NOT_HEX_IN_MANIFEST,
    MISSING_PATH,
    MISSING_SHA256,
    PATH_LISTED_TWICE,
    SIZE_NOT_A_NUMBER,
)


class ManifestError(ValueError):
    """What is wrong with a manifest: ``message`` (a template of :data:`MESSAGES`) and where,
    the 1-based ``line`` of a checksum listing or the JSON ``entry`` (``[2].sha256``,
    ``siblings[4].lfs.sha256``); neither when it is the whole manifest. ``text`` is the full
    English sentence (``line 3: the checksum is not 64 hexadecimal digits``)."""

    def __init__(
        self, message: Message, *, line: int | None = None, entry: str | None = None
    ) -> None:
        if line is not None:
            text = AT_LINE % {"line": line, "message": message.text}
        elif entry is not None:
            text = AT_ENTRY % {"where": entry, "message": message.text}
        else:
            text = message.text
        super().__init__(text)
        self.message = message
        self.line = line
        self.entry = entry
        self.text = text


@dataclass(frozen=True)
class ManifestEntry:
    """One file of a manifest: its path relative to the copy, its SHA-256 (lower-case hex) and
    its size in bytes when the manifest gives one."""

    path: str
    sha256: str
    size_bytes: int | None = None


def parse_manifest(
    text: str,
    *,
    max_bytes: int = MAX_MANIFEST_BYTES,
    max_entries: int = MAX_MANIFEST_ENTRIES,
) -> list[ManifestEntry]:
    """The files a manifest lists, in its order.

    Accepts ``sha256sum`` output and ``SHA256SUMS`` / ``*.sha256`` files (``<hex>  <path>``,
    ``<hex> *<path>``, or the ``--tag`` form), a JSON list of ``{"path" | "name" | "filename",
    "sha256", "size" | "size_bytes"}``, or a Hugging Face listing ``{"siblings": [...]}``.
    ``max_bytes`` bounds the UTF-8 size of ``text`` and ``max_entries`` the files it lists.

    Raises :class:`ManifestError` naming the line or JSON entry and what is wrong with it.
    """
    size_bytes = len(text.encode("utf-8"))
    if size_bytes > max_bytes:
        raise ManifestError(
            message(MANIFEST_TOO_LARGE, size=(size_bytes + 1023) // 1024, limit=max_bytes // 1024)
        )
    text = text.removeprefix("\ufeff")
    if text.lstrip()[:1] in ("[", "{"):
        entries = _parse_json(text, max_entries)
    else:
        entries = _parse_sum_lines(text, max_entries)
    if not entries:
        raise ManifestError(message(MANIFEST_EMPTY))
    return entries


def _too_many(max_entries: int) -> ManifestError:
    return ManifestError(message(MANIFEST_TOO_MANY, limit=max_entries))


def _normal_path(path: str) -> str:
    # `sha256sum ./*` writes "./name"; the recorded paths are relative without it.
    while path.startswith("./"):
        path = path[2:]
    return path


def _unescape(name: str) -> str:
    # coreutils escapes '\' as '\\', newline as '\n' and carriage return as '\r'.
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), name)


def _parse_sum_lines(text: str, max_entries: int) -> list[ManifestEntry]:
    entries: list[ManifestEntry] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tag = _TAG_LINE.match(line)
        if tag:
            sha, path = tag["sha"], tag["path"]
        else:
            match = _SUM_LINE.match(line)
            if match is None:
                # One word: a checksum without a name, or not a checksum line at all.
                template = MISSING_PATH if _HEX64.match(line.strip()) else LINE_NOT_A_CHECKSUM
                raise ManifestError(message(template), line=number)
            sha, path = match["sha"], match["path"]
            if match["escaped"]:
                path = _unescape(path)
        if not _HEX64.match(sha):
            raise ManifestError(message(NOT_HEX_IN_MANIFEST), line=number)
        path = _normal_path(path.strip())
        if not path:
            raise ManifestError(message(MISSING_PATH), line=number)
        if path in first_line:
            raise ManifestError(message(PATH_LISTED_TWICE, path=path), line=number)
        first_line[path] = number
        entries.append(ManifestEntry(path=path, sha256=sha.lower()))
        if len(entries) > max_entries:
            raise _too_many(max_entries)
    return entries


def _size_bytes(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ManifestError(message(SIZE_NOT_A_NUMBER), entry=where)
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise ManifestError(message(SIZE_NOT_A_NUMBER), entry=where)
        value = int(value.strip())
    if value < 0:
        raise ManifestError(message(SIZE_NOT_A_NUMBER), entry=where)
    return value


def _first(item: dict, *names: str) -> Any:
    for name in names:
        if item.get(name) is not None:
            return item[name]
    return None


def _parse_json(text: str, max_entries: int) -> list[ManifestEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(
            message(MANIFEST_NOT_JSON, error=exc.msg, line=exc.lineno, column=exc.colno)
        ) from None
    except RecursionError:
        raise ManifestError(message(MANIFEST_JSON_SHAPE)) from None
    # A Hugging Face model listing: GET /api/models/{repo_id}/revision/{revision}?blobs=true
    # (huggingface_hub's model_info(files_metadata=True)) gives "siblings", each with
    # "rfilename" and, for files stored in LFS, "lfs": {"sha256", "size", "pointerSize"}.
    # https://huggingface.co/docs/hub/api
    # https://huggingface.co/docs/huggingface_hub/package_reference/hf_api#huggingface_hub.hf_api.RepoSibling
    hub_listing = isinstance(data, dict) and "siblings" in data
    items = data.get("siblings") if hub_listing else data
    if not isinstance(items, list):
        raise ManifestError(message(MANIFEST_JSON_SHAPE))
    if len(items) > max_entries:
        raise _too_many(max_entries)
    entries: list[ManifestEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"siblings[{index}]" if hub_listing else f"[{index}]"
        if not isinstance(item, dict):
            raise ManifestError(message(MANIFEST_JSON_SHAPE), entry=where)
        if hub_listing:
            path = item.get("rfilename")
            lfs = item.get("lfs")
            if not isinstance(lfs, dict):
                # Small files kept in git carry no SHA-256 in the listing (only a git blob id);
                # they are configs and tokenizers, not weights, and are left out.
                continue
            sha, size_bytes = lfs.get("sha256"), _size_bytes(lfs.get("size"), f"{where}.lfs.size")
            sha_where = f"{where}.lfs.sha256"
        else:
            path = _first(item, "path", "name", "filename")
            sha = item.get("sha256")
            size_bytes = _size_bytes(_first(item, "size_bytes", "size"), f"{where}.size")
            sha_where = f"{where}.sha256"
        if not isinstance(path, str) or not _normal_path(path.strip()):
            raise ManifestError(message(MISSING_PATH), entry=where)
        path = _normal_path(path.strip())
        if sha is None or sha == "":
            raise ManifestError(message(MISSING_SHA256), entry=sha_where)
        if not isinstance(sha, str) or not _HEX64.match(sha.strip()):
            raise ManifestError(message(NOT_HEX_IN_MANIFEST), entry=sha_where)
        if path in seen:
            raise ManifestError(message(PATH_LISTED_TWICE, path=path), entry=where)
        seen.add(path)
        entries.append(ManifestEntry(path=path, sha256=sha.strip().lower(), size_bytes=size_bytes))
    return entries
