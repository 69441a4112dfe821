"""What a source returns, strict JSON bodies, and checks on what callers pass in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from catalog.ingest.sources.http import SourceError, _display_url

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}"
_NAME_RE = re.compile(_NAME)
_REPO_ID_RE = re.compile(rf"{_NAME}/{_NAME}")
# Characters a header (Authorization, Cookie) can carry without quoting.
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+/=-]*")


@dataclass(frozen=True)
class ListedRepository:
    """One repository of a listing: enough to decide whether to fetch it."""

    upstream_id: str
    last_modified: datetime | None
    revision: str | None


@dataclass(frozen=True)
class FetchedRelease:
    """The raw answers for one repository, kept verbatim for the parser and the audit trail."""

    upstream_id: str
    info: dict
    config: dict | None
    config_problem: str = ""


class _NotJsonError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonError(f"{name} is not allowed")


def _parse_json(body: bytes) -> Any:
    """Strict JSON (no NaN or Infinity); ``ValueError`` says where it went wrong."""
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise _NotJsonError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise _NotJsonError("not UTF-8 text") from None
    except RecursionError:
        raise _NotJsonError("nested too deeply") from None


def _check_token(token: str) -> None:
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        # The token itself stays out of the message.
        raise ValueError("the token holds characters a request header cannot carry")


def _check_endpoint(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise ValueError(f"not an http(s) endpoint without credentials: {_display_url(endpoint)}")
    if parts.query or parts.fragment:
        raise ValueError(f"an endpoint takes no query or fragment: {_display_url(endpoint)}")
    return endpoint.rstrip("/")


def _check_repo_id(source: str, upstream_id: str) -> tuple[str, str]:
    if not isinstance(upstream_id, str) or not _REPO_ID_RE.fullmatch(upstream_id):
        raise SourceError(source, f"not a repository id (owner/name): {upstream_id!r:.120}")
    if ".." in upstream_id:
        raise SourceError(source, f"not a repository id (owner/name): {upstream_id!r:.120}")
    owner, name = upstream_id.split("/")
    return owner, name


def _check_author(source: str, author: str) -> None:
    if not isinstance(author, str) or not _NAME_RE.fullmatch(author) or ".." in author:
        raise SourceError(source, f"not an author or organisation name: {author!r:.120}")


def _aware(moment: datetime | None) -> datetime | None:
    # A naive cut-off is read as UTC, the zone both hubs answer in.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
