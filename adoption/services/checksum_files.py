"""The small checksum file beside an artifact's weights (``SHA256SUMS``), read from an allowed
local directory or over HTTP as a manifest to verify the artifact with
(``adoption.services.artifacts.artifact_verify_from_location``). The weights are never read."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from adoption.manifests import MAX_MANIFEST_BYTES
from adoption.models import Artifact

# The names a checksum file beside the weights may have, tried in this order.
CHECKSUM_FILE_NAMES = ("SHA256SUMS", "checksums.sha256")
CHECKSUM_HTTP_TIMEOUT_SECONDS = 10
CHECKSUM_HTTP_MAX_REDIRECTS = 3

# Error messages users see (constants: the tests assert on them).
LOCATION_UNSUPPORTED = _("Cannot read a checksum file at this location; upload a manifest.")
LOCAL_READING_OFF = _(
    "Reading checksum files from this server's disks is turned off; upload a manifest."
)
OUTSIDE_ROOTS = _(
    "This location is outside the directories the registry may read; upload a manifest."
)
NO_CHECKSUM_FILE = _("No SHA256SUMS or checksums.sha256 file was found beside the weights.")
CHECKSUM_FILE_TOO_LARGE = _("The checksum file is larger than %(limit)s KB; upload a manifest.")
CHECKSUM_FILE_NOT_TEXT = _("The checksum file is not UTF-8 text.")
CHECKSUM_FILE_UNREADABLE = _("The checksum file could not be read: %(error)s")
REDIRECT_REFUSED = _(
    "The server redirected to another host; the registry only follows redirects on the same "
    "host. Upload a manifest."
)


class ArtifactInputError(ValueError):
    """Bad input to an artifact service; ``errors`` maps field names (``uri``,
    ``files[2].sha256``, ``manifest``) to messages. Nothing was written."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def checksum_file_read(artifact: Artifact) -> str:
    """The text of the checksum file (``SHA256SUMS`` or ``checksums.sha256``) in the directory
    of ``artifact.uri``, at most :data:`MAX_MANIFEST_BYTES`.

    ``file://`` URIs and absolute paths are read only under ``settings.ADOPTION_ARTIFACT_ROOTS``
    (after resolving links and ``..``); ``http(s)://`` is fetched with a 10 s timeout and
    redirects only on the same host. Weights are never read. Other schemes (``s3://``) are
    refused: upload a manifest instead.

    Raises :class:`ArtifactInputError` ``{"uri": ...}``.
    """
    uri = artifact.uri.strip()
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https") and parts.hostname:
        return _read_http(uri)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return _read_local(unquote(parts.path))
    if not parts.scheme and uri.startswith("/"):
        return _read_local(uri)
    raise ArtifactInputError({"uri": str(LOCATION_UNSUPPORTED)})


def _limit_kb() -> int:
    return MAX_MANIFEST_BYTES // 1024


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArtifactInputError({"uri": str(CHECKSUM_FILE_NOT_TEXT)}) from None


def _read_local(raw_path: str) -> str:
    roots = [Path(root).resolve() for root in getattr(settings, "ADOPTION_ARTIFACT_ROOTS", [])]
    if not roots:
        raise ArtifactInputError({"uri": str(LOCAL_READING_OFF)})

    def allowed(path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in roots)

    # resolve() follows links and folds '..', so neither can lead outside the roots.
    location = Path(raw_path).resolve()
    if not allowed(location):
        raise ArtifactInputError({"uri": str(OUTSIDE_ROOTS)})
    directory = location.parent if location.is_file() else location
    for name in CHECKSUM_FILE_NAMES:
        candidate = (directory / name).resolve()
        if not allowed(candidate):
            raise ArtifactInputError({"uri": str(OUTSIDE_ROOTS)})
        if not candidate.is_file():
            continue
        try:
            with candidate.open("rb") as handle:
                data = handle.read(MAX_MANIFEST_BYTES + 1)
        except OSError as exc:
            raise ArtifactInputError(
                {"uri": str(CHECKSUM_FILE_UNREADABLE % {"error": exc.strerror or exc})}
            ) from None
        if len(data) > MAX_MANIFEST_BYTES:
            raise ArtifactInputError({"uri": str(CHECKSUM_FILE_TOO_LARGE % {"limit": _limit_kb()})})
        return _decode(data)
    raise ArtifactInputError({"uri": str(NO_CHECKSUM_FILE)})


def _read_http(uri: str) -> str:
    base = uri if uri.endswith("/") else uri + "/"
    origin = urlsplit(base)
    with httpx.Client(
        timeout=CHECKSUM_HTTP_TIMEOUT_SECONDS, trust_env=False, follow_redirects=False
    ) as client:
        for name in CHECKSUM_FILE_NAMES:
            text = _get_small(client, urljoin(base, name), origin)
            if text is not None:
                return text
    raise ArtifactInputError({"uri": str(NO_CHECKSUM_FILE)})


def _get_small(client: httpx.Client, url: str, origin) -> str | None:
    """The body at ``url`` (None on 404), following same-host redirects only."""
    for _hop in range(CHECKSUM_HTTP_MAX_REDIRECTS + 1):
        try:
            with client.stream("GET", url) as response:
                if response.is_redirect:
                    target = urljoin(url, response.headers.get("location", ""))
                    parts = urlsplit(target)
                    if (parts.scheme, parts.hostname, parts.port) != (
                        origin.scheme,
                        origin.hostname,
                        origin.port,
                    ):
                        raise ArtifactInputError({"uri": str(REDIRECT_REFUSED)})
                    url = target
                    continue
                if response.status_code == 404:
                    return None
                if response.status_code != 200:
                    raise ArtifactInputError(
                        {
                            "uri": str(
                                CHECKSUM_FILE_UNREADABLE % {"error": f"HTTP {response.status_code}"}
                            )
                        }
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_MANIFEST_BYTES:
                    raise ArtifactInputError(
                        {"uri": str(CHECKSUM_FILE_TOO_LARGE % {"limit": _limit_kb()})}
                    )
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_MANIFEST_BYTES:
                        raise ArtifactInputError(
                            {"uri": str(CHECKSUM_FILE_TOO_LARGE % {"limit": _limit_kb()})}
                        )
                return _decode(bytes(body))
        except httpx.HTTPError as exc:
            raise ArtifactInputError(
                {"uri": str(CHECKSUM_FILE_UNREADABLE % {"error": type(exc).__name__})}
            ) from None
    raise ArtifactInputError({"uri": str(REDIRECT_REFUSED)})
