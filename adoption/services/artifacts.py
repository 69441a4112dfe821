"""Artifacts: copies of a variant's weights in the company's storage, their files' sizes and
SHA-256 checksums, and the verification of those against a manifest.

The registry never downloads weights. A manifest is text the operator uploads (``sha256sum``
output, a JSON file list, a Hugging Face file listing) or the small checksum file that sits
beside the weights (``SHA256SUMS``), read from an allowed local directory or over HTTP.
Recording the files and verifying them are separate acts: :func:`artifact_upsert` and
:func:`artifact_files_from_manifest` record, :func:`artifact_verify` only compares.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption import manifests
from adoption.choices import FileCheck, Verification
from adoption.manifests import MAX_MANIFEST_BYTES, MAX_MANIFEST_ENTRIES, ManifestEntry
from adoption.models import Artifact, ArtifactFile
from adoption.services.checksum_files import ArtifactInputError, checksum_file_read
from catalog.models import ModelVariant

# Error messages users see (constants: the tests assert on them).
FILES_NOT_A_LIST = _("Give the files as a list of path, size and SHA-256.")
FILE_NOT_AN_OBJECT = _("Give each file as path, size_bytes and sha256.")
FILE_LISTED_TWICE = _("This file is listed twice.")
NO_FILES = _("No files are recorded for this artifact, so there is nothing to verify against.")
MANIFEST_NO_SIZE = _(
    "'%(path)s' has no size in this manifest; record the files from a manifest that gives sizes."
)
# The pure parser's English messages, translated (each the same text as its source).
MANIFEST_EMPTY = _("The manifest lists no files.")
MANIFEST_TOO_LARGE = _("The manifest is %(size)s KB; at most %(limit)s KB is accepted.")
MANIFEST_TOO_MANY = _("The manifest lists more than %(limit)s files.")
MANIFEST_NOT_JSON = _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
MANIFEST_JSON_SHAPE = _(
    'Give a JSON list of {"path", "sha256", "size"} objects, or a Hugging Face file listing '
    'with "siblings".'
)
AT_LINE = _("line %(line)s: %(message)s")
AT_ENTRY = _("%(where)s: %(message)s")
LINE_NOT_A_CHECKSUM = _("expected a SHA-256 checksum, two spaces and a file name")
NOT_HEX_IN_MANIFEST = _("the checksum is not 64 hexadecimal digits")
MISSING_PATH = _("no file name")
MISSING_SHA256 = _("no SHA-256 checksum (a file not stored in LFS has none in this listing)")
PATH_LISTED_TWICE = _("'%(path)s' is listed twice")
SIZE_NOT_A_NUMBER = _("the size is not a whole number of bytes")
MESSAGES = {
    manifests.MANIFEST_EMPTY: MANIFEST_EMPTY,
    manifests.MANIFEST_TOO_LARGE: MANIFEST_TOO_LARGE,
    manifests.MANIFEST_TOO_MANY: MANIFEST_TOO_MANY,
    manifests.MANIFEST_NOT_JSON: MANIFEST_NOT_JSON,
    manifests.MANIFEST_JSON_SHAPE: MANIFEST_JSON_SHAPE,
    manifests.AT_LINE: AT_LINE,
    manifests.AT_ENTRY: AT_ENTRY,
    manifests.LINE_NOT_A_CHECKSUM: LINE_NOT_A_CHECKSUM,
    manifests.NOT_HEX_IN_MANIFEST: NOT_HEX_IN_MANIFEST,
    manifests.MISSING_PATH: MISSING_PATH,
    manifests.MISSING_SHA256: MISSING_SHA256,
    manifests.PATH_LISTED_TWICE: PATH_LISTED_TWICE,
    manifests.SIZE_NOT_A_NUMBER: SIZE_NOT_A_NUMBER,
}


# --- Recording ---------------------------------------------------------------------------------


def _messages(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """``exc``'s messages keyed by field, under ``prefix`` (``files[2]`` -> ``files[2].sha256``)."""
    errors: dict[str, str] = {}
    for field_name, messages in exc.message_dict.items():
        if prefix:
            key = prefix if field_name == "__all__" else f"{prefix}.{field_name}"
        else:
            key = field_name
        errors[key] = " ".join(str(message) for message in messages)
    return errors


def _file_rows(files: Any) -> tuple[list[ArtifactFile], dict[str, str]]:
    """Unsaved, validated file rows of ``files`` and the errors keyed ``files[i].<field>``."""
    if not isinstance(files, list | tuple):
        return [], {"files": str(FILES_NOT_A_LIST)}
    rows: list[ArtifactFile] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, item in enumerate(files):
        where = f"files[{index}]"
        if not isinstance(item, dict):
            errors[where] = str(FILE_NOT_AN_OBJECT)
            continue
        row = ArtifactFile(
            path=str(item.get("path") or "").strip(),
            size_bytes=item.get("size_bytes"),  # type: ignore[misc]  # full_clean() checks it
            sha256=str(item.get("sha256") or "").strip(),
        )
        try:
            row.full_clean(exclude=["artifact"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(_messages(exc, where))
            continue
        row.sha256 = row.sha256.lower()
        if row.path in seen:
            errors[f"{where}.path"] = str(FILE_LISTED_TWICE)
            continue
        seen.add(row.path)
        rows.append(row)
    return rows, errors


def _signature(rows) -> set[tuple[str, int, str]]:
    return {(row.path, int(row.size_bytes), row.sha256.lower()) for row in rows}


def _reset_verification(artifact: Artifact) -> None:
    artifact.verification = Verification.UNVERIFIED
    artifact.verified_at = None
    artifact.verified_by = None
    artifact.verification_report = []


def artifact_upsert(
    *,
    artifact: Artifact | None = None,
    variant: ModelVariant,
    uri: str,
    format: str,
    quantization: str = "",
    upstream_revision: str = "",
    note: str = "",
    files: list[dict],
    user=None,
) -> Artifact:
    """Record a copy of ``variant``'s weights (or change ``artifact``) with its files.

    ``files`` is a list of ``{"path", "size_bytes", "sha256"}``; it replaces the recorded list.
    A changed file list or location resets the verification to unverified (what was verified
    was other files). ``user`` is the acting user, recorded in the change history.

    Raises :class:`ArtifactInputError` keyed by field (``uri``, ``files[1].sha256``) and
    writes nothing when any of it is invalid.
    """
    target = artifact if artifact is not None else Artifact()
    old_uri = target.uri if target.pk else None
    target.variant = variant
    target.uri = (uri or "").strip()
    target.format = format
    target.quantization = quantization
    target.upstream_revision = upstream_revision
    target.note = note
    errors: dict[str, str] = {}
    try:
        target.full_clean()
    except ValidationError as exc:
        errors.update(_messages(exc))
    rows, file_errors = _file_rows(files)
    errors.update(file_errors)
    if errors:
        raise ArtifactInputError(errors)

    with transaction.atomic(), _history(user):
        files_changed = True
        if target.pk:
            files_changed = _signature(target.files.all()) != _signature(rows)
        if files_changed or (old_uri is not None and old_uri != target.uri):
            _reset_verification(target)
        target.save()
        if files_changed:
            target.files.all().delete()
            for row in rows:
                row.artifact = target
            ArtifactFile.objects.bulk_create(rows)
    return target


def _history(user):
    """The change-history context naming ``user`` (the request's own context when none)."""
    if user is not None and user.pk:
        return pghistory.context(user=user.pk)
    return nullcontext()


def artifact_files_from_manifest(*, artifact: Artifact, manifest_text: str, user=None) -> Artifact:
    """Record ``artifact``'s files from a manifest (the publisher's checksum listing, or the
    one written when the copy was made), replacing the recorded list; a manifest without
    sizes cannot be recorded (every file needs one). Resets the verification.

    Raises :class:`ArtifactInputError` (``manifest`` or ``files[i].<field>``) and writes
    nothing when the manifest is invalid.
    """
    entries = manifest_parse(manifest_text)
    for entry in entries:
        if entry.size_bytes is None:
            raise ArtifactInputError({"manifest": str(MANIFEST_NO_SIZE % {"path": entry.path})})
    return artifact_upsert(
        artifact=artifact,
        variant=artifact.variant,
        uri=artifact.uri,
        format=artifact.format,
        quantization=artifact.quantization,
        upstream_revision=artifact.upstream_revision,
        note=artifact.note,
        files=[
            {"path": entry.path, "size_bytes": entry.size_bytes, "sha256": entry.sha256}
            for entry in entries
        ],
        user=user,
    )


# --- Manifests ---------------------------------------------------------------------------------


def _translated(message: manifests.Message) -> str:
    params = dict(message.params)
    if message.template in MESSAGES:
        return str(MESSAGES[message.template] % params)
    return message.text


def manifest_parse(text: str) -> list[ManifestEntry]:
    """The files a manifest lists, in its order (:func:`adoption.manifests.parse_manifest`,
    within :data:`MAX_MANIFEST_BYTES` and :data:`MAX_MANIFEST_ENTRIES`).

    Raises :class:`ArtifactInputError` ``{"manifest": "line 3: ..."}`` (or the JSON entry,
    ``[2].sha256``, ``siblings[4].lfs.sha256``) naming what is wrong, in the current language.
    """
    try:
        return manifests.parse_manifest(
            text, max_bytes=MAX_MANIFEST_BYTES, max_entries=MAX_MANIFEST_ENTRIES
        )
    except manifests.ManifestError as exc:
        message = _translated(exc.message)
        if exc.line is not None:
            message = str(AT_LINE % {"line": exc.line, "message": message})
        elif exc.entry is not None:
            message = str(AT_ENTRY % {"where": exc.entry, "message": message})
        raise ArtifactInputError({"manifest": message}) from None


# --- Verification ------------------------------------------------------------------------------


def _compare(files: list[ArtifactFile], entries: list[ManifestEntry]) -> list[dict]:
    by_path = {entry.path: entry for entry in entries}
    report: list[dict] = []
    for row in files:
        entry = by_path.get(row.path)
        line = {
            "path": row.path,
            "expected_sha256": row.sha256,
            "found_sha256": entry.sha256 if entry else None,
            "expected_size": row.size_bytes,
            "found_size": entry.size_bytes if entry else None,
        }
        if entry is None:
            status = FileCheck.MISSING
        elif entry.sha256 != row.sha256.lower():
            status = FileCheck.CHECKSUM_DIFFERS
        elif entry.size_bytes is not None and entry.size_bytes != row.size_bytes:
            status = FileCheck.SIZE_DIFFERS
        else:
            status = FileCheck.OK
        report.append({**line, "status": status.value})
    recorded = {row.path for row in files}
    for entry in entries:
        if entry.path not in recorded:
            report.append(
                {
                    "path": entry.path,
                    "expected_sha256": None,
                    "found_sha256": entry.sha256,
                    "expected_size": None,
                    "found_size": entry.size_bytes,
                    "status": FileCheck.EXTRA.value,
                }
            )
    return report


def artifact_verify(*, artifact: Artifact, manifest_text: str | None = None, user=None) -> Artifact:
    """Compare ``artifact``'s recorded files with a manifest; without ``manifest_text``, with
    the checksum file beside the weights (:func:`checksum_file_read`).

    Each recorded file is ok, has a different checksum or size, or is missing from the
    manifest. Manifest entries that are not recorded are reported as "extra" but do not fail
    the verification: a publisher's listing also names READMEs, configs and other
    quantisations that a copy need not hold; what the copy must hold is what is recorded.
    All recorded files ok gives VERIFIED, anything else MISMATCH. The report, each file's
    ``verified`` flag, the time and ``user`` are written in one transaction.

    Raises :class:`ArtifactInputError` (``files``: nothing recorded; ``manifest``; ``uri``)
    and writes nothing when there is nothing to compare.
    """
    if not artifact.files.exists():
        raise ArtifactInputError({"files": str(NO_FILES)})
    if manifest_text is None:
        manifest_text = checksum_file_read(artifact)
    entries = manifest_parse(manifest_text)
    with transaction.atomic(), _history(user):
        locked = Artifact.objects.select_for_update().get(pk=artifact.pk)
        files = list(locked.files.order_by("path", "pk"))
        if not files:
            raise ArtifactInputError({"files": str(NO_FILES)})
        report = _compare(files, entries)
        statuses = {line["path"]: line["status"] for line in report[: len(files)]}
        for row in files:
            row.verified = statuses[row.path] == FileCheck.OK
        ArtifactFile.objects.bulk_update(files, ["verified"])
        all_ok = all(row.verified for row in files)
        locked.verification = Verification.VERIFIED if all_ok else Verification.MISMATCH
        locked.verification_report = report
        locked.verified_at = timezone.now()
        locked.verified_by = user if user is not None and user.pk else None
        locked.save(
            update_fields=[
                "verification",
                "verification_report",
                "verified_at",
                "verified_by",
                "updated_at",
            ]
        )
    for name in ("verification", "verification_report", "verified_at", "verified_by_id"):
        setattr(artifact, name, getattr(locked, name))
    return artifact


def artifact_verify_from_location(*, artifact: Artifact, user=None) -> Artifact:
    """Verify ``artifact`` against the checksum file beside its weights (see
    :func:`checksum_file_read` for where that can be read). Raises :class:`ArtifactInputError`.
    """
    return artifact_verify(artifact=artifact, manifest_text=checksum_file_read(artifact), user=user)
