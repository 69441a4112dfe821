"""Every network and file read of the ingestion: the Hugging Face Hub, ModelScope, catalog feeds.

``parse.py`` turns what these sources return into release facts without touching the network.
All HTTP goes through one kind of httpx client: 429 and 5xx answers are retried with exponential
backoff, ``Retry-After`` is honoured up to a cap on the total wait, every request has a timeout,
the User-Agent names the registry, and bodies are read up to a size cap. Every failure surfaces as
one ``SourceError`` whose one-line message names the source, the URL and what went wrong. Tokens
come from the constructors only, travel in headers to the configured endpoint, and are never put
in a message or a log line.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
from httpx_retries import Retry, RetryTransport
from huggingface_hub import HfApi, hf_hub_url, set_client_factory
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, close_session, get_session, hf_raise_for_status

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
# ModelScope's default branch (modelscope SDK: utils/constant.py DEFAULT_MODEL_REVISION).
MODELSCOPE_DEFAULT_REVISION = "master"
_MODELSCOPE_PAGE_SIZE = 100
_MAX_LISTING_PAGES = 200
_MESSAGE_CHARS = 200

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,95}"
_NAME_RE = re.compile(_NAME)
_REPO_ID_RE = re.compile(rf"{_NAME}/{_NAME}")
_COMMIT_RE = re.compile(r"[0-9a-f]{40}")
# Characters a header (Authorization, Cookie) can carry without quoting.
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+/=-]*")
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


class HubSource:
    """The Hugging Face Hub (or a mirror), through huggingface_hub.

    The listing is ``HfApi.list_models``; model info and config.json are raw GETs through the
    library's session so the JSON is kept as the Hub sent it. huggingface_hub keeps one session
    per process: constructing a HubSource points it (``set_client_factory``) at this source's
    client settings, so the last HubSource constructed sets them for all.
    """

    name = "hf"

    def __init__(
        self,
        *,
        endpoint: str,
        token: str = "",
        timeout_seconds: float = 20,
        max_retries: int = 4,
        backoff_seconds: float = 1.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait_seconds: float = 60.0,
        proxy: str = "",
    ):
        _check_token(token)
        self.endpoint = _check_endpoint(endpoint)
        self.web_base = self.endpoint
        self._token = token
        factory = partial(
            _http_client,
            source=self.name,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            backoff_seconds=backoff_seconds,
            max_wait_seconds=max_wait_seconds,
            max_response_bytes=max_response_bytes,
            proxy=proxy,
        )
        factory().close()  # fails here, not on first use, when a setting is wrong
        set_client_factory(factory)
        # token=False: never fall back to a token saved on the machine or in HF_TOKEN.
        self._api = HfApi(
            endpoint=self.endpoint,
            token=token or False,
            library_name=_LIBRARY,
            library_version=_VERSION,
        )

    def list_repositories(
        self, author: str, *, since: datetime | None = None
    ) -> Iterator[ListedRepository]:
        """The author's repositories, most recently modified first.

        ``since`` (a datetime; naive means UTC) stops the listing at the first repository last
        modified before it, so only the pages needed are read. Raises ``SourceError``.
        """
        _check_author(self.name, author)
        since = _aware(since)
        url = f"{self.endpoint}/api/models?author={author}"
        try:
            for listed in self._api.list_models(
                author=author, sort="last_modified", expand=["lastModified", "sha"]
            ):
                if not isinstance(listed.id, str) or not _REPO_ID_RE.fullmatch(listed.id):
                    raise SourceError(self.name, f"{url}: listing has an odd id {listed.id!r:.80}")
                modified = listed.last_modified
                if since is not None and modified is not None and modified < since:
                    return
                sha = listed.sha if isinstance(listed.sha, str) else None
                yield ListedRepository(upstream_id=listed.id, last_modified=modified, revision=sha)
        except SourceError:
            raise
        except HfHubHTTPError as exc:
            raise self._http_error(exc.response, "listing") from exc
        except (httpx.HTTPError, ValueError, LookupError, TypeError, AttributeError) as exc:
            message = f"{url}: unexpected listing answer ({type(exc).__name__})"
            raise SourceError(self.name, message) from exc

    def fetch(self, upstream_id: str, *, revision: str | None = None) -> FetchedRelease:
        """Model info (``GET /api/models/{id}``) and config.json of one repository, raw.

        Without ``revision`` config.json is read at the commit the info names, so both describe
        the same state. A missing, gated, oversized or non-JSON config.json is recorded in
        ``config_problem``; any other failure raises ``SourceError``.
        """
        _check_repo_id(self.name, upstream_id)
        info_url = f"{self.endpoint}/api/models/{upstream_id}"
        if revision is not None:
            info_url += f"/revision/{quote(revision, safe='')}"
        response = self._get(info_url)
        if response.status_code != 200:
            raise self._http_error(response, "model info")
        try:
            info = _parse_json(response.content)
        except ValueError as exc:
            raise SourceError(self.name, f"{_display_url(info_url)}: not JSON ({exc})") from None
        if not isinstance(info, dict):
            raise SourceError(self.name, f"{_display_url(info_url)}: model info is not an object")
        sha = info.get("sha")
        if revision is None and isinstance(sha, str) and _COMMIT_RE.fullmatch(sha):
            revision = sha
        config_url = hf_hub_url(
            upstream_id, "config.json", revision=revision, endpoint=self.endpoint
        )
        try:
            response = self._get(config_url)
        except _TooLargeError:
            return FetchedRelease(upstream_id, info, None, "too large")
        if response.status_code in (401, 403):
            return FetchedRelease(upstream_id, info, None, "gated")
        if response.status_code == 404:
            return FetchedRelease(upstream_id, info, None, "not found")
        if response.status_code != 200:
            raise self._http_error(response, "config.json")
        try:
            config = _parse_json(response.content)
        except ValueError:
            return FetchedRelease(upstream_id, info, None, "not JSON")
        if not isinstance(config, dict):
            return FetchedRelease(upstream_id, info, None, "not JSON")
        return FetchedRelease(upstream_id, info, config)

    def close(self) -> None:
        """Close huggingface_hub's session (it is made again on next use)."""
        close_session()

    def _get(self, url: str) -> httpx.Response:
        headers = build_hf_headers(
            token=self._token or False, library_name=_LIBRARY, library_version=_VERSION
        )
        try:
            return get_session().get(url, headers=headers)
        except SourceError:
            raise
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            message = f"{_display_url(url)}: request failed ({type(exc).__name__})"
            raise SourceError(self.name, message) from exc

    def _http_error(self, response: httpx.Response | None, what: str) -> SourceError:
        if response is None:
            return SourceError(self.name, f"{what} failed without an answer")
        url = _display_url(response.request.url)
        try:
            hf_raise_for_status(response)
            reason = "unexpected answer"
        except GatedRepoError:
            reason = "gated, access not granted"
        except RepositoryNotFoundError:
            reason = "repository not found or private"
        except RevisionNotFoundError:
            reason = "revision not found"
        except RemoteEntryNotFoundError:
            reason = "file not found"
        except HfHubHTTPError:
            reason = "refused"
        return SourceError(self.name, f"{what} at {url}: {reason} (HTTP {response.status_code})")


def _timestamp(value: Any) -> datetime | None:
    """ModelScope times: Unix seconds (or milliseconds) as numbers or digits, or ISO 8601."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return _aware(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


class ModelScopeSource:
    """ModelScope, over the HTTP API its own SDK uses (modelscope/hub/api.py).

    Listing: ``PUT {endpoint}/api/v1/models/`` with ``{"Path", "PageNumber", "PageSize"}``;
    info: ``GET {endpoint}/api/v1/models/{owner}/{name}``; files:
    ``GET {endpoint}/api/v1/models/{owner}/{name}/repo?Revision=..&FilePath=..``. Answers are
    envelopes ``{"Code", "Data", "Message", "RequestId", "Success"}``. The token travels as the
    SDK's ``m_session_id`` cookie, on requests to the endpoint only.
    """

    name = "modelscope"

    def __init__(
        self,
        *,
        endpoint: str,
        token: str = "",
        timeout_seconds: float = 20,
        max_retries: int = 4,
        backoff_seconds: float = 1.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_wait_seconds: float = 60.0,
        page_size: int = _MODELSCOPE_PAGE_SIZE,
        proxy: str = "",
    ):
        _check_token(token)
        if page_size < 1:
            raise ValueError("page size must be positive")
        self.endpoint = _check_endpoint(endpoint)
        self.web_base = self.endpoint
        self._page_size = page_size
        # An explicit header, not the client's cookie jar: httpx drops it on any redirect.
        self._headers = {"Accept": "application/json"}
        if token:
            self._headers["Cookie"] = f"m_session_id={token}"
        self._client = _http_client(
            source=self.name,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            backoff_seconds=backoff_seconds,
            max_wait_seconds=max_wait_seconds,
            max_response_bytes=max_response_bytes,
            proxy=proxy,
        )

    def list_repositories(
        self, author: str, *, since: datetime | None = None
    ) -> Iterator[ListedRepository]:
        """The owner's repositories; with ``since``, only those updated at or after it.

        ModelScope's listing has no sort order to rely on, so every page is read and filtered.
        ``last_modified`` is ``LastUpdatedTime``; ``revision`` is None (the listing names no
        branch, tag or commit, and fetch then reads the default branch). Raises ``SourceError``.
        """
        _check_author(self.name, author)
        since = _aware(since)
        url = f"{self.endpoint}/api/v1/models/"
        for page in range(1, _MAX_LISTING_PAGES + 1):
            body = {"Path": author, "PageNumber": page, "PageSize": self._page_size}
            data = self._call("PUT", url, "model list", json=body).get("Data")
            # The SDK's docstring spells the key "models", the answers "Models".
            models = data.get("Models", data.get("models")) if isinstance(data, dict) else None
            if not isinstance(models, list):
                raise SourceError(self.name, f"model list at {url}: no Data.Models list")
            for position, item in enumerate(models):
                listed = self._listed(item, author, url, page, position)
                if since is None or listed.last_modified is None or listed.last_modified >= since:
                    yield listed
            total = data.get("TotalCount")
            if len(models) < self._page_size or (
                isinstance(total, int) and page * self._page_size >= total
            ):
                return
        message = f"{url}: the listing of {author} did not end after {_MAX_LISTING_PAGES} pages"
        raise SourceError(self.name, message)

    def fetch(self, upstream_id: str, *, revision: str | None = None) -> FetchedRelease:
        """The info envelope and config.json of one repository, raw.

        ``info`` is the whole envelope (``Code``, ``Data``, ...). config.json is read at
        ``revision`` or the default branch. A missing, gated, oversized or non-JSON config.json
        is recorded in ``config_problem``; any other failure raises ``SourceError``.
        """
        owner, name = _check_repo_id(self.name, upstream_id)
        base = f"{self.endpoint}/api/v1/models/{quote(owner)}/{quote(name)}"
        params = {"Revision": revision} if revision else None
        info = self._call("GET", base, "model info", params=params)
        file_params = {
            "Revision": revision or MODELSCOPE_DEFAULT_REVISION,
            "FilePath": "config.json",
        }
        try:
            response = self._send("GET", f"{base}/repo", params=file_params)
        except _TooLargeError:
            return FetchedRelease(upstream_id, info, None, "too large")
        problem = _config_problem(response.status_code)
        if problem:
            return FetchedRelease(upstream_id, info, None, problem)
        if response.status_code != 200:
            raise self._status_error(response, "config.json")
        try:
            config = _parse_json(response.content)
        except ValueError:
            return FetchedRelease(upstream_id, info, None, "not JSON")
        if isinstance(config, dict) and config.get("Success") is False and "Code" in config:
            # Some failures come back as an HTTP 200 envelope instead of the file.
            problem = _config_problem(config.get("Code"))
            if problem:
                return FetchedRelease(upstream_id, info, None, problem)
            raise self._envelope_error(config, _display_url(response.request.url), "config.json")
        if not isinstance(config, dict):
            return FetchedRelease(upstream_id, info, None, "not JSON")
        return FetchedRelease(upstream_id, info, config)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, url, headers=self._headers, **kwargs)
        except SourceError:
            raise
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            message = f"{_display_url(url)}: request failed ({type(exc).__name__})"
            raise SourceError(self.name, message) from exc

    def _call(self, method: str, url: str, what: str, **kwargs: Any) -> dict:
        """The answer envelope of one API call; ``SourceError`` unless Code 200 and Success."""
        response = self._send(method, url, **kwargs)
        if response.status_code != 200:
            raise self._status_error(response, what)
        shown = _display_url(response.request.url)
        try:
            document = _parse_json(response.content)
        except ValueError as exc:
            raise SourceError(self.name, f"{what} at {shown}: not JSON ({exc})") from None
        if not isinstance(document, dict) or "Code" not in document:
            raise SourceError(self.name, f"{what} at {shown}: not a ModelScope answer (no Code)")
        if document.get("Code") != 200 or document.get("Success") is False:
            raise self._envelope_error(document, shown, what)
        return document

    def _envelope_error(self, document: dict, url: str, what: str) -> SourceError:
        message = document.get("Message")
        text = _one_line(message) if isinstance(message, str) and message.strip() else "no message"
        code = _one_line(repr(document.get("Code")))
        return SourceError(self.name, f"{what} at {url} refused: {text} (Code {code})")

    def _status_error(self, response: httpx.Response, what: str) -> SourceError:
        url = _display_url(response.request.url)
        detail = ""
        try:
            document = _parse_json(response.content)
        except ValueError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("Message"), str):
            detail = f": {_one_line(document['Message'])}"
        return SourceError(
            self.name, f"{what} at {url} answered HTTP {response.status_code}{detail}"
        )

    def _listed(
        self, item: Any, author: str, url: str, page: int, position: int
    ) -> ListedRepository:
        where = f"{url}: model list page {page} entry {position}"
        if not isinstance(item, dict):
            raise SourceError(self.name, f"{where} is not an object")
        owner, name = item.get("Path") or author, item.get("Name")
        if not isinstance(owner, str) or not isinstance(name, str):
            raise SourceError(self.name, f"{where} has no Path/Name")
        upstream_id = f"{owner}/{name}"
        _check_repo_id(self.name, upstream_id)
        # The listing names no branch, tag or commit, so nothing to fetch at: revision is None.
        return ListedRepository(upstream_id, _timestamp(item.get("LastUpdatedTime")), None)


def _config_problem(status: Any) -> str:
    if status in (401, 403):
        return "gated"
    if status == 404:
        return "not found"
    return ""


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
