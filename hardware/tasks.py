"""Celery tasks of the hardware app: thin wrappers around services."""

from celery import shared_task

from hardware.services import recompute_run_execute


@shared_task(acks_late=True, ignore_result=True)
def recompute_recommendations(run_id: int | None = None, variant_ids: list[int] | None = None):
    """Recompute recommendations (all published variants when ``variant_ids`` is None).

    Idempotent: a rerun with unchanged inputs writes nothing, so a redelivered task is harmless.
    """
    run = recompute_run_execute(run_id=run_id, variant_ids=variant_ids)
    return {"run": run.pk, "written": run.rows_written, "deleted": run.rows_deleted}
