"""Change history for curated records, recorded by database triggers (django-pghistory).

Triggers see every write: admin saves, API and ingestion services, management commands and
``QuerySet.update()`` alike. The acting user and URL come from ``pghistory.context``, set by
``pghistory.middleware.HistoryMiddleware`` for requests and by commands and tasks themselves.
Update events fire only when a tracked field really changed.
"""

import pghistory


def track_history(*, exclude: list[str] | None = None):
    """Return a decorator that records inserts, changes and deletes of a curated model;
    ``exclude`` names fields a machine rewrites often (a health check's last-seen time) that
    are neither recorded nor a reason for an event."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
    )
