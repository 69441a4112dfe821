"""Ingestion runs: fetch upstream releases, parse them, and prepare release candidates.

Nothing here writes to the catalog itself: a run only creates or updates
:class:`~catalog.models.ReleaseCandidate` rows, which editors review (``review.py``).

* **Idempotent.** A candidate is unique per upstream identity (a database constraint). An entry
  whose upstream revision is the one already recorded is skipped before it is even fetched
  (for the hubs) or compared (for feeds), so the same run twice writes nothing the second time.
* **One run at a time.** A PostgreSQL advisory lock is held for the whole run; a run started
  while another holds it records itself as skipped and does nothing.
* **One bad entry costs one entry.** Each entry is parsed and written in its own transaction;
  a malformed one is recorded as an error of its source and the run goes on. A source that
  cannot be reached is an error of that source only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from catalog.ingest.diff import CatalogIndex, candidate_proposal, proposal_diff
from catalog.ingest.parse import (
    PARSER_VERSION,
    ParseError,
    ReleaseFacts,
    feed_entries,
    parse_feed_entry,
    parse_hf_release,
    parse_modelscope_release,
)
from catalog.ingest.sources import (
    FeedSource,
    HubSource,
    ModelScopeSource,
    SourceError,
)
from catalog.models import (
    IngestRun,
    IngestSource,
    IngestSourceResult,
    ReleaseCandidate,
    WatchedPublisher,
)

logger = logging.getLogger(__name__)

# pg_try_advisory_lock key of ingestion runs: "llmingst" as a 64-bit integer.
RUN_LOCK_KEY = int.from_bytes(b"llmingst", "big") & (2**63 - 1)
MAX_ERRORS_PER_SOURCE = 200  # more are counted in `failed`, not listed
# A scheduled run looks back this far before the publisher's last check: listings are
# ordered by modification time, and clocks differ.
SINCE_OVERLAP = timedelta(days=2)

CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"
INTERRUPTED = "Interrupted: the process ended before the run finished."


@dataclass(frozen=True)
class IngestOptions:
    """What a run covers. ``file`` ingests one feed location (file, folder or URL) given by
    hand instead of the watched publishers."""

    sources: tuple[str, ...] = tuple(IngestSource.values)
    author: str | None = None
    since: datetime | None = None
    file: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "author": self.author,
            "since": self.since.isoformat() if self.since else None,
            "file": self.file,
        }


ProgressCallback = Callable[[str, str, str], None]  # (label, upstream id, outcome)


def _no_progress(label: str, upstream_id: str, outcome: str) -> None:
    pass


# -- building sources from settings ---------------------------------------------------------
def _http_options() -> dict[str, Any]:
    return {
        "timeout_seconds": settings.INGEST_TIMEOUT_SECONDS,
        "max_retries": settings.INGEST_MAX_RETRIES,
        "max_response_bytes": settings.INGEST_MAX_RESPONSE_BYTES,
        "proxy": settings.INGEST_PROXY,
    }


def hub_source() -> HubSource:
    return HubSource(endpoint=settings.HF_ENDPOINT, token=settings.HF_TOKEN, **_http_options())


def modelscope_source() -> ModelScopeSource:
    return ModelScopeSource(
        endpoint=settings.MODELSCOPE_ENDPOINT, token=settings.MODELSCOPE_TOKEN, **_http_options()
    )


def feed_source(location: str) -> FeedSource:
    return FeedSource(location=location, **_http_options())


# -- the run -----------------------------------------------------------------------------------
def ingest_run_execute(
    *,
    trigger: str,
    options: IngestOptions,
    user=None,
    progress: ProgressCallback | None = None,
) -> IngestRun:
    """Run ingestion for ``options``; return the recorded :class:`IngestRun`.

    Holds an advisory lock for the whole run: if another run holds it, the returned run has
    status ``skipped`` and nothing else happened. Never raises for upstream problems; they are
    recorded per source in ``run.results``.
    """
    progress = progress or _no_progress
    run = IngestRun.objects.create(
        trigger=trigger, options=options.as_json(), started_by=user if user else None
    )
    if not _try_lock():
        run.status = IngestRun.Status.SKIPPED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        return run
    # Holding the lock, no other run can be going on: one still marked running was killed.
    IngestRun.objects.filter(status=IngestRun.Status.RUNNING).exclude(pk=run.pk).update(
        status=IngestRun.Status.FAILED, finished_at=timezone.now(), error=INTERRUPTED
    )
    try:
        results = list(_run_targets(run, options, progress))
        failed = any(r.failed for r in results)
        run.status = IngestRun.Status.PARTIAL if failed else IngestRun.Status.SUCCEEDED
    except Exception as exc:  # a bug of ours: record it, release the lock, and re-raise
        logger.exception("Ingest run %s failed", run.pk)
        run.status = IngestRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        _unlock()
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "error"])
    return run


def _try_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _unlock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])


def _publishers(options: IngestOptions) -> list[WatchedPublisher]:
    publishers = WatchedPublisher.objects.filter(active=True, source__in=options.sources)
    if options.author:
        publishers = publishers.filter(author__iexact=options.author)
    return list(publishers.select_related("organization", "default_family"))


def _run_targets(
    run: IngestRun, options: IngestOptions, progress: ProgressCallback
) -> Iterator[IngestSourceResult]:
    index = CatalogIndex.load()
    if options.file:
        yield _ingest_feed(run, options.file, None, index, progress)
        return
    for publisher in _publishers(options):
        if publisher.source == IngestSource.FEED:
            result = _ingest_feed(run, publisher.feed_location, publisher, index, progress)
        else:
            result = _ingest_hub(run, publisher, options, index, progress)
        if not result.failed or result.seen:
            WatchedPublisher.objects.filter(pk=publisher.pk).update(last_checked_at=run.started_at)
        yield result


class _Recorder:
    """Counts and errors of one source in one run, saved at the end."""

    def __init__(self, run: IngestRun, source: str, label: str):
        self.result = IngestSourceResult(run=run, source=source, label=label[:500])

    def error(self, entry: str, message: str, field: str = "") -> None:
        self.result.failed += 1
        if len(self.result.errors) < MAX_ERRORS_PER_SOURCE:
            self.result.errors.append({"entry": entry, "field": field, "message": message[:1000]})

    def outcome(self, outcome: str) -> None:
        setattr(self.result, outcome, getattr(self.result, outcome) + 1)

    def save(self) -> IngestSourceResult:
        self.result.save()
        return self.result


def _ingest_hub(
    run: IngestRun,
    publisher: WatchedPublisher,
    options: IngestOptions,
    index: CatalogIndex,
    progress: ProgressCallback,
) -> IngestSourceResult:
    recorder = _Recorder(run, publisher.source, publisher.author)
    source: HubSource | ModelScopeSource
    if publisher.source == IngestSource.HUGGING_FACE:
        source, parse = hub_source(), parse_hf_release
    else:
        source, parse = modelscope_source(), parse_modelscope_release
    since = options.since
    if since is None and publisher.last_checked_at is not None:
        since = publisher.last_checked_at - SINCE_OVERLAP
    known = _candidates(publisher.source, None)
    try:
        for listed in source.list_repositories(publisher.author, since=since):
            recorder.result.seen += 1
            name = listed.upstream_id.split("/", 1)[-1]
            existing = known.get(listed.upstream_id)
            revision = _listed_revision(publisher.source, listed)
            if not publisher.wants(name) or (
                existing is not None
                and revision
                and existing.revision == revision
                and existing.parser_version == PARSER_VERSION
            ):
                recorder.outcome(SKIPPED)
                progress(publisher.author, listed.upstream_id, SKIPPED)
                continue
            try:
                fetched = source.fetch(listed.upstream_id)
                facts = parse(fetched.info, fetched.config, web_base=source.web_base)
            except SourceError as exc:
                recorder.error(listed.upstream_id, str(exc))
                progress(publisher.author, listed.upstream_id, "failed")
                continue
            except ParseError as exc:
                recorder.error(listed.upstream_id, exc.message, exc.field)
                progress(publisher.author, listed.upstream_id, "failed")
                continue
            payload = {
                "info": fetched.info,
                "config": fetched.config,
                "config_problem": fetched.config_problem,
            }
            outcome = _record(recorder, facts, payload, publisher, run, index, known)
            progress(publisher.author, listed.upstream_id, outcome)
    except SourceError as exc:  # the listing itself failed: the rest of this source is lost
        recorder.error(publisher.author, str(exc))
    finally:
        source.close()
    return recorder.save()


def _listed_revision(source: str, listed) -> str | None:
    """The revision a listing shows, in the terms the parser records: the Hub lists commit
    shas; ModelScope lists only its last-updated time, which the parser records as the
    revision (whole seconds)."""
    if listed.revision:
        return listed.revision
    if source == IngestSource.MODELSCOPE and listed.last_modified is not None:
        return str(int(listed.last_modified.timestamp()))
    return None


def _ingest_feed(
    run: IngestRun,
    location: str,
    publisher: WatchedPublisher | None,
    index: CatalogIndex,
    progress: ProgressCallback,
) -> IngestSourceResult:
    label = publisher.author if publisher else location
    recorder = _Recorder(run, IngestSource.FEED, label)
    known = _candidates(IngestSource.FEED, None)
    try:
        source = feed_source(location)
    except (SourceError, ValueError) as exc:
        recorder.error(location, str(exc))
        return recorder.save()
    try:
        documents = list(source.documents())
    except SourceError as exc:
        recorder.error(location, str(exc))
        return recorder.save()
    finally:
        source.close()
    for document_label, document in documents:
        if isinstance(document, SourceError):
            recorder.error(document_label, str(document))
            continue
        try:
            bundles = feed_entries(document)
        except ParseError as exc:
            recorder.error(document_label, exc.message, exc.field)
            continue
        for position, bundle in enumerate(bundles, start=1):
            recorder.result.seen += 1
            try:
                facts = parse_feed_entry(bundle, feed_label=document_label)
            except ParseError as exc:
                entry = _feed_entry_label(bundle, position)
                recorder.error(f"{document_label}: {entry}", exc.message, exc.field)
                progress(label, entry, "failed")
                continue
            outcome = _record(recorder, facts, bundle, publisher, run, index, known)
            progress(label, facts.upstream_id, outcome)
    return recorder.save()


def _feed_entry_label(bundle: Any, position: int) -> str:
    variant = bundle.get("variant") if isinstance(bundle, dict) else None
    slug = variant.get("slug") if isinstance(variant, dict) else None
    label = f"variant entry {position}"
    return f"{label} ({slug})" if isinstance(slug, str) and slug else label


def _candidates(source: str, ids: Iterable[str] | None) -> dict[str, ReleaseCandidate]:
    queryset = ReleaseCandidate.objects.filter(source=source).only(
        "pk", "source", "upstream_id", "revision", "parser_version", "status"
    )
    if ids is not None:
        queryset = queryset.filter(upstream_id__in=list(ids))
    return {c.upstream_id: c for c in queryset}


def _record(
    recorder: _Recorder,
    facts: ReleaseFacts,
    payload: dict,
    publisher: WatchedPublisher | None,
    run: IngestRun,
    index: CatalogIndex,
    known: dict[str, ReleaseCandidate],
) -> str:
    try:
        outcome = release_candidate_upsert(
            facts=facts, payload=payload, publisher=publisher, run=run, index=index, known=known
        )
    except ParseError as exc:
        recorder.error(facts.upstream_id, exc.message, exc.field)
        return "failed"
    recorder.outcome(outcome)
    return outcome


def release_candidate_upsert(
    *,
    facts: ReleaseFacts,
    payload: dict,
    publisher: WatchedPublisher | None,
    run: IngestRun | None,
    index: CatalogIndex,
    known: dict[str, ReleaseCandidate] | None = None,
) -> str:
    """Create or update the candidate for one parsed upstream entry; return ``created``,
    ``updated`` or ``skipped``.

    * Unchanged revision (and parser): skipped, nothing written.
    * An entry matching a catalog variant with nothing new to propose, and no candidate yet:
      skipped (nothing to review).
    * A changed entry of an existing candidate: its facts, diff and proposed results are
      refreshed; a reviewed candidate is reopened only when the new diff or the card's results
      propose something (values and results an editor decided are not proposed again until
      upstream changes them).
    """
    known = known if known is not None else _candidates(facts.source, [facts.upstream_id])
    existing = known.get(facts.upstream_id)
    if (
        existing is not None
        and existing.revision == facts.revision
        and existing.parser_version == PARSER_VERSION
    ):
        return SKIPPED
    variant = index.match_variant(facts)
    version = variant.version if variant is not None else index.match_version(facts, publisher)
    proposed = candidate_proposal(facts, index)
    rejected = {}
    if existing is not None:
        existing = ReleaseCandidate.objects.get(pk=existing.pk)
        rejected = existing.rejected_values
    diff = proposal_diff(proposed, variant, index, rejected=rejected)
    results = proposed_results(facts, existing.reviewed_results if existing is not None else {})
    if existing is None and variant is not None and not diff and not results:
        return SKIPPED
    values = {
        "revision": facts.revision[:100],
        "parser_version": PARSER_VERSION,
        "upstream_url": facts.upstream_url[:500],
        "publisher": publisher,
        "variant": variant,
        "version": version,
        "facts": jsonb_safe(_facts_json(facts)),
        "proposed": jsonb_safe(proposed),
        "diff": jsonb_safe(diff),
        "proposed_results": jsonb_safe(results),
        "payload": jsonb_safe(payload),
        "last_run": run,
    }
    with transaction.atomic():
        if existing is None:
            candidate = ReleaseCandidate.objects.create(
                source=facts.source, upstream_id=facts.upstream_id[:300], **values
            )
            known[facts.upstream_id] = candidate
            return CREATED
        for name, value in values.items():
            setattr(existing, name, value)
        if (diff or results) and existing.status != ReleaseCandidate.Status.PENDING:
            existing.status = ReleaseCandidate.Status.PENDING
        existing.save()
        known[facts.upstream_id] = existing
    return UPDATED


def proposed_results(facts: ReleaseFacts, reviewed: dict[str, Any]) -> list[dict[str, Any]]:
    """The card's evaluation results still to review: every parsed row but those an editor
    already accepted or rejected (``reviewed``: row key to decision)."""
    return [asdict(row) for row in facts.results if row.key not in reviewed]


def _facts_json(facts: ReleaseFacts) -> dict[str, Any]:
    data = asdict(facts)
    data.pop("extra", None)
    data.pop("results", None)  # kept in the candidate's proposed_results
    data["variant"] = {k: v for k, v in data["variant"].items() if k != "config"}
    return data


def jsonb_safe(value: Any) -> Any:
    """``value`` with NUL characters replaced: PostgreSQL's jsonb cannot store U+0000."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {jsonb_safe(k): jsonb_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonb_safe(v) for v in value]
    return value


def ingest_run_enqueue(*, options: IngestOptions, user=None) -> None:
    """Enqueue an ingest run of the watched publishers after the current transaction commits
    (the admin's "Ingest now")."""
    from catalog.tasks import ingest_releases

    transaction.on_commit(
        lambda: ingest_releases.delay(
            trigger=IngestRun.Trigger.ADMIN,
            sources=list(options.sources),
            author=options.author,
            since=options.since.isoformat() if options.since else None,
            user_id=user.pk if user else None,
        ),
        robust=True,
    )
