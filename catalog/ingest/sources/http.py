"""The HTTP client every source uses: retries with backoff and a capped ``Retry-After``, a
timeout on every request, a size cap on every body, and one ``SourceError`` for every way a
request can fail."""

from __future__ import annotations

import importlib.metadata
import re
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from httpx_retries import Retry, RetryTransport

MIB = 1024 * 1024
DEFAULT_MAX_RESPONSE_BYTES = 20 * MIB
# Rate limiting, request timeout and the transient server errors; other answers are final. When
# the retries are spent on one of these the request fails at once (huggingface_hub's pagination,
# utils.http_backoff, would otherwise retry the same codes again five times with its own sleeps).
RETRIED_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})
_LIBRARY = "llmregistry"


def _registry_version() -> str:
    try:
        return importlib.metadata.version(_LIBRARY)
    except importlib.metadata.PackageNotFoundError:
        return "dev"


_VERSION = _registry_version()
USER_AGENT = f"{_LIBRARY}/{_VERSION} (catalog ingestion)"
_MESSAGE_CHARS = 200
_SECRET_QUERY_RE = re.compile(r"token|key|secret|passw|sig|auth|credential", re.IGNORECASE)


class SourceError(Exception):
    """A source could not be read. ``str(error)`` is one line: the source, then what failed."""

    def __init__(self, source: str, message: str):
        self.source = source
        self.message = " ".join(str(message).split())
        super().__init__(f"{source}: {self.message}")


class _TooLargeError(SourceError):
    """A body went past the size cap; for config.json that is a problem to record, not a failure."""


class _RetryWaitTooLongError(Exception):
    def __init__(self, wait_seconds: float, status: int):
        self.wait_seconds = wait_seconds
        self.status = status
        super().__init__(f"Retry-After {wait_seconds:g} s")


def _display_url(url: str | httpx.URL) -> str:
    """The URL fit for a message: no user-info, secret-looking query values masked, bounded."""
    try:
        parts = urlsplit(str(url))
        port = parts.port
    except ValueError:
        return "(an unreadable URL)"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port is not None:
        host = f"{host}:{port}"
    query = urlencode(
        [
            (name, "***" if _SECRET_QUERY_RE.search(name) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*/",
    )
    text = urlunsplit((parts.scheme, host, parts.path, query, ""))
    return text if len(text) <= 300 else text[:297] + "..."


def _retries(count: int) -> str:
    return f"{count} retry" if count == 1 else f"{count} retries"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 3] + "..."


class _CappedRetry(Retry):
    """Retry that refuses a ``Retry-After`` longer than what is left of the wait budget.

    Waiting less than the server asked would only be refused again; waiting longer than the
    budget would stall the whole run. Either way the request fails with the asked wait named.
    """

    def sleep(self, response: httpx.Response | Exception) -> None:
        if isinstance(response, httpx.Response) and self.respect_retry_after_header:
            header = response.headers.get("Retry-After", "").strip()
            if header:
                try:
                    wanted = self.parse_retry_after(header)
                except ValueError:
                    wanted = 0.0
                left = (self.total_timeout or float("inf")) - self.elapsed_sleep
                if wanted > left:
                    raise _RetryWaitTooLongError(wanted, response.status_code)
        super().sleep(response)


def _inflated_size(decoder: Any, data: bytes, budget: int) -> int:
    """Bytes ``data`` inflates to, never holding more than ``budget`` of them at once."""
    size = len(decoder.decompress(data, budget))
    while decoder.unconsumed_tail and size <= budget:
        size += len(decoder.decompress(decoder.unconsumed_tail, budget))
    return size


class _CappedStream(httpx.SyncByteStream):
    """A response body that stops past ``limit`` bytes, counted after decompression too."""

    def __init__(self, stream: httpx.SyncByteStream, *, source: str, url: str, limit: int, gzip):
        self._stream = stream
        self._source = source
        self._url = url
        self._limit = limit
        self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 32) if gzip else None

    def __iter__(self) -> Iterator[bytes]:
        raw = inflated = 0
        try:
            for chunk in self._stream:
                raw += len(chunk)
                if self._decoder is not None:
                    inflated += _inflated_size(self._decoder, chunk, self._limit - inflated + 1)
                if max(raw, inflated) > self._limit:
                    raise _TooLargeError(
                        self._source, f"{self._url}: answer larger than {self._limit} bytes"
                    )
                yield chunk
        except zlib.error as exc:
            raise SourceError(self._source, f"{self._url}: answer is not valid gzip") from exc
        except httpx.TimeoutException as exc:
            raise SourceError(self._source, f"{self._url}: timed out while reading") from exc
        except httpx.TransportError as exc:
            message = f"{self._url}: connection broke while reading ({type(exc).__name__})"
            raise SourceError(self._source, message) from exc

    def close(self) -> None:
        self._stream.close()


class _GuardedTransport(httpx.BaseTransport):
    """Retries (httpx-retries), then turns every way a request can fail into one SourceError."""

    def __init__(
        self,
        *,
        source: str,
        timeout_seconds: float,
        max_retries: int,
        backoff_seconds: float,
        max_wait_seconds: float,
        max_response_bytes: int,
        proxy: str = "",
    ):
        retry = _CappedRetry(
            total=max_retries,
            status_forcelist=RETRIED_STATUS_CODES,
            # httpx-retries waits factor * 2**attempt from the first retry (attempt 1) on.
            backoff_factor=backoff_seconds / 2,
            backoff_jitter=0.25,
            max_backoff_wait=max_wait_seconds,
            total_timeout=max_wait_seconds,
        )
        inner = httpx.HTTPTransport(proxy=proxy or None)
        self._inner = RetryTransport(transport=inner, retry=retry)
        self._source = source
        self._timeout = httpx.Timeout(timeout_seconds)
        self._timeout_seconds = timeout_seconds
        self._max_retries = max_retries
        self._max_wait_seconds = max_wait_seconds
        self._limit = max_response_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # huggingface_hub passes timeout=None (no timeout at all) on its own calls.
        request.extensions["timeout"] = self._timeout.as_dict()
        url = _display_url(request.url)
        try:
            response = self._inner.handle_request(request)
        except _RetryWaitTooLongError as exc:
            message = (
                f"{url} answered HTTP {exc.status} and asked to wait {exc.wait_seconds:g} s, "
                f"more than the {self._max_wait_seconds:g} s allowed"
            )
            raise SourceError(self._source, message) from None
        except httpx.TimeoutException as exc:
            message = (
                f"{url}: no answer within the {self._timeout_seconds:g} s timeout "
                f"(gave up after {_retries(self._max_retries)})"
            )
            raise SourceError(self._source, message) from exc
        except httpx.TransportError as exc:
            message = f"{url}: cannot connect ({type(exc).__name__}: {_one_line(str(exc))})"
            raise SourceError(self._source, message) from exc
        status = response.status_code
        if status in RETRIED_STATUS_CODES:
            response.close()
            message = f"{url} answered HTTP {status} (gave up after {_retries(self._max_retries)})"
            raise SourceError(self._source, message)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._limit:
            response.close()
            raise _TooLargeError(self._source, f"{url}: answer larger than {self._limit} bytes")
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            response.close()
            raise SourceError(self._source, f"{url}: answered in an unasked {encoding} encoding")
        response.stream = _CappedStream(
            response.stream,
            source=self._source,
            url=url,
            limit=self._limit,
            gzip=encoding == "gzip",
        )
        return response

    def close(self) -> None:
        self._inner.close()


def _http_client(
    *,
    source: str,
    timeout_seconds: float = 20,
    max_retries: int = 4,
    backoff_seconds: float = 1.0,
    max_wait_seconds: float = 60.0,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    proxy: str = "",
) -> httpx.Client:
    """An httpx client whose failures are ``SourceError``s naming ``source``.

    ``timeout_seconds``: per connect/read/write; ``max_retries``: extra tries after a 429, 5xx,
    timeout or connection error; ``backoff_seconds``: the first wait, doubling after;
    ``max_wait_seconds``: the most one request may spend waiting between tries, Retry-After
    included; ``max_response_bytes``: the largest body read; ``proxy``: an http(s) proxy URL
    every request goes through (httpx ignores the environment's proxies once a transport is
    given). Raises ``ValueError`` on a bad value.
    """
    if not timeout_seconds > 0 or not max_wait_seconds > 0 or max_response_bytes < 1:
        raise ValueError("timeout, wait cap and size cap must be positive")
    if max_retries < 0 or backoff_seconds < 0:
        raise ValueError("retries and backoff cannot be negative")
    transport = _GuardedTransport(
        source=source,
        timeout_seconds=timeout_seconds,
        max_retries=max_retries,
        backoff_seconds=backoff_seconds,
        max_wait_seconds=max_wait_seconds,
        max_response_bytes=max_response_bytes,
        proxy=proxy,
    )
    return httpx.Client(
        transport=transport,
        timeout=timeout_seconds,
        follow_redirects=True,
        max_redirects=10,
        # Compressed bodies could inflate past the size cap; _CappedStream still counts gzip.
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
    )
