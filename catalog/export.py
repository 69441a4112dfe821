"""The published catalog as one JSON document in the catalog file format (docs/api.md).

``load_catalog --file export.json`` imports it back, so one registry can feed another.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from catalog.choices import PublicationStatus
from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from catalog.services.catalog_load import ARCHITECTURE_KEYS, EXPORT_FORMAT, EXPORT_VERSION, KINDS
from hardware.models import Accelerator, HardwareProfile, SizeTier
from licenses.models import License

PUBLISHED = PublicationStatus.PUBLISHED


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _sources(record) -> list[dict]:
    return [
        {
            "url": c.source.url,
            "title": c.source.title,
            "publisher": c.source.publisher,
            "accessed": _plain(c.source.accessed_on),
            "fields": c.fields,
            "quote": c.quote,
            "note": c.note,
        }
        for c in record.citations.all()
    ]


def _entry(record, kind: str, **references) -> dict:
    spec = KINDS[kind]
    entry = {name: _plain(getattr(record, name)) for name in spec.plain}
    entry.update(references)
    entry["sources"] = _sources(record)
    return entry


def _cited(queryset):
    return queryset.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )


def catalog_export() -> dict:
    """Every published record, in load order, with its citations (a fixed number of queries)."""
    versions = _cited(
        ModelVersion.objects.filter(status=PUBLISHED, family__status=PUBLISHED)
        .select_related("family", "license", "predecessor__family")
        .prefetch_related("features")
        .order_by("family__slug", "slug")
    )
    variants = _cited(
        ModelVariant.objects.filter(
            status=PUBLISHED, version__status=PUBLISHED, version__family__status=PUBLISHED
        )
        .select_related("version__family", "license")
        .order_by("version__family__slug", "version__slug", "slug")
    )
    published_variant_ids = {v.pk for v in variants}
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "organizations": [
            _entry(o, "organizations")
            for o in _cited(Organization.objects.filter(status=PUBLISHED).order_by("slug"))
        ],
        "features": [
            _entry(f, "features", parent=f.parent.slug if f.parent else None)
            for f in _cited(
                ArchitectureFeature.objects.filter(status=PUBLISHED)
                .select_related("parent")
                .order_by("slug")
            )
        ],
        "licenses": [
            _entry(lic, "licenses")
            for lic in _cited(License.objects.filter(status=PUBLISHED).order_by("slug"))
        ],
        "accelerators": [
            _entry(a, "accelerators")
            for a in _cited(Accelerator.objects.filter(status=PUBLISHED).order_by("slug"))
        ],
        "profiles": [
            _entry(p, "profiles", accelerator=p.accelerator.slug)
            for p in _cited(
                HardwareProfile.objects.filter(status=PUBLISHED, accelerator__status=PUBLISHED)
                .select_related("accelerator")
                .order_by("slug")
            )
        ],
        "size_tiers": [
            _entry(t, "size_tiers")
            for t in _cited(SizeTier.objects.filter(status=PUBLISHED).order_by("slug"))
        ],
        "families": [
            _entry(f, "families", organization=f.organization.slug)
            for f in _cited(
                ModelFamily.objects.filter(status=PUBLISHED)
                .select_related("organization")
                .order_by("slug")
            )
        ],
        "versions": [
            _entry(
                v,
                "versions",
                family=v.family.slug,
                license=v.license.slug if v.license else None,
                predecessor=(
                    f"{v.predecessor.family.slug}/{v.predecessor.slug}" if v.predecessor else None
                ),
                features=sorted(f.slug for f in v.features.all()),
            )
            for v in versions
        ],
        "variants": [
            _entry(
                v,
                "variants",
                version=f"{v.version.family.slug}/{v.version.slug}",
                license=v.license.slug if v.license else None,
                architecture={
                    k: _plain(getattr(v, k))
                    for k in ARCHITECTURE_KEYS
                    if getattr(v, k) not in (None, "")
                },
            )
            for v in variants
        ],
        "lineage": [
            {
                "child": _variant_key(e.child),
                "parent": _variant_key(e.parent),
                "kind": e.kind,
                "note": e.note,
                "sources": _sources(e),
            }
            for e in _cited(
                Lineage.objects.select_related(
                    "child__version__family", "parent__version__family"
                ).order_by("pk")
            )
            if e.child_id in published_variant_ids and e.parent_id in published_variant_ids
        ],
    }
    return document


def _variant_key(variant: ModelVariant) -> str:
    return f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"
