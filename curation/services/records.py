"""Saving, publishing and deleting curated records: the one path shared by the admin, the
API, the loader and the candidate review.

A curated record of any app (catalog, licences, hardware) is written here so that what
depends on it across apps, the hardware recommendations, is recomputed after commit.
"""

from collections.abc import Iterable, Mapping

from django.db import models, transaction

from catalog.models import ModelFamily, ModelVariant, ModelVersion
from hardware.models import Accelerator, HardwareProfile
from hardware.services import profiles_changed, variants_changed


def curated_record_save(*, record: models.Model, update_fields: Iterable[str] | None = None):
    """Validate ``record`` with ``full_clean()`` and save it.

    Raises ``django.core.exceptions.ValidationError`` (field-keyed) and writes nothing when
    the record is invalid. History is recorded by database triggers in the same transaction.
    After commit, the recommendations the record feeds are recomputed.
    """
    record.full_clean()
    with transaction.atomic():
        record.save(update_fields=list(update_fields) if update_fields is not None else None)
        records_changed(model=type(record), pks=[record.pk])
    return record


def curated_records_set_status(*, queryset: models.QuerySet, status: str) -> int:
    """Set the publication status of every record in ``queryset``; return how many changed.

    One UPDATE; the history triggers record an event for each row that changed.
    """
    with transaction.atomic():
        pks = list(queryset.exclude(status=status).values_list("pk", flat=True))
        changed = queryset.model.objects.filter(pk__in=pks).update(status=status)
        records_changed(model=queryset.model, pks=pks)
        return changed


def curated_record_delete(*, record: models.Model) -> None:
    """Delete ``record`` (and what cascades with it); after commit, recompute what it fed.

    Raises ``django.db.models.ProtectedError`` and deletes nothing while curated records
    refer to it. History is recorded by database triggers in the same transaction.
    """
    model = type(record)
    with transaction.atomic():
        record.delete()
        records_deleted(model=model)


def curated_records_delete(*, queryset: models.QuerySet) -> int:
    """Delete every record in ``queryset``, as :func:`curated_record_delete` does one;
    return how many rows were deleted, cascades included."""
    with transaction.atomic():
        deleted, _ = queryset.delete()
        if deleted:
            records_deleted(model=queryset.model)
    return deleted


def records_changed(*, model: type[models.Model], pks: Iterable[int]) -> None:
    """Enqueue (after commit) the recompute of what depends on the changed records."""
    records_changed_together({model: pks})


def records_changed_together(changes: Mapping[type[models.Model], Iterable[int]]) -> None:
    """Enqueue (after commit) one recompute for records of several kinds changed together (a
    catalog load): the whole catalog when hardware changed, else every affected variant."""
    changed = {model: list(pks) for model, pks in changes.items()}
    changed = {model: pks for model, pks in changed.items() if pks}
    if any(model in (Accelerator, HardwareProfile) for model in changed):
        profiles_changed()
        return
    variant_ids: set[int] = set()
    for model, pks in changed.items():
        variant_ids.update(_variants_fed_by(model, pks))
    if variant_ids:
        variants_changed(sorted(variant_ids))


def _variants_fed_by(model: type[models.Model], pks: list[int]) -> Iterable[int]:
    """The variants whose recommendations read the records ``pks`` of ``model``."""
    if model is ModelVariant:
        return pks
    if model is ModelVersion:
        return ModelVariant.objects.filter(version_id__in=pks).values_list("pk", flat=True)
    if model is ModelFamily:  # a family's status decides whether its variants get any
        return ModelVariant.objects.filter(version__family_id__in=pks).values_list("pk", flat=True)
    return ()


def records_deleted(*, model: type[models.Model]) -> None:
    """Enqueue (after commit) the recompute of what depended on deleted records.

    A deleted profile or accelerator leaves every recommendation's fit stale. A deleted
    variant takes its recommendations with it (``CASCADE``), and versions and families
    cannot be deleted while variants refer to them (``PROTECT``): nothing to recompute.
    """
    if model in (Accelerator, HardwareProfile):
        profiles_changed()
