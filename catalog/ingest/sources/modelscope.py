"""ModelScope, over the HTTP API its own SDK uses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from catalog.ingest.sources.common import (
    FetchedRelease,
    ListedRepository,
    _aware,
    _check_author,
    _check_endpoint,
    _check_repo_id,
    _check_token,
    _parse_json,
)
from catalog.ingest.sources.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    SourceError,
    _display_url,
    _http_client,
    _one_line,
    _TooLargeError,
)

# ModelScope's default branch (modelscope SDK: utils/constant.py DEFAULT_MODEL_REVISION).
MODELSCOPE_DEFAULT_REVISION = "master"
_MODELSCOPE_PAGE_SIZE = 100
_MAX_LISTING_PAGES = 200


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
