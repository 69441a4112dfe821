"""The version page: release facts with their sources, curated and derived architecture
features with mismatches flagged, its variants, and what changed from the version before.

The view loads what it shows through selectors in a fixed number of queries, computes the rest
in memory (derived features and their mismatches, the diff from the previous version) and hands
the template plain rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from catalog.choices import Capability, Modality
from catalog.filters import DERIVED_FEATURES
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion
from catalog.selectors import derived_features_of, feature_list, version_page, version_previous
from catalog.version_diff import FieldChange, Status, diff_versions
from catalog.views._common import _citation_marks, _shown, _yes_no
from core.extensions import page_context
from core.templatetags.registry import count, tokens


def _feature_name(feature: ArchitectureFeature) -> str:
    return feature.localized("name")


# ISO 639-1 codes the catalog uses that Django's language table lacks (it knows zh-hans and
# zh-hant, not zh).
EXTRA_LANGUAGE_NAMES = {"zh": _("Chinese"), "lo": _("Lao"), "tl": _("Tagalog")}


def _language_name(code: str) -> str:
    if code in EXTRA_LANGUAGE_NAMES:
        return str(EXTRA_LANGUAGE_NAMES[code])
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def _choice_labels(choices, values: Iterable[str]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]


# How each derived feature row is judged (status → label, badge class).
FEATURE_STATUS = {
    "confirmed": (_("Confirmed by the numbers"), "ok"),
    "contradicted": (_("Contradicted: no variant's numbers show it"), "bad"),
    "not_curated": (_("Not curated: the numbers show it"), "warn"),
    "unchecked": (_("Cannot check: no architecture numbers"), ""),
    "curated": (_("Curated"), ""),
}


@dataclass
class FeatureRow:
    feature: ArchitectureFeature
    curated: bool
    note: str = ""
    derivable: bool = False
    shown_by: list[ModelVariant] = field(default_factory=list)
    status: str = "curated"

    @property
    def status_label(self) -> str:
        return str(FEATURE_STATUS[self.status][0])

    @property
    def badge(self) -> str:
        return FEATURE_STATUS[self.status][1]

    @property
    def is_mismatch(self) -> bool:
        return self.status in ("contradicted", "not_curated")


def _feature_rows(
    claims, variants: list[ModelVariant], derivable: dict[str, ArchitectureFeature]
) -> list[FeatureRow]:
    """Curated claims beside what the variants' numbers show.

    A derivable claim no variant's numbers show is contradicted; a derivable feature some
    variant shows but nobody curated is flagged too. A version's claim holds when any of its
    variants shows it: Qwen1.5 has dense variants and one MoE.
    """
    numbered = [v for v in variants if v.num_attention_heads is not None]
    shown_by: dict[str, list[ModelVariant]] = {slug: [] for slug in DERIVED_FEATURES}
    for variant in numbered:
        for slug in derived_features_of(variant):
            shown_by[slug].append(variant)
    rows, curated_slugs = [], set()
    for claim in claims:
        slug = claim.feature.slug
        curated_slugs.add(slug)
        row = FeatureRow(feature=claim.feature, curated=True, note=claim.note)
        if slug in DERIVED_FEATURES:
            row.derivable = True
            row.shown_by = shown_by[slug]
            if not numbered:
                row.status = "unchecked"
            else:
                row.status = "confirmed" if row.shown_by else "contradicted"
        rows.append(row)
    for slug, feature in derivable.items():
        if slug not in curated_slugs and shown_by.get(slug):
            rows.append(
                FeatureRow(
                    feature=feature,
                    curated=False,
                    derivable=True,
                    shown_by=shown_by[slug],
                    status="not_curated",
                )
            )
    return rows


ATTENTION_KINDS = ("mha", "mqa", "gqa", "mla")

# The facts compared with the previous version, in the order shown.
DIFF_LABELS = {
    "default_context_tokens": _("Default context"),
    "max_context_tokens": _("Maximum context"),
    "training_tokens": _("Training tokens"),
    "tokenizer": _("Tokenizer"),
    "vocab_size": _("Vocabulary"),
    "license": _("Licence"),
    "languages": _("Languages"),
    "modalities": _("Modalities"),
    "capabilities": _("Capabilities"),
    "features": _("Architecture features (curated)"),
    "attention": _("Attention (from the numbers)"),
    "moe": _("Mixture of experts (from the numbers)"),
    "sizes": _("Sizes offered (total parameters)"),
}


def _diff_values(version: ModelVersion, user) -> dict[str, Any]:
    """The comparable facts of a version (prefetched by ``version_page``/``version_previous``)."""
    variants = version.shown_variants
    numbered = [v for v in variants if v.num_attention_heads is not None]
    derived = {slug for v in numbered for slug in derived_features_of(v)}
    sizes = sorted({v.total_parameters for v in variants if v.total_parameters})
    return {
        "default_context_tokens": version.default_context_tokens,
        "max_context_tokens": version.max_context_tokens,
        "training_tokens": version.training_tokens,
        "tokenizer": version.tokenizer,
        "vocab_size": version.vocab_size,
        "license": _shown(version.license, user),
        "languages": list(version.languages),
        "modalities": list(version.modalities),
        "capabilities": list(version.capabilities),
        "features": [claim.feature for claim in version.curated_features],
        "attention": [slug for slug in ATTENTION_KINDS if slug in derived],
        "moe": ("moe" in derived) if numbered else None,
        "sizes": sizes,
    }


DIFF_FORMATS: dict[str, Callable[[Any], str]] = {
    "default_context_tokens": tokens,
    "max_context_tokens": tokens,
    "training_tokens": count,
    "vocab_size": lambda value: f"{value:,}",
    "license": lambda licence: licence.localized("name"),
    "languages": _language_name,
    "modalities": lambda value: _choice_labels(Modality, [value])[0],
    "capabilities": lambda value: _choice_labels(Capability, [value])[0],
    "features": _feature_name,
    "attention": str.upper,
    "moe": _yes_no,
    "sizes": count,
}


@dataclass(frozen=True)
class DiffRow:
    key: str
    label: str
    status: str
    removed: list[str]
    added: list[str]
    kept: list[str]
    is_collection: bool


def _diff_rows(changes: list[FieldChange]) -> tuple[list[DiffRow], list[str]]:
    """Changed facts as display rows, and the labels of the facts that stayed the same."""
    changed, same = [], []
    for change in changes:
        label = str(DIFF_LABELS[change.key])
        if change.status is Status.SAME:
            same.append(label)
            continue
        show = DIFF_FORMATS.get(change.key, str)
        changed.append(
            DiffRow(
                key=change.key,
                label=label,
                status=change.status.value,
                removed=[show(v) for v in change.removed],
                added=[show(v) for v in change.added],
                kept=[show(v) for v in change.kept],
                is_collection=change.is_collection,
            )
        )
    return changed, same


def version_detail(request, family: str, version: str):
    """One version: release facts with their sources, curated and derived architecture
    features with mismatches flagged, its variants, and what changed from the version before.

    Queries: the version with its citations, curated features and variants (4), the derivable
    features of the taxonomy (1), the previous version with its features and variants (3).
    """
    record = version_page(user=request.user).filter(family__slug=family, slug=version).first()
    if record is None:
        raise Http404(gettext("No such version."))
    user = request.user
    variants = record.shown_variants
    derivable = {f.slug: f for f in feature_list(user=user).filter(slug__in=DERIVED_FEATURES)}
    previous = version_previous(record, user=user)
    diff_rows, unchanged = [], []
    if previous is not None:
        changes = diff_versions(_diff_values(previous, user), _diff_values(record, user))
        diff_rows, unchanged = _diff_rows(changes)
    license = _shown(record.license, user)
    context = {
        "version": record,
        "family": record.family,
        "organization": record.family.organization,
        "license": license,
        "predecessor": _shown(record.predecessor, user),
        "languages": [_language_name(code) for code in record.languages],
        "modalities": _choice_labels(Modality, record.modalities),
        "capabilities": _choice_labels(Capability, record.capabilities),
        "feature_rows": _feature_rows(record.curated_features, variants, derivable),
        "variants": variants,
        "previous": previous,
        "previous_is_predecessor": previous is not None and previous.pk == record.predecessor_id,
        "diff_rows": diff_rows,
        "unchanged": unchanged,
        "marks": _citation_marks(record),
        **page_context("version_detail", request, version=record),
    }
    return render(request, "catalog/version_detail.html", context)
