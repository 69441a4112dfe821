"""Celery tasks of the adoption layer: thin wrappers around services. Each is idempotent and
each is also run by beat on a schedule, so work missed while Redis was down is caught up."""

from celery import shared_task

from adoption.services import catalog_events, health, webhooks


@shared_task(acks_late=True, ignore_result=True)
def check_deployments(deployment_ids: list[int] | None = None) -> dict:
    """Ask every active deployment's endpoint (or only ``deployment_ids``') for its models
    (GET <endpoint>/v1/models)."""
    return health.deployments_check_all(deployment_ids=deployment_ids)


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int) -> None:
    """Try one delivery; on failure queue the next try after its backoff (the sweep is the
    safety net when the queue is down)."""
    delay_seconds = webhooks.delivery_attempt(delivery_id)
    if delay_seconds is not None:
        deliver.apply_async((delivery_id,), countdown=delay_seconds)


@shared_task(acks_late=True, ignore_result=True)
def deliver_due() -> int:
    """Send every delivery whose next attempt is due (catches up after an outage)."""
    return webhooks.deliveries_sweep()


@shared_task(acks_late=True, ignore_result=True)
def scan_catalog() -> int:
    """Record events for catalog releases and versions published since the last scan."""
    return catalog_events.catalog_events_scan()
