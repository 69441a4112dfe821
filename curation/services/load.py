"""Load the curated catalog (YAML files in the repository) into the database.

The load is an upsert by natural key (slugs), idempotent and atomic:

* Each record remembers the digest of the file entry last applied to it. An entry whose
  digest is unchanged is skipped, so a second load writes nothing (and records no history),
  and an editor's change made in the admin survives until the file entry itself changes.
* Every entry is validated with the model's ``full_clean()``; the first problem aborts the
  whole load with a :class:`CatalogLoadError` naming the file, the entry and the field, and the
  transaction leaves the database as it was.

The file format is defined in ``catalog/fileformat.py`` and documented in
docs/catalog-format.md.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pghistory
import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from catalog.fileformat import (
    EXPORT_FORMAT,
    EXPORT_META_KEYS,
    EXPORT_VERSION,
    KINDS,
    NATURAL_KEYS,
    REFERENCE_KINDS,
    SOURCE_KEYS,
    Kind,
    catalog_files,
)
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS as ARCHITECTURE_KEYS
from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    Source,
)
from catalog.services import version_features_set
from core.jsonsafe import NOT_FINITE, NUL, unstorable
from core.statistics import refresh_statistics_on_commit
from curation.services.records import records_changed_together
from estimator import ConfigError, parse_config
from hardware.models import Accelerator, HardwareProfile, SizeTier
from licenses.models import License

# What a file's value may not hold (core.jsonsafe names the problem).
UNSTORABLE = {
    NUL: "null characters are not allowed.",
    NOT_FINITE: "numbers must be finite (not .nan or .inf).",
}


class CatalogLoadError(Exception):
    """A catalog file cannot be loaded; the message names the file, entry and field."""

    def __init__(self, path: str, entry: str | None, field_name: str | None, message: str):
        self.path, self.entry, self.field_name, self.message = path, entry, field_name, message
        where = path
        if entry:
            where += f": {entry}"
        if field_name:
            where += f": field '{field_name}'"
        super().__init__(f"{where}: {message}")


@dataclass
class CatalogLoadReport:
    """What a load did, per kind of record: created, updated and unchanged counts."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
        ]


@dataclass
class _Entry:
    path: str
    kind: str
    index: int
    data: dict[str, Any]

    @property
    def label(self) -> str:
        key = self.data.get("slug") or self.data.get("child") or ""
        return f"{self.kind} entry {self.index + 1}" + (f" ({key})" if key else "")

    def error(self, field_name: str | None, message: str) -> CatalogLoadError:
        return CatalogLoadError(self.path, self.label, field_name, message)


# The model each section of the file format fills (catalog/fileformat.py).
MODELS: dict[str, type[models.Model]] = {
    "organizations": Organization,
    "features": ArchitectureFeature,
    "licenses": License,
    "accelerators": Accelerator,
    "profiles": HardwareProfile,
    "size_tiers": SizeTier,
    "families": ModelFamily,
    "versions": ModelVersion,
    "variants": ModelVariant,
    "lineage": Lineage,
}


# libyaml reads a catalog in a tenth of the pure-Python parser's time, but composes nested
# nodes by recursion in C: a document nested thousands deep would overflow the stack. Its
# events are read first (no recursion) and a document deeper than this is refused. A catalog
# file is 6 levels deep.
MAX_YAML_DEPTH = 100
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _yaml_document(text: str):
    depth = 0
    for event in yaml.parse(text, Loader=YAML_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise RecursionError
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.load(text, Loader=YAML_LOADER)  # noqa: S506 - a safe loader, libyaml's


def _read(root: Path, path: Path, allowed: tuple[str, ...]) -> list[_Entry]:
    shown = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if not path.exists():
        if path.is_symlink():
            raise CatalogLoadError(
                shown, None, None, "symbolic link to nothing (a missing target or a loop)."
            )
        raise CatalogLoadError(shown, None, None, "file not found.")
    if path.is_dir():
        raise CatalogLoadError(shown, None, None, "is a directory, not a catalog file.")
    try:
        text = path.read_text(encoding="utf-8")
        # A registry export is JSON: YAML 1.1 would read its 1e-06 as a string.
        document = json.loads(text) if path.suffix.lower() == ".json" else _yaml_document(text)
    except json.JSONDecodeError as exc:
        raise CatalogLoadError(
            shown, None, None, f"invalid JSON at line {exc.lineno}, column {exc.colno}."
        ) from None
    except RecursionError:
        raise CatalogLoadError(shown, None, None, "nested too deeply.") from None
    except UnicodeDecodeError as exc:
        raise CatalogLoadError(
            shown, None, None, f"not UTF-8 text (byte {exc.start} cannot be decoded)."
        ) from None
    except OSError as exc:
        raise CatalogLoadError(shown, None, None, f"cannot be read: {exc.strerror}.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise CatalogLoadError(shown, None, None, f"invalid YAML{where}.") from None
    if document is None:
        return []
    if not isinstance(document, dict):
        raise CatalogLoadError(shown, None, None, "the file must be a mapping of record lists.")
    entries = []
    if "format" in document:
        if document.get("format") != EXPORT_FORMAT or document.get("format_version") != (
            EXPORT_VERSION
        ):
            raise CatalogLoadError(
                shown,
                None,
                "format",
                f"expected format '{EXPORT_FORMAT}' version {EXPORT_VERSION}.",
            )
        document = {k: v for k, v in document.items() if k not in EXPORT_META_KEYS}
    for key, items in document.items():
        if key not in allowed:
            raise CatalogLoadError(
                shown, None, str(key), f"unknown section; expected one of {', '.join(allowed)}."
            )
        if not isinstance(items, list):
            raise CatalogLoadError(shown, None, str(key), "must be a list of entries.")
        for index, item in enumerate(items):
            entry = _Entry(shown, key, index, item if isinstance(item, dict) else {})
            if not isinstance(item, dict):
                raise entry.error(None, "must be a mapping of fields.")
            for name, value in item.items():
                problem = unstorable([name, value])
                if problem:
                    # Caught here, by name: the database would refuse it with a DataError.
                    raise entry.error(str(name).replace("\x00", ""), UNSTORABLE[problem])
            entries.append(entry)
    return entries


def _refuse_duplicates(entries: list[_Entry]) -> None:
    """Two entries of one kind with the same key would overwrite each other on every load."""
    first: dict[tuple, _Entry] = {}
    for entry in entries:
        names = NATURAL_KEYS.get(entry.kind, ("slug",))
        key = (entry.kind, *(str(entry.data.get(name)) for name in names))
        if key in first:
            other = first[key]
            raise entry.error(
                names[-1], f"duplicates {other.label} of {other.path}: each key may appear once."
            )
        first[key] = entry


def _digest(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _validation_error(entry: _Entry, exc: ValidationError) -> CatalogLoadError:
    if hasattr(exc, "error_dict"):
        name, errors = next(iter(exc.error_dict.items()))
        message = " ".join(str(m) for e in errors for m in e.messages)
        return entry.error(None if name == "__all__" else name, message)
    return entry.error(None, " ".join(exc.messages))


class _Loader:
    def __init__(
        self,
        root: Path,
        progress: Callable[[Iterable], Iterator] | None,
        files: list[Path] | None = None,
    ):
        self.root = root
        self.files = files
        self.progress = progress
        self.report = CatalogLoadReport()
        self.by_key: dict[str, dict[Any, models.Model]] = {}
        self.sources: dict[str, Source] = {s.url: s for s in Source.objects.all()}
        self.content_types: dict[type, ContentType] = {}
        self.applied: set[int] = set()  # entries written in this run
        self.written: dict[str, list[models.Model]] = {}

    # -- references ------------------------------------------------------------------------
    def _index(self, kind: str) -> dict[Any, models.Model]:
        if kind not in self.by_key:
            if kind == "versions":
                versions = ModelVersion.objects.select_related("family")
                self.by_key[kind] = {(v.family.slug, v.slug): v for v in versions}
            elif kind == "variants":
                variants = ModelVariant.objects.select_related("version__family")
                self.by_key[kind] = {
                    (v.version.family.slug, v.version.slug, v.slug): v for v in variants
                }
            elif kind == "lineage":
                self.by_key[kind] = {
                    (e.child_id, e.parent_id, e.kind): e for e in Lineage.objects.all()
                }
            else:
                records: Any = MODELS[kind]._default_manager.all()  # every kind has a slug
                self.by_key[kind] = {r.slug: r for r in records}
        return self.by_key[kind]

    def resolve(self, entry: _Entry, field_name: str, reference: str, value: Any):
        if value is None:
            return None
        kind, parts = REFERENCE_KINDS[reference]
        if not isinstance(value, str):
            raise entry.error(field_name, f"must be a {reference} reference (text).")
        key: Any = value if parts == 1 else tuple(value.split("/"))
        if parts > 1 and len(key) != parts:
            shape = "family/version" if parts == 2 else "family/version/variant"
            raise entry.error(field_name, f"'{value}' must have the form {shape}.")
        found = self._index(kind).get(key)
        if found is None:
            raise entry.error(field_name, f"unknown {reference} '{value}'.")
        return found

    # -- values ----------------------------------------------------------------------------
    def _clean_value(self, entry: _Entry, model: type[models.Model], name: str, value: Any):
        model_field = model._meta.get_field(name)
        assert isinstance(model_field, models.Field)  # plain fields only, never a relation
        if value is None and not model_field.null:
            if model_field.has_default():
                value = model_field.get_default()
            elif isinstance(model_field, models.CharField | models.TextField):
                value = ""
        if isinstance(value, float) and isinstance(model_field, models.DecimalField):
            value = str(value)  # YAML reads 165.2 as a float; keep the digits as written.
        if isinstance(value, datetime.date) and not isinstance(model_field, models.DateField):
            value = value.isoformat()
        try:
            return model_field.to_python(value)
        except ValidationError as exc:
            raise entry.error(name, " ".join(exc.messages)) from None

    def _values(self, entry: _Entry, spec: Kind) -> dict[str, Any]:
        data = entry.data
        known = {*spec.plain, *spec.references, *spec.extra, "sources"}
        if spec.key == "versions":
            known.add("family")
        for key in data:
            if key not in known:
                raise entry.error(str(key), "unknown field.")
        for key in spec.required:
            if data.get(key) in (None, ""):
                raise entry.error(key, "is required.")
        values = {
            name: self._clean_value(entry, MODELS[spec.key], name, data.get(name))
            for name in spec.plain
        }
        for name, reference in spec.references.items():
            if name not in spec.deferred:
                values[name] = self.resolve(entry, name, reference, data.get(name))
        if spec.key == "variants":
            values.update(self._architecture(entry, values))
        return values

    def _architecture(self, entry: _Entry, values: dict[str, Any]) -> dict[str, Any]:
        numbers: dict[str, Any] = dict.fromkeys(ARCHITECTURE_KEYS)
        numbers["architecture_class"] = numbers["model_type"] = numbers["rope_scaling_type"] = ""
        config = values.get("config")
        if config is not None:
            try:
                parsed = parse_config(config)
            except ConfigError as exc:
                field_name = f"config.{exc.field}" if exc.field else "config"
                raise entry.error(field_name, str(exc)) from None
            numbers.update({k: v for k, v in parsed.as_dict().items() if k in numbers})
        overrides = entry.data.get("architecture") or {}
        if not isinstance(overrides, dict):
            raise entry.error("architecture", "must be a mapping of architecture numbers.")
        for key, value in overrides.items():
            if key not in numbers:
                raise entry.error(f"architecture.{key}", "unknown architecture field.")
            numbers[key] = self._clean_value(entry, ModelVariant, key, value)
        return numbers

    # -- records ---------------------------------------------------------------------------
    def _natural_key(self, kind: str, values: dict[str, Any]):
        if kind == "versions":
            return (values["family"].slug, values["slug"])
        if kind == "variants":
            return (values["version"].family.slug, values["version"].slug, values["slug"])
        if kind == "lineage":
            return (values["child"].pk, values["parent"].pk, values["kind"])
        return values["slug"]

    def upsert(self, entry: _Entry) -> None:
        spec = KINDS[entry.kind]
        values = self._values(entry, spec)
        digest = _digest(entry.data)
        index = self._index(entry.kind)
        key = self._natural_key(entry.kind, values)
        # Any: the loader is generic over the file's kinds, each a CuratedRecord or Lineage.
        record: Any = index.get(key)
        if record is not None and record.catalog_digest == digest:
            self.report.unchanged[entry.kind] += 1
            return
        created = record is None
        if created:
            record = MODELS[entry.kind]()
        changed = created
        for name, value in values.items():
            if name in spec.references:
                changed |= getattr(record, f"{name}_id") != (value.pk if value else None)
            else:
                changed |= getattr(record, name) != value
            setattr(record, name, value)
        record.catalog_digest = digest
        self.applied.add(id(entry))
        try:
            record.full_clean()
        except ValidationError as exc:
            raise _validation_error(entry, exc) from None
        record.save()
        self.written.setdefault(entry.kind, []).append(record)
        index[key] = record
        if entry.kind == "versions":
            features = [
                self.resolve(entry, "features", "feature", slug)
                for slug in entry.data.get("features") or []
            ]
            changed |= version_features_set(version=record, features=features)
        changed |= self._citations(entry, record)
        bucket = (
            self.report.created
            if created
            else (self.report.updated if changed else self.report.unchanged)
        )
        bucket[entry.kind] += 1

    def resolve_deferred(self, entry: _Entry) -> None:
        spec = KINDS[entry.kind]
        if not spec.deferred or id(entry) not in self.applied:
            # Unchanged file entries leave the record (and an editor's edits) alone.
            return
        values = {
            name: self.resolve(entry, name, spec.references[name], entry.data.get(name))
            for name in spec.deferred
        }
        record = self._index(entry.kind)[self._natural_key(entry.kind, self._values(entry, spec))]
        dirty = [
            name
            for name, value in values.items()
            if getattr(record, f"{name}_id") != (value.pk if value else None)
        ]
        if not dirty:
            return
        for name in dirty:
            setattr(record, name, values[name])
        try:
            record.full_clean()
        except ValidationError as exc:
            raise _validation_error(entry, exc) from None
        record.save(update_fields=[*dirty, "updated_at"])

    def _citations(self, entry: _Entry, record: models.Model) -> bool:
        raw = entry.data.get("sources") or []
        if not isinstance(raw, list):
            raise entry.error("sources", "must be a list of sources.")
        content_type = self.content_types.setdefault(
            type(record), ContentType.objects.get_for_model(record)
        )
        existing = {
            c.source_id: c
            for c in Citation.objects.filter(content_type=content_type, object_id=record.pk)
        }
        changed = False
        kept: set[int] = set()
        # The same URL cited twice for one record (for different fields) is one citation.
        merged: dict[int, tuple[Source, list[dict[str, Any]]]] = {}
        for position, item in enumerate(raw, start=1):
            label = f"sources[{position}]"
            if not isinstance(item, dict):
                raise entry.error(label, "must be a mapping with at least 'url'.")
            unknown = set(item) - SOURCE_KEYS
            if unknown:
                raise entry.error(f"{label}.{sorted(unknown)[0]}", "unknown field.")
            source = self._source(entry, label, item)
            fields = item.get("fields") or []
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise entry.error(f"{label}.fields", "must be a list of field names.")
            wanted = {
                "fields": fields,
                "quote": str(item.get("quote") or "").strip(),
                "note": str(item.get("note") or "").strip(),
            }
            merged.setdefault(source.pk, (source, []))[1].append(wanted)
        for source_id, (source, parts) in merged.items():
            wanted = {
                "fields": list(dict.fromkeys(f for part in parts for f in part["fields"])),
                "quote": "\n…\n".join(p["quote"] for p in parts if p["quote"]),
                "note": "\n".join(p["note"] for p in parts if p["note"]),
            }
            citation = existing.get(source_id)
            if citation is None:
                citation = Citation(
                    source=source, content_type=content_type, object_id=record.pk, **wanted
                )
            elif all(getattr(citation, k) == v for k, v in wanted.items()):
                kept.add(source_id)
                continue
            else:
                for k, v in wanted.items():
                    setattr(citation, k, v)
            try:
                citation.full_clean(exclude=["content_type", "object_id", "source"])
            except ValidationError as exc:
                raise _validation_error(entry, exc) from None
            citation.save()
            kept.add(source_id)
            changed = True
        stale = [c.pk for source_id, c in existing.items() if source_id not in kept]
        if stale:
            Citation.objects.filter(pk__in=stale).delete()
            changed = True
        return changed

    def _source(self, entry: _Entry, label: str, item: dict[str, Any]) -> Source:
        url = item.get("url")
        if not url or not isinstance(url, str):
            raise entry.error(f"{label}.url", "is required.")
        wanted = {
            "title": str(item.get("title") or "")[:300],
            "publisher": str(item.get("publisher") or "")[:200],
            "accessed_on": self._clean_value(entry, Source, "accessed_on", item.get("accessed")),
        }
        source = self.sources.get(url)
        if source is not None:
            # A source cited by several entries keeps the first non-empty description.
            missing = {k: v for k, v in wanted.items() if v and not getattr(source, k)}
            if not missing:
                return source
            for k, v in missing.items():
                setattr(source, k, v)
        else:
            source = Source(url=url, **wanted)
        try:
            source.full_clean(validate_unique=False)
        except ValidationError as exc:
            err = _validation_error(entry, exc)
            raise entry.error(f"{label}.{err.field_name or 'url'}", err.message) from None
        source.save()
        self.sources[url] = source
        return source

    # -- driver ----------------------------------------------------------------------------
    def run(self) -> CatalogLoadReport:
        entries: list[_Entry] = []
        if self.files is not None:
            sources = [(path, tuple(KINDS)) for path in self.files]
        else:
            sources = catalog_files(self.root)
        for path, kinds in sources:
            entries.extend(_read(self.root, path, kinds))
        return self.apply(entries)

    def apply(self, entries: list[_Entry]) -> CatalogLoadReport:
        """Upsert ``entries`` (read from the files) in load order, then the deferred
        references; one recompute after commit."""
        _refuse_duplicates(entries)
        order = {kind: position for position, kind in enumerate(KINDS)}
        entries.sort(key=lambda e: order[e.kind])  # stable: file order within a kind
        iterator = self.progress(entries) if self.progress else entries
        for entry in iterator:
            self.upsert(entry)
        for entry in entries:
            self.resolve_deferred(entry)
        self._enqueue_recompute()
        return self.report

    def _enqueue_recompute(self) -> None:
        """One recompute after commit for everything the load wrote."""
        written = self.written
        hardware = written.get("accelerators", []) + written.get("profiles", [])
        records_changed_together(
            {
                ModelVariant: [r.pk for r in written.get("variants", [])],
                ModelVersion: [r.pk for r in written.get("versions", [])],
                ModelFamily: [r.pk for r in written.get("families", [])],
                HardwareProfile: [r.pk for r in hardware],
            }
        )


def catalog_files_load(
    *,
    root: Path,
    actor_id: int | None = None,
    progress: Callable[[Iterable], Iterator] | None = None,
    files: list[Path] | None = None,
) -> CatalogLoadReport:
    """The catalog part of ``catalog_load`` (curation/services/load_evaluations.py), which
    loads the evaluation files after it in the same transaction.

    Load every catalog file under ``root`` (the project directory), or only ``files``
    (documents holding any sections, such as a registry export), in one transaction.

    ``actor_id`` is recorded with the history of every change; ``progress`` wraps the list of
    entries (a progress bar). Raises :class:`CatalogLoadError` and writes nothing on the first
    bad entry.
    """
    with transaction.atomic(), pghistory.context(command="load_catalog", user=actor_id):
        report = _Loader(root, progress, files).run()
        refresh_statistics_on_commit("catalog", "licenses", "hardware")
    return report
