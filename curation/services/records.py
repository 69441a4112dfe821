"""Saving curated records: the one path shared by the admin, the loader and later the API."""

from collections.abc import Iterable

from django.db import models, transaction

from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    VersionFeature,
)


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


def records_changed(*, model: type[models.Model], pks: Iterable[int]) -> None:
    """Enqueue (after commit) the recompute of what depends on the changed records."""
    from hardware.models import Accelerator, HardwareProfile
    from hardware.services import profiles_changed, variants_changed

    pks = list(pks)
    if not pks:
        return
    if model is ModelVariant:
        variants_changed(pks)
    elif model is ModelVersion:
        variants_changed(
            list(ModelVariant.objects.filter(version_id__in=pks).values_list("pk", flat=True))
        )
    elif model is ModelFamily:  # a family's status decides whether its variants get any
        variants_changed(
            list(
                ModelVariant.objects.filter(version__family_id__in=pks).values_list("pk", flat=True)
            )
        )
    elif model in (Accelerator, HardwareProfile):
        profiles_changed()


def version_features_set(*, version: ModelVersion, features: Iterable[ArchitectureFeature]) -> bool:
    """Make ``version``'s curated features exactly ``features``; return whether anything changed."""
    wanted = {feature.pk for feature in features}
    current = set(version.version_features.values_list("feature_id", flat=True))
    if wanted == current:
        return False
    with transaction.atomic():
        version.version_features.filter(feature_id__in=current - wanted).delete()
        VersionFeature.objects.bulk_create(
            VersionFeature(version=version, feature_id=pk) for pk in sorted(wanted - current)
        )
    return True


def curated_records_set_status(*, queryset: models.QuerySet, status: str) -> int:
    """Set the publication status of every record in ``queryset``; return how many changed.

    One UPDATE; the history triggers record an event for each row that changed.
    """
    with transaction.atomic():
        pks = list(queryset.exclude(status=status).values_list("pk", flat=True))
        changed = queryset.model.objects.filter(pk__in=pks).update(status=status)
        records_changed(model=queryset.model, pks=pks)
        return changed
