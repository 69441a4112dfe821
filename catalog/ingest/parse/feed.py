"""The export feed of another registry, format "llmregistry-catalog" version 1 (rules: the
package docstring)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from catalog.ingest.parse.checks import (
    _SLUG,
    _bool,
    _check_json,
    _choice,
    _date,
    _list,
    _object,
    _optional_object,
    _optional_whole,
    _repo_id,
    _shown,
    _slug,
    _text,
    canonical_json,
)
from catalog.ingest.parse.common import (
    _ARCHITECTURE_TEXT,
    ARCHITECTURE_FIELDS,
    DUPLICATE,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    LINEAGE_KINDS,
    MAX_ARCHITECTURE_NUMBER,
    MAX_CONTEXT_TOKENS,
    MAX_NAME_CHARS,
    MAX_PARAMETERS,
    MAX_VERSION_NAME_CHARS,
    NOT_A_NUMBER,
    NOT_A_VARIANT_KEY,
    NOT_A_VERSION_KEY,
    OTHER_CHILD,
    UNREADABLE,
    VARIANT_KINDS,
    WRONG_FORMAT,
    ParseError,
    ReleaseFacts,
)

_ARCHITECTURE_FLAGS = ("tie_word_embeddings", "qkv_bias")
_FEED_SECTIONS = (
    "organizations",
    "features",
    "licenses",
    "accelerators",
    "profiles",
    "size_tiers",
    "families",
    "versions",
    "variants",
    "lineage",
)


def _key(entry: Mapping[str, Any], name: str) -> str | None:
    value = entry.get(name)
    return value if isinstance(value, str) else None


def _index(entries: list[Mapping[str, Any]], section: str, key) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for i, entry in enumerate(entries):
        value = key(entry)
        if value is None:
            continue
        if value in found:
            raise ParseError(f"{section}[{i}]", DUPLICATE.format(value=_shown(value)))
        found[value] = entry
    return found


def feed_entries(document: Any) -> list[dict[str, Any]]:
    """Split an export document into one bundle per variant entry.

    Each bundle: ``{"variant", "version", "family", "organization", "license", "lineage"}`` —
    the variant's entry, the entries it refers to (``None`` where the document lacks one) and
    the lineage entries whose child it is. Raises :class:`ParseError` for a document that is
    not an export (format, format_version), a section that is not a list of objects, or a key
    given twice."""
    document = _object(document, "document")
    if document.get("format") != EXPORT_FORMAT:
        raise ParseError(
            "format",
            WRONG_FORMAT.format(value=_shown(document.get("format")), expected=repr(EXPORT_FORMAT)),
        )
    version = document.get("format_version")
    if isinstance(version, bool) or version != EXPORT_VERSION:
        raise ParseError(
            "format_version", WRONG_FORMAT.format(value=_shown(version), expected=EXPORT_VERSION)
        )
    sections: dict[str, list[Mapping[str, Any]]] = {}
    for section in _FEED_SECTIONS:
        entries = _list(document.get(section, []), section, limit=1_000_000)
        for i, entry in enumerate(entries):
            _object(entry, f"{section}[{i}]")
        sections[section] = entries

    def slug(entry):
        return _key(entry, "slug")

    organizations = _index(sections["organizations"], "organizations", slug)
    licenses = _index(sections["licenses"], "licenses", slug)
    families = _index(sections["families"], "families", slug)

    def version_key(entry):
        family, own = _key(entry, "family"), _key(entry, "slug")
        return f"{family}/{own}" if family and own else None

    def variant_key(entry):
        version, own = _key(entry, "version"), _key(entry, "slug")
        return f"{version}/{own}" if version and own else None

    versions = _index(sections["versions"], "versions", version_key)
    _index(sections["variants"], "variants", variant_key)
    lineage: dict[str, list[Mapping[str, Any]]] = {}
    for entry in sections["lineage"]:
        child = _key(entry, "child")
        if child:
            lineage.setdefault(child, []).append(entry)

    bundles = []
    for variant in sections["variants"]:
        version = versions.get(_key(variant, "version") or "")
        family_slug = _key(version, "family") if version else None
        if family_slug is None:
            family_slug = (_key(variant, "version") or "").partition("/")[0]
        family = families.get(family_slug)
        organization = organizations.get(_key(family, "organization") or "") if family else None
        license_slug = _key(variant, "license") or (_key(version, "license") if version else None)
        bundles.append(
            {
                "variant": variant,
                "version": version,
                "family": family,
                "organization": organization,
                "license": licenses.get(license_slug or ""),
                "lineage": lineage.get(variant_key(variant) or "", []),
            }
        )
    return bundles


# Architecture numbers the catalog stores as zero or more rather than one or more.
_ARCHITECTURE_ZERO_ALLOWED = frozenset(("first_dense_layers", "num_shared_experts"))


def _feed_architecture(value: Any) -> dict[str, Any]:
    where = "variant.architecture"
    numbers = _optional_object(value, where)
    values: dict[str, Any] = {}
    for name in ARCHITECTURE_FIELDS:
        item, at = numbers.get(name), f"{where}.{name}"
        if name in _ARCHITECTURE_TEXT:
            values[name] = _text(item, at, limit=_ARCHITECTURE_TEXT[name])
        elif name in _ARCHITECTURE_FLAGS:
            values[name] = None if item is None else _bool(item, at)
        elif name == "rope_theta":
            if item is not None and (
                isinstance(item, bool) or not isinstance(item, int | float) or item <= 0
            ):
                raise ParseError(at, NOT_A_NUMBER.format(value=_shown(item)))
            values[name] = None if item is None else float(item)
        else:
            limit = MAX_CONTEXT_TOKENS if name == "max_position_embeddings" else None
            values[name] = _optional_whole(
                item,
                at,
                limit=limit or MAX_ARCHITECTURE_NUMBER,
                # DeepSeek-style MoE with no leading dense layer stores 0 (the catalog allows it).
                positive=name not in _ARCHITECTURE_ZERO_ALLOWED,
            )
    return values


def _feed_version(entry: Any, family: str, version: str) -> dict[str, Any]:
    if entry is None:
        return {"family": family, "slug": version}
    entry = _object(entry, "version")
    _slug(entry.get("slug"), "version.slug")
    _text(entry.get("name"), "version.name", limit=MAX_VERSION_NAME_CHARS, required=True)
    _date(entry.get("release_date"), "version.release_date")
    for name in ("default_context_tokens", "max_context_tokens"):
        _optional_whole(entry.get(name), f"version.{name}", limit=MAX_CONTEXT_TOKENS)
    _optional_whole(entry.get("training_tokens"), "version.training_tokens", limit=10**18)
    if entry.get("license") is not None:
        _slug(entry.get("license"), "version.license")
    for i, feature in enumerate(_list(entry.get("features") or [], "version.features")):
        _slug(feature, f"version.features[{i}]")
    return dict(entry)


def _feed_lineage(entries: Any, child: str) -> tuple[dict[str, str], ...]:
    found = []
    for i, item in enumerate(_list(entries or [], "lineage")):
        entry = _object(item, f"lineage[{i}]")
        if entry.get("child") != child:
            raise ParseError(
                f"lineage[{i}].child", OTHER_CHILD.format(value=_shown(entry.get("child")))
            )
        parent = _text(entry.get("parent"), f"lineage[{i}].parent", limit=300, required=True)
        if len(parent.split("/")) != 3 or not all(_SLUG.match(p) for p in parent.split("/")):
            raise ParseError(f"lineage[{i}].parent", NOT_A_VARIANT_KEY.format(value=_shown(parent)))
        kind = _choice(entry.get("kind"), f"lineage[{i}].kind", LINEAGE_KINDS)
        note = _text(entry.get("note"), f"lineage[{i}].note")
        found.append({"parent": parent, "kind": kind, "note": note})
    return tuple(sorted(found, key=canonical_json))


def parse_feed_entry(bundle: Any, *, feed_label: str) -> ReleaseFacts:
    """Read one bundle of :func:`feed_entries`.

    ``feed_label``: the export URL or file the bundle came from (the candidate's link). The
    revision is the SHA-256 of the bundle's canonical JSON (lineage in a fixed order), so it
    changes exactly when the variant or an entry it refers to changes. Raises
    :class:`ParseError` naming the field ("variant.total_parameters", "lineage[0].kind")."""
    bundle = _object(bundle, "bundle")
    _check_json(bundle, "")
    entry = _object(bundle.get("variant"), "variant")
    slug = _slug(entry.get("slug"), "variant.slug")
    version_key = _text(entry.get("version"), "variant.version", limit=200, required=True)
    family_slug, _, version_slug = version_key.partition("/")
    if not _SLUG.match(family_slug) or not _SLUG.match(version_slug):
        raise ParseError("variant.version", NOT_A_VERSION_KEY.format(value=_shown(version_key)))
    upstream_id = f"{version_key}/{slug}"

    variant: dict[str, Any] = {
        "name": _text(entry.get("name"), "variant.name", limit=MAX_NAME_CHARS, required=True),
        "slug": slug,
        "kind": _choice(entry.get("kind", "base"), "variant.kind", VARIANT_KINDS),
    }
    for name in ("description", "description_zh", "seed_claim"):
        if name in entry:
            variant[name] = _text(entry[name], f"variant.{name}")
    if "release_date" in entry:
        variant["release_date"] = _date(entry["release_date"], "variant.release_date")
    for name in ("hf_repo_id", "modelscope_repo_id"):
        if name in entry:
            value = entry[name]
            variant[name] = _repo_id(value, f"variant.{name}") if value else ""
    for name in ("total_parameters", "active_parameters"):
        if name in entry:
            variant[name] = _optional_whole(entry[name], f"variant.{name}", limit=MAX_PARAMETERS)
    if "config" in entry:
        variant["config"] = (
            None if entry["config"] is None else dict(_object(entry["config"], "variant.config"))
        )
    variant.update(_feed_architecture(entry.get("architecture")))

    version = _feed_version(bundle.get("version"), family_slug, version_slug)
    family = bundle.get("family")
    if family is not None:
        _slug(_object(family, "family").get("slug"), "family.slug")
    license_entry = bundle.get("license")
    if license_entry is not None:
        _slug(_object(license_entry, "license").get("slug"), "license.slug")
    license_tag = entry.get("license") or version.get("license") or ""
    license_tag = _slug(license_tag, "variant.license") if license_tag else ""
    lineage = _feed_lineage(bundle.get("lineage"), upstream_id)
    sources = _list(entry.get("sources") or [], "variant.sources")
    for i, source in enumerate(sources):
        _object(source, f"variant.sources[{i}]")

    try:
        stable = {**bundle, "lineage": sorted(bundle.get("lineage") or [], key=canonical_json)}
        revision = hashlib.sha256(canonical_json(stable).encode("utf-8")).hexdigest()
    except (TypeError, ValueError) as exc:  # a Mapping json cannot write
        raise ParseError("bundle", UNREADABLE.format(error=_shown(str(exc)))) from None
    return ReleaseFacts(
        source="feed",
        upstream_id=upstream_id,
        revision=revision,
        upstream_url=feed_label,
        variant=variant,
        license_tag=license_tag,
        family_guess=family_slug,
        version_guess=version,
        lineage=lineage,
        notes=(),
        extra={
            "family": family,
            "organization": bundle.get("organization"),
            "license": license_entry,
            "sources": list(sources),
        },
    )
