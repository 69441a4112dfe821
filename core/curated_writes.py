"""The save and delete of a curated record, for core's shared code that writes one: the API
base classes (``core/api/``) and the history restore (``core/history_restore.py``).

The write paths themselves are curation's services (``curation/services/records.py``): they
validate, save and enqueue the recompute of what depends on the record across the domain apps,
all of which sit above core, so core cannot import them. Curation hands them over when Django
starts (``CurationConfig.ready()``); before that, or without curation installed, a write
fails loudly instead of skipping the recompute.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

NOT_REGISTERED = (
    "No curated write paths registered: the 'curation' app (which registers them when Django "
    "starts) must be in INSTALLED_APPS."
)


@dataclass(frozen=True)
class CuratedWrites:
    """``save(record=...)``: full_clean, save, recompute on commit; returns the record.
    ``delete(record=...)``: delete, recompute on commit."""

    save: Callable
    delete: Callable


_registered: dict[str, CuratedWrites] = {}


def register_curated_writes(*, save: Callable, delete: Callable) -> None:
    """Give core the write paths of curated records (called once, by curation's AppConfig)."""
    _registered["writes"] = CuratedWrites(save=save, delete=delete)


def curated_writes() -> CuratedWrites:
    """The registered write paths; ``ImproperlyConfigured`` when none were registered."""
    try:
        return _registered["writes"]
    except KeyError:
        raise ImproperlyConfigured(NOT_REGISTERED) from None
