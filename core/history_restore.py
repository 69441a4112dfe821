"""Reading a curated record's history and putting an earlier version back.

Every history event (django-pghistory, core/history.py) is a full copy of the row as
it was after the change. Restoring writes those values back through the same service as an
admin save (validation, recompute after commit; curation's, handed to core by
``core/curated_writes.py``); the database triggers then record the restore as a new event,
with the editor as its actor and the restored event's id beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pghistory
from django.contrib.auth import get_user_model
from django.db import models
from pghistory import core

from core.curated_writes import curated_writes

# Not part of a version: the key, the row's own timestamps, and the digest of the catalog file
# entry last applied (a restore is an editor's change, which the next load must keep).
NOT_RESTORED = frozenset({"id", "created_at", "updated_at", "catalog_digest"})
RESTORABLE_LABELS = frozenset({"insert", "update"})


@dataclass(frozen=True)
class FieldChange:
    """One field of an event that differs from the version before it."""

    name: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a record's history, as the history page shows it."""

    event: models.Model
    actor: str
    restored_from: int | None
    changes: tuple[FieldChange, ...]
    restorable: bool


def history_event_model(model: type[models.Model]) -> type[models.Model]:
    """The event model holding the row copies of ``model``; LookupError if it has none."""
    for event_model in core.event_models(tracks_model=model):
        if hasattr(event_model, "pgh_obj"):
            return event_model
    raise LookupError(f"{model._meta.label} has no history.")


def restorable_fields(record: models.Model, event_model: type[models.Model]) -> list[models.Field]:
    """The fields of ``record`` a version restores: every tracked one but :data:`NOT_RESTORED`."""
    tracked = {f.attname for f in event_model._meta.concrete_fields}
    return [
        field
        for field in record._meta.concrete_fields
        if field.name not in NOT_RESTORED and field.attname in tracked
    ]


def record_history(record: models.Model) -> list[HistoryEntry]:
    """``record``'s events, newest first, each with its actor and the fields it changed.

    Three queries: the events with their context, the acting users, nothing per event.
    """
    event_model = history_event_model(type(record))
    fields = restorable_fields(record, event_model)
    events = list(
        event_model.objects.filter(pgh_obj_id=record.pk)
        .select_related("pgh_context")
        .order_by("pgh_created_at", "pgh_id")
    )
    contexts = [e.pgh_context.metadata if e.pgh_context_id else {} for e in events]
    user_ids = {c["user"] for c in contexts if isinstance(c.get("user"), int)}
    usernames = dict(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "username"))
    entries = []
    previous = None
    for event, context in zip(events, contexts, strict=True):
        changes = tuple(
            FieldChange(
                name=field.name,
                label=str(field.verbose_name),
                before=getattr(previous, field.attname) if previous else None,
                after=getattr(event, field.attname),
            )
            for field in fields
            if previous is None or getattr(previous, field.attname) != getattr(event, field.attname)
        )
        actor = usernames.get(context.get("user")) or context.get("command") or ""
        entries.append(
            HistoryEntry(
                event=event,
                actor=actor,
                restored_from=context.get("restored_event"),
                changes=changes if previous is not None else (),
                restorable=event.pgh_label in RESTORABLE_LABELS,
            )
        )
        previous = event
    entries.reverse()
    return entries


def record_version_restore(*, record: models.Model, event: models.Model) -> list[str]:
    """Put the field values of ``event`` (one of ``record``'s history events) back on
    ``record`` and save it through the curated records' save service (``curated_writes``).

    Returns the names of the fields that changed, empty when the record already matches (then
    nothing is saved and no event recorded). Relations (a version's features, citations) are
    not part of a row's history and stay as they are. Raises ``ValueError`` for an event of
    another record and ``django.core.exceptions.ValidationError`` when the old values are no
    longer valid (a slug taken since, a licence deleted since); nothing is written then.
    """
    if event.pgh_obj_id != record.pk or type(record) is not event.pgh_tracked_model:
        raise ValueError("The event belongs to another record.")
    changed = []
    for field in restorable_fields(record, type(event)):
        value = getattr(event, field.attname)
        if getattr(record, field.attname) != value:
            setattr(record, field.attname, value)
            changed.append(field.name)
    if changed:
        with pghistory.context(restored_event=event.pgh_id):
            curated_writes().save(record=record)
    return changed
