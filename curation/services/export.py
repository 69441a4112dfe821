"""The published catalog as one JSON document in the catalog file format
(``catalog/fileformat.py``, docs/api.md).

``load_catalog --file export.json`` imports it back, so one registry can feed another.

The document is canonical: it depends only on the published records, never on the time,
on primary keys or on the order rows were written in. Every list is ordered by natural key
and :func:`catalog_export_json` writes sorted keys with fixed separators, so the same catalog
always gives the same bytes (export, load into an empty registry, export again: identical).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q
from django_countries.fields import MultipleCountriesDescriptor

from catalog.fileformat import EXPORT_FORMAT, EXPORT_VERSION, KINDS
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS as ARCHITECTURE_KEYS
from catalog.keys import variant_key, version_key
from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
)
from core.choices import PublicationStatus
from curation.services.evaluations_export import evaluations_export
from hardware.models import Accelerator, HardwareProfile, SizeTier
from licenses.models import License

PUBLISHED = PublicationStatus.PUBLISHED


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, MultipleCountriesDescriptor):
        return [str(country.code) for country in value]
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
    # Citations by source URL (unique per record), not by primary key.
    citations = Citation.objects.select_related("source").order_by("source__url", "pk")
    return queryset.prefetch_related(Prefetch("citations", queryset=citations))


def _features(versions: list[ModelVersion]) -> list[ArchitectureFeature]:
    """Published features, and those exported versions list or exported features sit under."""
    features = list(_cited(ArchitectureFeature.objects.order_by("slug")))
    parents = {f.pk: f.parent_id for f in features}
    wanted = {f.pk for f in features if f.status == PUBLISHED}
    wanted |= {f.pk for v in versions for f in v.features.all()}
    pending = set(wanted)
    while pending:
        pending = {parents[pk] for pk in pending if parents[pk]} - wanted
        wanted |= pending
    by_pk = {f.pk: f for f in features}
    for feature in features:
        if feature.parent_id:
            feature.parent = by_pk[feature.parent_id]  # from the list, not one query each
    return [f for f in features if f.pk in wanted]


def catalog_export() -> dict:
    """Every published record, in load order, with its citations (a fixed number of queries).

    An unpublished record a published one refers to (the organization of a family, the
    licence of a version, a feature a version lists) comes along with its own status, so the
    document loads and the record stays unpublished where it is loaded. A predecessor that is
    not exported is left out (``null``).
    """
    families = ModelFamily.objects.filter(status=PUBLISHED)
    version_rows = ModelVersion.objects.filter(status=PUBLISHED, family__status=PUBLISHED)
    variant_rows = ModelVariant.objects.filter(
        status=PUBLISHED, version__status=PUBLISHED, version__family__status=PUBLISHED
    )
    versions = list(
        _cited(
            version_rows.select_related("family", "license", "predecessor__family")
            .prefetch_related("features")
            .order_by("family__slug", "slug")
        )
    )
    variants = list(
        _cited(
            variant_rows.select_related("version__family", "license").order_by(
                "version__family__slug", "version__slug", "slug"
            )
        )
    )
    exported_version_ids = {v.pk for v in versions}
    published_variant_ids = {v.pk for v in variants}
    organizations = Organization.objects.filter(
        Q(status=PUBLISHED) | Q(pk__in=families.values("organization_id"))
    )
    licenses = License.objects.filter(
        Q(status=PUBLISHED)
        | Q(pk__in=version_rows.values("license_id"))
        | Q(pk__in=variant_rows.values("license_id"))
    )
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_VERSION,
        "organizations": [
            _entry(o, "organizations") for o in _cited(organizations.order_by("slug"))
        ],
        "features": [
            _entry(f, "features", parent=f.parent.slug if f.parent else None)
            for f in _features(versions)
        ],
        "licenses": [_entry(lic, "licenses") for lic in _cited(licenses.order_by("slug"))],
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
            for f in _cited(families.select_related("organization").order_by("slug"))
        ],
        "versions": [
            _entry(
                v,
                "versions",
                family=v.family.slug,
                license=v.license.slug if v.license else None,
                predecessor=(
                    version_key(v.predecessor) if v.predecessor_id in exported_version_ids else None
                ),
                features=sorted(f.slug for f in v.features.all()),
            )
            for v in versions
        ],
        "variants": [
            _entry(
                v,
                "variants",
                version=version_key(v.version),
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
                "child": variant_key(e.child),
                "parent": variant_key(e.parent),
                "kind": e.kind,
                "note": e.note,
                "sources": _sources(e),
            }
            for e in _cited(
                Lineage.objects.select_related(
                    "child__version__family", "parent__version__family"
                ).order_by(*_LINEAGE_ORDER)
            )
            if e.child_id in published_variant_ids and e.parent_id in published_variant_ids
        ],
        # Benchmarks, published results and the checked seed claims (never internal ones).
        **evaluations_export(_plain, _sources, _cited),
    }
    return document


_LINEAGE_ORDER = (
    "child__version__family__slug",
    "child__version__slug",
    "child__slug",
    "parent__version__family__slug",
    "parent__version__slug",
    "parent__slug",
    "kind",
)


def catalog_export_json(document: dict) -> bytes:
    """``document`` (from :func:`catalog_export`) as canonical JSON in UTF-8: keys sorted,
    no insignificant whitespace, non-ASCII text kept as is (Chinese names stay readable and
    the file small), NaN and infinities refused. Equal documents give equal bytes."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
