"""Editors' review of release candidates: approve (field by field) or reject.

Approval writes through the same services as any edit (``curated_record_save``, and
``result_build`` for the model card's evaluation results: ``card_results.py``), inside one
transaction with a history context naming the editor and the candidate, so the history of
every record it touched says who approved which upstream release. The recommendation
recompute is enqueued after commit by those services. Curated values change only for the
fields the editor accepted; the others are remembered as rejected and not proposed again
until upstream changes them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import VariantKind
from catalog.fileformat import KINDS
from catalog.ingest.diff import LICENSE_FIELD, LINEAGE_FIELD, PROPOSABLE_FIELDS
from catalog.keys import variant_key
from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    ReleaseCandidate,
    Source,
)
from catalog.services import version_features_set
from core.choices import PublicationStatus
from core.statistics import refresh_statistics_on_commit
from curation.services.card_results import RESULTS_FIELD, CardResultError, card_results_build
from curation.services.records import curated_record_save
from licenses.models import License

# Messages editors see; tests assert on them.
NOT_PENDING = _("This candidate is no longer pending review; reload it.")
UPSTREAM_CHANGED = _("Upstream changed while you were reviewing this candidate; reload it.")
UNKNOWN_FIELDS = _("Not proposed by this candidate: %(fields)s.")
NEEDS_VERSION = _("Choose the version this release belongs to, or create a new one.")
NEEDS_FAMILY = _("Choose the family of the new version.")
NEEDS_NAME = _("A new variant needs its name: accept the proposed name.")
VERSION_EXISTS = _("The family already has a version with this slug: choose it instead.")
VARIANT_EXISTS = _("The version already has a variant with this slug.")
MISSING_ORGANIZATION = _("The feed's family names an organisation the catalog does not have.")

# Fields a feed's version and family entries carry (the catalog file format), copied onto
# records created from them; identity, name and curation status are the editor's choice.
_NOT_COPIED = ("slug", "name", "status", "seed_claim")
FEED_VERSION_FIELDS = tuple(n for n in KINDS["versions"].plain if n not in _NOT_COPIED)
FEED_FAMILY_FIELDS = tuple(n for n in KINDS["families"].plain if n not in _NOT_COPIED)


class ReviewError(Exception):
    """An approval cannot be applied; ``errors`` maps a form field (or ``None``) to messages."""

    def __init__(self, errors: dict[str | None, list[str]]):
        self.errors = errors
        super().__init__("; ".join(str(m) for messages in errors.values() for m in messages))


@dataclass(frozen=True)
class NewVersion:
    """A version to create for a release that belongs to none in the catalog yet."""

    family_slug: str
    slug: str
    name: str


def _context(candidate: ReleaseCandidate, editor) -> pghistory.context:
    return pghistory.context(
        user=editor.pk,
        release_candidate=candidate.pk,
        upstream=f"{candidate.source}:{candidate.upstream_id}",
    )


def _locked(candidate: ReleaseCandidate, revision: str | None) -> ReleaseCandidate:
    candidate = ReleaseCandidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status != ReleaseCandidate.Status.PENDING:
        raise ReviewError({None: [str(NOT_PENDING)]})
    if revision is not None and revision != candidate.revision:
        raise ReviewError({None: [str(UPSTREAM_CHANGED)]})
    return candidate


def release_candidate_reject(
    *, candidate: ReleaseCandidate, editor, revision: str | None = None, note: str = ""
) -> ReleaseCandidate:
    """Reject every proposed change of ``candidate``; remember the values so the same upstream
    values are not proposed again. Writes nothing to the catalog."""
    with transaction.atomic(), _context(candidate, editor):
        candidate = _locked(candidate, revision)
        _remember_rejected(candidate, candidate.diff.keys())
        _remember_results(candidate, accepted=[])
        candidate.status = ReleaseCandidate.Status.REJECTED
        candidate.diff = {}
        candidate.reviewed_by = editor
        candidate.reviewed_at = timezone.now()
        candidate.review_note = note
        candidate.save()
    return candidate


def _remember_rejected(candidate: ReleaseCandidate, fields: Iterable[str]) -> None:
    rejected = dict(candidate.rejected_values)
    for name in fields:
        rejected[name] = candidate.diff[name]["upstream"]
    candidate.rejected_values = rejected


def _remember_results(candidate: ReleaseCandidate, accepted: list[str]) -> None:
    """Record the decision on every proposed result (accepted, else rejected): neither is
    proposed again until the card changes it."""
    reviewed = dict(candidate.reviewed_results)
    for row in candidate.proposed_results:
        key = row.get("key") if isinstance(row, dict) else None
        if isinstance(key, str):
            reviewed[key] = "accepted" if key in accepted else "rejected"
    candidate.reviewed_results = reviewed
    candidate.proposed_results = []


def release_candidate_approve(
    *,
    candidate: ReleaseCandidate,
    editor,
    accepted: Iterable[str],
    accepted_results: Iterable[str] = (),
    version: ModelVersion | None = None,
    new_version: NewVersion | None = None,
    publish: bool = True,
    revision: str | None = None,
    note: str = "",
) -> ModelVariant:
    """Apply the ``accepted`` fields of ``candidate`` to the catalog and record the
    ``accepted_results`` (keys of its proposed results: the model card's evaluation results)
    as results of the variant; return the variant.

    A candidate that matches no variant creates one in ``version`` (default: the candidate's
    proposed version) or in a ``new_version`` created for it; with ``publish`` the new records
    are published, otherwise they stay drafts. Fields and results proposed and not accepted are
    remembered as rejected. Raises :class:`ReviewError` (and writes nothing) when the candidate
    was reviewed or changed meanwhile (``revision``), when a field or result is not proposed,
    or when a record fails validation (each result at fault is named under ``results``).
    """
    accepted = list(dict.fromkeys(accepted))
    accepted_results = list(dict.fromkeys(accepted_results))
    with transaction.atomic(), _context(candidate, editor):
        candidate = _locked(candidate, revision)
        unknown = [name for name in accepted if name not in candidate.diff]
        if unknown:
            raise ReviewError({None: [str(UNKNOWN_FIELDS % {"fields": ", ".join(unknown)})]})
        variant = _target_variant(candidate, accepted, version, new_version, publish)
        if accepted or variant.pk is None:  # an approval of results alone leaves it as it is
            _apply(variant, candidate, accepted)
            _save(variant)
        if LINEAGE_FIELD in accepted:
            _add_lineage(variant, candidate.diff[LINEAGE_FIELD]["upstream"])
        if accepted:
            _cite(variant, candidate, accepted)
        _record_results(candidate, variant, accepted_results, editor)
        _remember_rejected(candidate, [name for name in candidate.diff if name not in accepted])
        _remember_results(candidate, accepted_results)
        candidate.status = ReleaseCandidate.Status.APPROVED
        candidate.variant = variant
        candidate.version = variant.version
        candidate.diff = {}
        candidate.reviewed_by = editor
        candidate.reviewed_at = timezone.now()
        candidate.review_note = note
        candidate.save()
    return variant


def _record_results(
    candidate: ReleaseCandidate, variant: ModelVariant, accepted: list[str], editor
) -> None:
    if not accepted:
        return
    try:
        results = card_results_build(
            candidate=candidate, variant=variant, accepted=accepted, user=editor
        )
    except CardResultError as exc:
        raise ReviewError({RESULTS_FIELD: exc.errors}) from None
    for result in results:
        result.save()
    refresh_statistics_on_commit("evaluations")


def _save(record) -> None:
    try:
        curated_record_save(record=record)
    except ValidationError as exc:
        raise ReviewError(
            {
                name if name != "__all__" else None: [str(m) for m in messages]
                for name, messages in exc.message_dict.items()
            }
        ) from None


def _status(publish: bool) -> str:
    return PublicationStatus.PUBLISHED if publish else PublicationStatus.DRAFT


def _target_variant(
    candidate: ReleaseCandidate,
    accepted: list[str],
    version: ModelVersion | None,
    new_version: NewVersion | None,
    publish: bool,
) -> ModelVariant:
    if candidate.variant_id is not None:
        return ModelVariant.objects.select_for_update().get(pk=candidate.variant_id)
    if "name" not in accepted:
        raise ReviewError({"fields": [str(NEEDS_NAME)]})
    if new_version is not None:
        version = _create_version(candidate, new_version, publish)
    version = version or candidate.version
    if version is None:
        raise ReviewError({"version": [str(NEEDS_VERSION)]})
    if publish and version.status != PublicationStatus.PUBLISHED:
        version.status = PublicationStatus.PUBLISHED
        _save(version)
        if version.family.status != PublicationStatus.PUBLISHED:
            version.family.status = PublicationStatus.PUBLISHED
            _save(version.family)
    slug = candidate.proposed.get("slug") or ""
    if ModelVariant.objects.filter(version=version, slug=slug).exists():
        raise ReviewError({"version": [str(VARIANT_EXISTS)]})
    return ModelVariant(version=version, slug=slug, kind=VariantKind.BASE, status=_status(publish))


def _feed_entry(candidate: ReleaseCandidate, key: str) -> dict[str, Any]:
    if candidate.source != "feed":
        return {}
    entry = candidate.payload.get(key)
    return entry if isinstance(entry, dict) else {}


def _create_version(
    candidate: ReleaseCandidate, new_version: NewVersion, publish: bool
) -> ModelVersion:
    family = ModelFamily.objects.filter(slug=new_version.family_slug).first()
    if family is None:
        family = _create_family(candidate, new_version.family_slug, publish)
    if ModelVersion.objects.filter(family=family, slug=new_version.slug).exists():
        raise ReviewError({"new_version_slug": [str(VERSION_EXISTS)]})
    guess = candidate.facts.get("version_guess") or {}
    entry = _feed_entry(candidate, "version")
    version = ModelVersion(
        family=family, slug=new_version.slug, name=new_version.name, status=_status(publish)
    )
    for name in FEED_VERSION_FIELDS:
        value = entry.get(name, guess.get(name) if name in ("release_date",) else None)
        if value not in (None, "", []):
            setattr(version, name, _field_value(ModelVersion, name, value))
    if not entry and guess.get("max_context_tokens"):
        version.max_context_tokens = version.default_context_tokens = guess["max_context_tokens"]
    license_slug = entry.get("license") or candidate.proposed.get(LICENSE_FIELD)
    if license_slug:
        version.license = License.objects.filter(slug=license_slug).first()
    _save(version)
    features = entry.get("features") or []
    if features:
        version_features_set(
            version=version, features=ArchitectureFeature.objects.filter(slug__in=features)
        )
    _cite_entries(version, entry.get("sources") or [])
    return version


def _create_family(candidate: ReleaseCandidate, slug: str, publish: bool) -> ModelFamily:
    entry = _feed_entry(candidate, "family")
    if not entry or entry.get("slug") != slug:
        raise ReviewError({"new_version_family": [str(NEEDS_FAMILY)]})
    organization = Organization.objects.filter(slug=entry.get("organization") or "").first()
    if organization is None:
        org_entry = _feed_entry(candidate, "organization")
        if not org_entry or org_entry.get("slug") != entry.get("organization"):
            raise ReviewError({"new_version_family": [str(MISSING_ORGANIZATION)]})
        organization = Organization(
            slug=org_entry["slug"], name=org_entry.get("name") or org_entry["slug"]
        )
        for name in ("name_zh", "country", "kind", "website", "description", "description_zh"):
            if org_entry.get(name):
                setattr(organization, name, org_entry[name])
        organization.status = _status(publish)
        _save(organization)
        _cite_entries(organization, org_entry.get("sources") or [])
    family = ModelFamily(
        slug=slug,
        name=entry.get("name") or slug,
        organization=organization,
        status=_status(publish),
    )
    for name in FEED_FAMILY_FIELDS:
        if entry.get(name):
            setattr(family, name, entry[name])
    _save(family)
    _cite_entries(family, entry.get("sources") or [])
    return family


def _field_value(model, name: str, value: Any) -> Any:
    try:
        return model._meta.get_field(name).to_python(value)
    except ValidationError as exc:
        raise ReviewError({name: exc.messages}) from None


def _apply(variant: ModelVariant, candidate: ReleaseCandidate, accepted: list[str]) -> None:
    for name in accepted:
        upstream = candidate.diff[name]["upstream"]
        if name in PROPOSABLE_FIELDS:
            setattr(variant, name, _field_value(ModelVariant, name, upstream))
        elif name == LICENSE_FIELD:
            lic = License.objects.filter(slug=upstream).first()
            # The version's licence applies unless the variant's differs.
            variant.license = None if lic and lic.pk == variant.version.license_id else lic


def _add_lineage(variant: ModelVariant, edges: list[dict[str, Any]]) -> None:
    wanted = {edge["parent"]: edge for edge in edges if edge.get("parent")}
    parents = ModelVariant.objects.select_related("version__family").filter(
        slug__in=[key.rsplit("/", 1)[-1] for key in wanted]
    )
    for parent in parents:
        edge = wanted.get(variant_key(parent))
        if edge is None or parent.pk == variant.pk:
            continue
        if Lineage.objects.filter(child=variant, parent=parent, kind=edge["kind"]).exists():
            continue
        lineage = Lineage(
            child=variant, parent=parent, kind=edge["kind"], note=edge.get("note", "")
        )
        try:
            lineage.full_clean()
        except ValidationError as exc:
            raise ReviewError({LINEAGE_FIELD: exc.messages}) from None
        lineage.save()


def _cite(variant: ModelVariant, candidate: ReleaseCandidate, accepted: list[str]) -> None:
    """Cite what backs the accepted facts: the feed's own sources for a feed entry, the
    upstream repository page for a hub entry."""
    if candidate.source == "feed":
        _cite_entries(variant, _feed_entry(candidate, "variant").get("sources") or [])
        return
    if not candidate.upstream_url.startswith(("http://", "https://")):
        return
    model_fields = sorted(name for name in accepted if name in PROPOSABLE_FIELDS)
    source, _created = Source.objects.get_or_create(
        url=candidate.upstream_url,
        defaults={
            "title": candidate.upstream_id[:300],
            "publisher": candidate.get_source_display(),
            "accessed_on": timezone.localdate(),
        },
    )
    _citation(variant, source, model_fields, note=str(_("Accepted from ingestion")))


def _citation(record, source: Source, fields: list[str], *, quote: str = "", note: str = ""):
    citation = Citation.objects.filter(
        source=source,
        content_type__app_label=record._meta.app_label,
        content_type__model=record._meta.model_name,
        object_id=record.pk,
    ).first()
    if citation is None:
        Citation.objects.create(source=source, record=record, fields=fields, quote=quote, note=note)
        return
    if citation.fields:  # an empty list already cites the whole record
        citation.fields = sorted(set(citation.fields) | set(fields))
        citation.save(update_fields=["fields"])


def _cite_entries(record, sources: list[dict[str, Any]]) -> None:
    for item in sources:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        source = Source.objects.filter(url=item["url"]).first()
        if source is None:
            source = Source(
                url=item["url"],
                title=str(item.get("title") or "")[:300],
                publisher=str(item.get("publisher") or "")[:200],
                accessed_on=_date(item.get("accessed")),
            )
            try:
                source.full_clean()
            except ValidationError:
                continue  # not a usable URL: the entry keeps its other sources
            source.save()
        _citation(
            record,
            source,
            [str(f) for f in item.get("fields") or []],
            quote=str(item.get("quote") or ""),
            note=str(item.get("note") or ""),
        )


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
