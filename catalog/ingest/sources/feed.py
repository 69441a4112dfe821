"""Catalog documents from another registry: a JSON file, a folder of them, or a URL."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from catalog.ingest.sources.common import _parse_json
from catalog.ingest.sources.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    SourceError,
    _display_url,
    _http_client,
)


class FeedSource:
    """Catalog documents from another registry: a JSON file, a folder of them, or a URL.

    A folder is read one level deep: its ``*.json`` entries in name order, dotfiles skipped,
    regular files only, and no symlink pointing outside the folder. A URL (another instance's
    ``/api/v1/export/``) is read through the same retrying, capped client as the hubs.
    """

    name = "feed"

    def __init__(
        self,
        *,
        location: str,
        timeout_seconds: float = 20,
        max_retries: int = 4,
        backoff_seconds: float = 1.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait_seconds: float = 60.0,
        proxy: str = "",
    ):
        if not isinstance(location, str) or not location.strip():
            raise ValueError("a feed needs a file, folder or URL")
        self.location = location
        self._max_bytes = max_response_bytes
        self._is_url = urlsplit(location).scheme.lower() in ("http", "https")
        self._client = None
        if self._is_url:
            self._client = _http_client(
                source=self.name,
                timeout_seconds=timeout_seconds,
                max_retries=max_retries,
                backoff_seconds=backoff_seconds,
                max_wait_seconds=max_wait_seconds,
                max_response_bytes=max_response_bytes,
                proxy=proxy,
            )
        elif max_response_bytes < 1:
            raise ValueError("size cap must be positive")

    def documents(self) -> Iterator[tuple[str, Any]]:
        """``(label, parsed JSON)`` per file or URL; a bad one yields ``(label, SourceError)``.

        The label names the file (location joined with its name) or the URL without secrets.
        A location that does not exist raises ``SourceError``: there is nothing to go on with.
        """
        if self._client is not None:
            yield self._url_document()
            return
        path = Path(self.location)
        try:
            is_folder = stat.S_ISDIR(path.stat().st_mode)
        except OSError as exc:
            message = f"{self.location}: cannot read ({exc.strerror or type(exc).__name__})"
            raise SourceError(self.name, message) from None
        if not is_folder:
            yield self.location, self._file_document(path, self.location)
            return
        root = path.resolve()
        try:
            names = sorted(entry.name for entry in os.scandir(root))
        except OSError as exc:
            message = f"{self.location}: cannot list ({exc.strerror or type(exc).__name__})"
            raise SourceError(self.name, message) from None
        for entry_name in names:
            if entry_name.startswith(".") or not entry_name.lower().endswith(".json"):
                continue
            label = os.path.join(self.location, entry_name)
            target = (root / entry_name).resolve()
            if target == root or not target.is_relative_to(root):
                yield label, SourceError(self.name, f"{label}: links outside the feed folder")
                continue
            yield label, self._file_document(target, label)

    def close(self) -> None:
        """Close the HTTP client, if the feed is a URL."""
        if self._client is not None:
            self._client.close()

    def _file_document(self, path: Path, label: str) -> Any:
        try:
            # Non-blocking: opening a FIFO named *.json must not hang the run.
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return SourceError(self.name, f"{label}: cannot open ({reason})")
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            os.close(descriptor)
            return SourceError(self.name, f"{label}: not a regular file")
        if info.st_size > self._max_bytes:
            os.close(descriptor)
            return SourceError(self.name, f"{label}: larger than {self._max_bytes} bytes")
        with os.fdopen(descriptor, "rb") as handle:
            body = handle.read(self._max_bytes + 1)
        if len(body) > self._max_bytes:
            return SourceError(self.name, f"{label}: larger than {self._max_bytes} bytes")
        return self._parse(body, label)

    def _url_document(self) -> tuple[str, Any]:
        label = _display_url(self.location)
        try:
            response = self._client.get(self.location, headers={"Accept": "application/json"})
        except SourceError as exc:
            return label, exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return label, SourceError(self.name, f"{label}: request failed ({type(exc).__name__})")
        if response.status_code != 200:
            message = f"{label} answered HTTP {response.status_code}"
            return label, SourceError(self.name, message)
        return label, self._parse(response.content, label)

    def _parse(self, body: bytes, label: str) -> Any:
        try:
            return _parse_json(body)
        except ValueError as exc:
            return SourceError(self.name, f"{label}: not valid JSON ({exc})")
