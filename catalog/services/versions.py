"""Writes of the catalog's own records that touch no other app."""

from collections.abc import Iterable

from django.db import transaction

from catalog.models import ArchitectureFeature, ModelVersion, VersionFeature


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
