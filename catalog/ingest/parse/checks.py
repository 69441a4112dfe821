"""Checked readers: each returns the value or raises ParseError naming ``where``."""

from __future__ import annotations

import datetime
import json
import math
import re
import reprlib
from collections.abc import Mapping
from typing import Any

from catalog.ingest.parse.common import (
    EMPTY,
    HAS_NUL,
    HAS_SURROGATE,
    MAX_JSON_DEPTH,
    MAX_JSON_INTEGER,
    MAX_JSON_STRING_CHARS,
    MAX_REPO_ID_CHARS,
    MAX_SLUG_CHARS,
    MAX_TAGS,
    MAX_TEXT_CHARS,
    MISSING,
    NEGATIVE,
    NOT_A_CHOICE,
    NOT_A_DATE,
    NOT_A_DATETIME,
    NOT_A_LIST,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_OBJECT,
    NOT_BOOLEAN,
    NOT_JSON,
    NOT_JSON_VALUE,
    NOT_POSITIVE,
    NOT_REPO_ID,
    NOT_SLUG,
    NOT_TEXT,
    TOO_DEEP,
    TOO_LARGE,
    TOO_LONG,
    TOO_MANY,
    ParseError,
)

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60
_SHORT.maxlist = _SHORT.maxdict = 4
_SHORT.maxlevel = 2


def _shown(value: Any) -> str:
    """``value`` as a message quotes it: short however large or deep."""
    return _SHORT.repr(value)


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(where, NOT_AN_OBJECT)
    return value


def _optional_object(value: Any, where: str) -> Mapping[str, Any]:
    return {} if value is None else _object(value, where)


def _list(value: Any, where: str, *, limit: int = MAX_TAGS) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(where, NOT_A_LIST)
    if len(value) > limit:
        raise ParseError(where, TOO_MANY.format(count=len(value), limit=limit))
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any, where: str, *, limit: int = MAX_TEXT_CHARS, required: bool = False) -> str:
    """The string ``value`` ("" when absent and not ``required``)."""
    if value is None:
        if required:
            raise ParseError(where, MISSING)
        return ""
    if not isinstance(value, str):
        raise ParseError(where, NOT_TEXT)
    if "\x00" in value:
        raise ParseError(where, HAS_NUL)
    if _SURROGATE.search(value):
        raise ParseError(where, HAS_SURROGATE)
    if len(value) > limit:
        raise ParseError(where, TOO_LONG.format(length=len(value), limit=limit))
    if required and not value.strip():
        raise ParseError(where, EMPTY)
    return value


def _bool(value: Any, where: str, *, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ParseError(where, NOT_BOOLEAN)
    return value


def _whole(value: Any, where: str, *, limit: int, positive: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(where, NOT_A_WHOLE_NUMBER.format(value=_shown(value)))
    if positive and value <= 0:
        raise ParseError(where, NOT_POSITIVE.format(value=_shown(value)))
    if value < 0:
        raise ParseError(where, NEGATIVE.format(value=_shown(value)))
    if value > limit:
        raise ParseError(where, TOO_LARGE.format(value=_shown(value), limit=limit))
    return value


def _optional_whole(value: Any, where: str, *, limit: int, positive: bool = True) -> int | None:
    return None if value is None else _whole(value, where, limit=limit, positive=positive)


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    text = _text(value, where, limit=40, required=True)
    if text not in choices:
        raise ParseError(where, NOT_A_CHOICE.format(value=_shown(text), choices=", ".join(choices)))
    return text


_REPO_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _repo_id(value: Any, where: str) -> str:
    """``owner/name`` as the Hub and ModelScope spell repositories (ASCII letters, digits,
    ".", "_" and "-"): anything else, script tags included, is no repository id."""
    text = _text(value, where, limit=MAX_REPO_ID_CHARS, required=True)
    parts = text.split("/")
    if len(parts) != 2 or not all(_REPO_PART.match(part) for part in parts):
        raise ParseError(where, NOT_REPO_ID.format(value=_shown(text)))
    return text


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: Any, where: str) -> str:
    text = _text(value, where, limit=MAX_SLUG_CHARS, required=True)
    if not _SLUG.match(text):
        raise ParseError(where, NOT_SLUG.format(value=_shown(text)))
    return text


def _date(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = _text(value, where, limit=10)
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ParseError(where, NOT_A_DATE.format(value=_shown(text))) from None


def _datetime(value: Any, where: str) -> str | None:
    """An ISO 8601 date and time as the upstream wrote it, checked; ``None`` when absent."""
    if value is None:
        return None
    text = _text(value, where, limit=40)
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(where, NOT_A_DATETIME.format(value=_shown(text))) from None
    return text


def _day(moment: str | None) -> str | None:
    """The date part of a checked ISO 8601 date and time."""
    return datetime.datetime.fromisoformat(moment).date().isoformat() if moment else None


# The last second of year 9999: later stamps cannot be dates.
_MAX_UNIX_SECONDS = 253_402_300_799


def _unix_time(value: Any, where: str) -> str | None:
    """ModelScope's Unix seconds as an ISO 8601 UTC string (an ISO string is accepted too)."""
    if value is None or isinstance(value, str):
        return _datetime(value, where)
    seconds = _whole(value, where, limit=_MAX_UNIX_SECONDS, positive=False)
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # beyond what the platform's clock holds
        raise ParseError(where, NOT_A_DATETIME.format(value=_shown(value))) from None


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    """Every string, number and nesting level of a payload kept verbatim: the database stores
    it as JSON (which holds no NUL character and no NaN) and pages show it."""
    if depth > MAX_JSON_DEPTH:
        raise ParseError(where or "document", TOO_DEEP.format(limit=MAX_JSON_DEPTH))
    if isinstance(value, str):
        _text(value, where or "document", limit=MAX_JSON_STRING_CHARS)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_JSON_INTEGER:
            raise ParseError(
                where or "document", TOO_LARGE.format(value=_shown(value), limit=MAX_JSON_INTEGER)
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(where or "document", NOT_A_NUMBER.format(value=_shown(value)))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParseError(where or "document", NOT_JSON_VALUE.format(value=_shown(key)))
            path = f"{where}.{key[:40]}" if where else key[:40]
            _text(key, path, limit=1000)
            _check_json(item, path, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)
    else:
        raise ParseError(where or "document", NOT_JSON_VALUE.format(value=_shown(value)))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json_text(text: str | bytes, *, field: str = "document") -> Any:
    """Decode JSON text, refusing what JSON does not allow (NaN, Infinity) and what Python
    cannot decode (nesting past the recursion limit, integers of thousands of digits).

    Raises :class:`ParseError` naming ``field``."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ParseError(field, TOO_DEEP.format(limit=MAX_JSON_DEPTH)) from None
    except (ValueError, TypeError) as exc:
        raise ParseError(field, NOT_JSON.format(error=_shown(str(exc))[:200])) from None


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, UTF-8 kept (revision hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
