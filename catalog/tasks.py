"""Celery tasks of the catalog app: thin wrappers around services."""

from datetime import datetime

from celery import shared_task

from catalog.ingest.services import IngestOptions, ingest_run_execute
from catalog.models import IngestRun, IngestSource

# A run over many publishers with retries can outlast the default task limit; a killed run
# releases its lock with its connection and is marked failed by the next run.
INGEST_TIME_LIMIT_SECONDS = 3600


@shared_task(
    acks_late=True,
    ignore_result=True,
    time_limit=INGEST_TIME_LIMIT_SECONDS,
    soft_time_limit=INGEST_TIME_LIMIT_SECONDS - 60,
)
def ingest_releases(
    trigger: str = IngestRun.Trigger.SCHEDULE,
    sources: list[str] | None = None,
    author: str | None = None,
    since: str | None = None,
    user_id: int | None = None,
):
    """Ingest new releases of the watched publishers (the daily beat job).

    Idempotent and locked: a redelivered or concurrent run writes nothing twice (a second
    concurrent run records itself as skipped).
    """
    from django.contrib.auth import get_user_model

    options = IngestOptions(
        sources=tuple(sources or IngestSource.values),
        author=author,
        since=datetime.fromisoformat(since) if since else None,
    )
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = ingest_run_execute(trigger=trigger, options=options, user=user)
    return {"run": run.pk, "status": run.status}
