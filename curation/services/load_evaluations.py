"""Load the curated evaluation files (evaluations/data) with the catalog, in its transaction.

``benchmarks.yaml`` holds the benchmarks (with citations, like any curated record),
``results/<family>.yaml`` published results exactly as their sources print them, and
``claims.yaml`` the seed document's benchmark claims with their verdicts (and the results
quoted in checking them). Like the catalog load it is an upsert by natural key, skips entries
whose digest is unchanged, and refuses the first bad entry naming file, entry and field. A
result is identified by its variant, benchmark, setting and source; a result or claim that
came from the files and is no longer in them is removed (an editor's own entries, such as
internal runs, never came from the files and are left alone).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.fileformat import KINDS, catalog_files
from catalog.models import ModelVersion
from core.statistics import refresh_statistics_on_commit
from curation.services.load import (
    CatalogLoadError,
    CatalogLoadReport,
    _digest,
    _Entry,
    _Loader,
    _read,
    _validation_error,
)
from evaluations.fileformat import (
    BENCHMARK_FIELDS,
    CLAIM_FIELDS,
    DATA_DIR,
    RESULT_KEYS,
    SETTING_FIELDS,
    SOURCE_FIELDS,
)
from evaluations.models import Benchmark, Claim, Result
from evaluations.services import ResultInputError, result_build, variant_index


def evaluation_files(root: Path) -> list[tuple[Path, tuple[str, ...]]]:
    """The evaluation files under ``root``, in load order, with the sections each may hold."""
    base = root / DATA_DIR
    files: list[tuple[Path, tuple[str, ...]]] = [(base / "benchmarks.yaml", ("benchmarks",))]
    files += [(path, ("results", "omitted")) for path in sorted(base.glob("results/*.yaml"))]
    files.append((base / "claims.yaml", ("claims", "results")))
    return [(path, kinds) for path, kinds in files if path.exists()]


def _mapping(entry: _Entry, name: str, keys: tuple[str, ...]) -> dict[str, Any]:
    value = entry.data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise entry.error(name, "must be a mapping.")
    for key in value:
        if key not in keys:
            raise entry.error(f"{name}.{key}", "unknown field.")
    return value


class _EvaluationLoader:
    def __init__(self, loader: _Loader, report: CatalogLoadReport):
        self.loader = loader
        self.report = report
        self.benchmarks = {b.slug: b for b in Benchmark.objects.all()}
        self.variants: dict[str, Any] | None = None
        self.results = {self._result_key(r): r for r in Result.objects.all()}
        # An entry unchanged since its last load is found by its digest alone, unbuilt.
        self.by_digest = {r.catalog_digest: r for r in self.results.values() if r.catalog_digest}
        self.claims = {(c.version_id, c.seed_text): c for c in Claim.objects.all()}
        self.kept_results: set[int] = set()
        self.deferred: list[tuple[_Entry, Benchmark, str]] = []
        self.kept_claims: set[int] = set()

    @staticmethod
    def _result_key(result: Result) -> tuple:
        return (
            result.variant_id,
            result.benchmark_id,
            result.comparable_key,
            result.sampling,
            result.checkpoint,
            result.source_url,
            result.source_title,
            result.date,
        )

    # -- benchmarks ------------------------------------------------------------------------
    def benchmark(self, entry: _Entry) -> None:
        data = entry.data
        known = {*BENCHMARK_FIELDS, "derived_from", "sources"}
        for key in data:
            if key not in known:
                raise entry.error(str(key), "unknown field.")
        for key in ("slug", "name", "category", "metric"):
            if data.get(key) in (None, ""):
                raise entry.error(key, "is required.")
        digest = _digest(data)
        record = self.benchmarks.get(data["slug"])
        if record is not None and record.catalog_digest == digest:
            self.report.unchanged["benchmarks"] += 1
            return
        created = record is None
        record = record or Benchmark()
        for name in BENCHMARK_FIELDS:
            if name in data or created:
                value = data.get(name)
                if name == "languages":
                    if value is not None and not (
                        isinstance(value, list) and all(isinstance(v, str) for v in value)
                    ):
                        raise entry.error(name, "must be a list of language codes.")
                    setattr(record, name, value or [])
                    continue
                setattr(record, name, self.loader._clean_value(entry, Benchmark, name, value))
        parent = data.get("derived_from")
        if parent is not None and not isinstance(parent, str):
            raise entry.error("derived_from", "must be a benchmark slug.")
        # Resolved once every benchmark exists (an export lists them by slug).
        record.derived_from = self.benchmarks.get(parent) if parent else None
        if parent and record.derived_from is None:
            self.deferred.append((entry, record, parent))
        record.catalog_digest = digest
        try:
            record.full_clean()
        except ValidationError as exc:
            raise _validation_error(entry, exc) from None
        record.save()
        self.benchmarks[record.slug] = record
        self.loader._citations(entry, record)
        (self.report.created if created else self.report.updated)["benchmarks"] += 1

    def resolve_deferred(self) -> None:
        for entry, record, parent in self.deferred:
            found = self.benchmarks.get(parent)
            if found is None:
                raise entry.error("derived_from", f"unknown benchmark '{parent}'.")
            record.derived_from = found
            record.save(update_fields=["derived_from", "updated_at"])
        self.deferred = []

    # -- results ---------------------------------------------------------------------------
    def result(self, entry: _Entry) -> None:
        data = entry.data
        unchanged = self.by_digest.get(_digest(data))
        if unchanged is not None and unchanged.pk not in self.kept_results:
            self.kept_results.add(unchanged.pk)
            self.report.unchanged["results"] += 1
            return
        for key in data:
            if key not in RESULT_KEYS:
                raise entry.error(str(key), "unknown field.")
        setting = _mapping(entry, "setting", SETTING_FIELDS)
        source = _mapping(entry, "source", SOURCE_FIELDS)
        values = {
            "variant": data.get("variant"),
            "benchmark": data.get("benchmark"),
            "benchmark_version": data.get("benchmark_version"),
            "value": data.get("value"),
            "metric": data.get("metric"),
            **{name: setting.get(name) for name in SETTING_FIELDS},
            "reported_by": data.get("reported_by"),
            "reporter": data.get("reporter"),
            "date": data.get("date"),
            "source_url": source.get("url"),
            "source_title": source.get("title"),
            "source_locator": source.get("locator"),
            "source_quote": source.get("quote"),
            "note": data.get("note"),
        }
        if values["reported_by"] == "internal":
            raise entry.error(
                "reported_by", "internal results are the company's: enter them, never commit them."
            )
        if self.variants is None:
            self.variants = variant_index()
        names = {name: name for name in values}
        names.update({name: f"setting.{name}" for name in SETTING_FIELDS})
        names.update({f"source_{k}": f"source.{k}" for k in SOURCE_FIELDS})
        try:
            # Duplicates are found by key below, against the files and the database alike.
            built = result_build(
                values=values,
                variants=self.variants,
                benchmarks=self.benchmarks,
                check_duplicates=False,
            )
        except ResultInputError as exc:
            raise entry.error(names.get(exc.field or "", exc.field), exc.message) from None
        identity = self._result_key(built)
        digest = _digest(data)
        existing = self.results.get(identity)
        if existing is not None and existing.pk in self.kept_results:
            raise entry.error(
                None, "repeats an earlier entry: same variant, benchmark, setting and source."
            )
        if existing is not None and existing.catalog_digest == digest:
            self.kept_results.add(existing.pk)
            self.report.unchanged["results"] += 1
            return
        if existing is not None:
            built.pk, built.created_at, built.created_by_id = (
                existing.pk,
                existing.created_at,
                existing.created_by_id,
            )
        built.catalog_digest = digest
        built.save()
        self.results[identity] = built
        self.kept_results.add(built.pk)
        (self.report.updated if existing is not None else self.report.created)["results"] += 1

    # -- claims ----------------------------------------------------------------------------
    def claim(self, entry: _Entry) -> None:
        data = entry.data
        for key in data:
            if key not in CLAIM_FIELDS:
                raise entry.error(str(key), "unknown field.")
        for key in ("seed_text", "subject", "verdict", "explanation"):
            if data.get(key) in (None, ""):
                raise entry.error(key, "is required.")
        source = _mapping(entry, "source", SOURCE_FIELDS)
        if not source.get("url"):
            raise entry.error("source.url", "is required.")
        subject = data["subject"]
        parts = subject.split("/") if isinstance(subject, str) else []
        if len(parts) not in (2, 3):
            raise entry.error("subject", "must be family/version or family/version/variant.")
        version = ModelVersion.objects.filter(family__slug=parts[0], slug=parts[1]).first()
        if version is None:
            raise entry.error("subject", f"unknown version '{parts[0]}/{parts[1]}'.")
        variant = None
        if len(parts) == 3:
            if self.variants is None:
                self.variants = variant_index()
            variant = self.variants.get(subject)
            if variant is None:
                raise entry.error("subject", f"unknown variant '{subject}'.")
        benchmark = None
        if data.get("benchmark"):
            benchmark = self.benchmarks.get(data["benchmark"])
            if benchmark is None:
                raise entry.error("benchmark", f"unknown benchmark '{data['benchmark']}'.")
        digest = _digest(data)
        record = self.claims.get((version.pk, data["seed_text"]))
        if record is not None and record.pk in self.kept_claims:
            raise entry.error("seed_text", "repeats an earlier claim of the same version.")
        if record is not None and record.catalog_digest == digest:
            self.kept_claims.add(record.pk)
            self.report.unchanged["claims"] += 1
            return
        created = record is None
        record = record or Claim()
        record.seed_text = data["seed_text"]
        record.version, record.variant, record.benchmark = version, variant, benchmark
        record.verdict = data["verdict"]
        record.explanation = data["explanation"]
        record.source_url = source.get("url") or ""
        record.source_title = source.get("title") or ""
        record.source_locator = source.get("locator") or ""
        record.source_quote = source.get("quote") or ""
        record.catalog_digest = digest
        try:
            record.full_clean()
        except ValidationError as exc:
            error = _validation_error(entry, exc)
            name = {"source_url": "source.url"}.get(error.field_name or "", error.field_name)
            raise entry.error(name, error.message) from None
        record.save()
        self.claims[(version.pk, record.seed_text)] = record
        self.kept_claims.add(record.pk)
        (self.report.created if created else self.report.updated)["claims"] += 1

    def remove_stale(self) -> None:
        stale = Result.objects.exclude(catalog_digest="").exclude(pk__in=self.kept_results)
        removed = stale.count()
        if removed:
            stale.delete()
            self.report.updated["results (removed)"] += removed
        Claim.objects.exclude(catalog_digest="").exclude(pk__in=self.kept_claims).delete()


EVALUATION_KINDS = ("benchmarks", "results", "claims", "omitted")


def catalog_load(
    *,
    root: Path,
    actor_id: int | None = None,
    progress: Callable[[Iterable], Iterator] | None = None,
    files: list[Path] | None = None,
) -> CatalogLoadReport:
    """Load every catalog file under ``root`` (the project directory) and then the evaluation
    files, or only ``files`` (an evaluation file, or any document holding catalog and
    evaluation sections, such as a registry export), in one transaction.

    ``actor_id`` is recorded with the history of every change; ``progress`` wraps the list of
    entries (a progress bar). Raises :class:`CatalogLoadError` and writes nothing on the first
    bad entry.
    """
    if files is None:
        sources = list(catalog_files(root))
        if (root / DATA_DIR).is_dir():
            sources += evaluation_files(root)
    else:
        known = dict(evaluation_files(root))
        sources = [(path, known.get(path, (*KINDS, *EVALUATION_KINDS))) for path in files]
    with transaction.atomic(), pghistory.context(command="load_catalog", user=actor_id):
        loader = _Loader(root, progress, files)
        entries = [entry for path, kinds in sources for entry in _read(root, path, kinds)]
        report = loader.apply([e for e in entries if e.kind in KINDS])
        evaluations_load(
            entries=[e for e in entries if e.kind in EVALUATION_KINDS],
            loader=loader,
            report=report,
            complete=files is None and (root / DATA_DIR).is_dir(),
            progress=progress,
        )
        refresh_statistics_on_commit("catalog", "licenses", "hardware", "evaluations")
    return report


def evaluations_load(
    *,
    entries: list[_Entry],
    loader: _Loader,
    report: CatalogLoadReport,
    complete: bool,
    progress: Callable[[Iterable], Iterator] | None = None,
) -> None:
    """Apply evaluation ``entries`` inside the caller's transaction, after the catalog they
    refer to. ``complete``: they are every evaluation file, so results and claims that came
    from the files and are no longer in them are removed. Raises ``CatalogLoadError``."""
    order = {kind: position for position, kind in enumerate(EVALUATION_KINDS)}
    entries = sorted(entries, key=lambda e: order[e.kind])  # stable: file order within a kind
    work = _EvaluationLoader(loader, report)
    iterator = progress(entries) if progress else entries
    for entry in iterator:
        if entry.kind == "benchmarks":
            work.benchmark(entry)
            continue
        work.resolve_deferred()
        if entry.kind == "results":
            work.result(entry)
        elif entry.kind == "claims":
            work.claim(entry)
    work.resolve_deferred()
    if complete:
        work.remove_stale()


__all__ = [
    "CatalogLoadError",
    "catalog_load",
    "evaluation_files",
    "evaluations_load",
]
