"""What's new: the catalog's changes by date, read from its history (django-pghistory events).

Families, versions, variants and licences: each change is a record added, changed (with the
fields that changed) or removed. Only records the reader may see now are listed (a draft's edits
stay with editors), and a record removed is listed only for editors.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Model

from catalog.models import ModelFamily, ModelVariant, ModelVersion
from catalog.selectors.visibility import VARIANT_PARENTS, shows_drafts, visible
from licenses.models import License

# Columns that change with every write and say nothing to a reader.
NOISE = frozenset({"id", "created_at", "updated_at", "catalog_digest", "search_vector"})
# The records the page follows, in the order a day lists them.
TRACKED: tuple[tuple[str, type[Model], str | tuple[str, ...]], ...] = (
    ("family", ModelFamily, ""),
    ("version", ModelVersion, "family__"),
    ("variant", ModelVariant, VARIANT_PARENTS),
    ("license", License, ""),
)
ADDED, CHANGED, REMOVED = "added", "changed", "removed"
_LABELS = {"insert": ADDED, "update": CHANGED, "delete": REMOVED}


@dataclass
class Change:
    """One record added, changed or removed at ``when``; ``record`` is None once removed."""

    when: datetime.datetime
    kind: str
    action: str
    record: Model | None
    name: str
    fields: list[str] = field(default_factory=list)  # the changed fields' names


def _previous(events: list) -> dict[int, dict]:
    """For each event (by id), the row as it was before it: the object's event before it."""
    before: dict[int, dict] = {}
    last: dict[object, dict] = {}
    for event in events:  # ordered by object, then time
        before[event.pk] = last.get(event.pgh_obj_id, {})
        last[event.pgh_obj_id] = {
            f.attname: getattr(event, f.attname)
            for f in event._meta.concrete_fields
            if not f.attname.startswith("pgh_")
        }
    return before


def catalog_changes(
    *, since: datetime.date, until: datetime.date | None = None, user=None, limit: int = 200
) -> tuple[list[Change], int]:
    """The changes between ``since`` and ``until`` (both days included), newest first, at most
    ``limit`` of them, and how many there were. One query per tracked model for the events,
    one for the records they name."""
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    last = until or datetime.date.max - datetime.timedelta(days=1)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    changes: list[Change] = []
    for kind, model, parents in TRACKED:
        event_model = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
        window = event_model.objects.filter(pgh_created_at__gte=start, pgh_created_at__lt=end)
        ids = set(window.values_list("pgh_obj_id", flat=True))
        found = visible(model.objects.filter(pk__in=ids), user, path=parents)
        if model is ModelVariant:
            found = found.select_related("version__family").defer("config")
        elif model is ModelVersion:
            found = found.select_related("family")
        records = {r.pk: r for r in found}
        if not shows_drafts(model, user):
            ids &= set(records)
        if not ids:
            continue
        # Every event of those records (few each), to diff each change against the row before.
        events = list(
            event_model.objects.filter(pgh_obj_id__in=ids).order_by("pgh_obj_id", "pgh_id")
        )
        before = _previous(events)
        for event in events:
            if not start <= event.pgh_created_at < end:
                continue
            action = _LABELS.get(event.pgh_label)
            if action is None:
                continue
            record = records.get(event.pgh_obj_id)
            if action == REMOVED and not shows_drafts(model, user):
                continue
            changed = []
            if action == CHANGED:
                old = before[event.pk]
                changed = [
                    str(model._meta.get_field(f.name).verbose_name)
                    for f in model._meta.concrete_fields
                    if f.attname not in NOISE and old.get(f.attname) != getattr(event, f.attname)
                ]
                if not changed:
                    continue
            changes.append(
                Change(
                    when=event.pgh_created_at,
                    kind=kind,
                    action=action,
                    record=record,
                    name=str(record) if record is not None else getattr(event, "name", ""),
                    fields=changed,
                )
            )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit], len(changes)
