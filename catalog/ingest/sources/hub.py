"""The Hugging Face Hub (or a mirror), through huggingface_hub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from urllib.parse import quote

import httpx
from huggingface_hub import HfApi, hf_hub_url, set_client_factory
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import build_hf_headers, close_session, get_session, hf_raise_for_status

from catalog.ingest.sources.common import (
    _REPO_ID_RE,
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
    _LIBRARY,
    _VERSION,
    DEFAULT_MAX_RESPONSE_BYTES,
    SourceError,
    _display_url,
    _http_client,
    _TooLargeError,
)

_COMMIT_RE = re.compile(r"[0-9a-f]{40}")


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
