"""What changed from one version to the next, computed from plain dicts (standard library only).

The version page builds two dicts of comparable values, one for the previous version and one
for the current one (``{"max_context_tokens": 131072, "features": ["gqa", "rope"], ...}``), and
asks :func:`diff_versions` for the changes. Scalars are compared as a whole (old → new);
sequences and sets are compared item by item (removed, added, kept), keeping the order the
caller gave them, so that sizes stay sorted by parameter count and features by name.
Formatting for display is the caller's business: values come back as they went in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Values compared item by item; strings are sequences too, but are compared as a whole.
_COLLECTIONS = (list, tuple, set, frozenset)


class Status(str, Enum):
    SAME = "same"  # equal on both sides
    CHANGED = "changed"  # a different value, or items both added and removed
    ADDED = "added"  # absent before (None or empty), present now; or only items added
    REMOVED = "removed"  # present before, absent now; or only items removed


@dataclass(frozen=True)
class FieldChange:
    """How one field changed.

    ``removed``: the old value (scalar) or the items only the previous version had.
    ``added``: the new value (scalar) or the items only the current version has.
    ``kept``: the items both have (collections only; empty for scalars).
    ``is_collection``: whether the field was compared item by item.
    """

    key: str
    status: Status
    removed: tuple[Any, ...]
    added: tuple[Any, ...]
    kept: tuple[Any, ...] = ()
    is_collection: bool = False

    @property
    def changed(self) -> bool:
        return self.status is not Status.SAME


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, _COLLECTIONS) and not value)


def _unique(items: Iterable[Hashable]) -> list[Hashable]:
    """Items in their first-seen order, each once."""
    seen: set[Hashable] = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _status(removed: bool, added: bool) -> Status:
    if removed and added:
        return Status.CHANGED
    if added:
        return Status.ADDED
    if removed:
        return Status.REMOVED
    return Status.SAME


def diff_field(key: str, previous: Any, current: Any) -> FieldChange | None:
    """The change of one field, or ``None`` when neither side has a value."""
    if _is_empty(previous) and _is_empty(current):
        return None
    if isinstance(previous, _COLLECTIONS) or isinstance(current, _COLLECTIONS):
        old = _unique(previous or ())
        new = _unique(current or ())
        old_set, new_set = set(old), set(new)
        removed = tuple(item for item in old if item not in new_set)
        added = tuple(item for item in new if item not in old_set)
        kept = tuple(item for item in new if item in old_set)
        return FieldChange(
            key, _status(bool(removed), bool(added)), removed, added, kept, is_collection=True
        )
    if previous == current:
        return FieldChange(key, Status.SAME, (previous,), (current,))
    removed = () if _is_empty(previous) else (previous,)
    added = () if _is_empty(current) else (current,)
    return FieldChange(key, _status(bool(removed), bool(added)), removed, added)


def diff_versions(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[FieldChange]:
    """Every field of ``current`` (then any only ``previous`` has) with how it changed.

    Fields empty on both sides are left out. A missing key counts as empty, so a field the
    previous version did not record shows as added.
    """
    keys = _unique([*current.keys(), *previous.keys()])
    changes = (diff_field(key, previous.get(key), current.get(key)) for key in keys)
    return [change for change in changes if change is not None]
