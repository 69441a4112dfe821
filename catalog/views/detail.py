"""The version page and the variant page.

Each view loads what it shows through selectors in a fixed number of queries, computes the
rest in memory (derived features and their mismatches, the diff from the previous version, the
memory estimates of the pure estimator) and hands templates plain rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from catalog.choices import Capability, Modality, PublicationStatus
from catalog.effective import effective_context_tokens
from catalog.filters import DERIVED_FEATURES
from catalog.keys import variant_key
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion
from catalog.selectors import (
    derived_features_of,
    feature_list,
    lineage_of,
    upstream_conflicts,
    variant_for_page,
    version_page,
    version_previous,
)
from catalog.version_diff import FieldChange, Status, diff_versions
from core.lib import charts
from core.lib.units import GIB
from core.templatetags.registry import count, gib, tokens
from estimator import PRECISIONS, EstimateError, EstimateOptions, estimate
from estimator import count_parameters as estimator_count_parameters
from hardware.models import Recommendation, Workload
from hardware.selectors import variant_architecture, variant_recommendations

# -- shared helpers ------------------------------------------------------------------------


def _can_see_drafts(user, model) -> bool:
    meta = model._meta
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(f"{meta.app_label}.view_{meta.model_name}")
    )


def _shown(record, user):
    """``record`` unless it is a draft the user may not see (a licence or a profile that a
    published record points at can still be a draft)."""
    if record is None:
        return None
    if record.status == PublicationStatus.DRAFT and not _can_see_drafts(user, type(record)):
        return None
    return record


def _citation_marks(record) -> dict[str, SafeString]:
    """Superscript links to the record's sources, by the field names each citation backs.

    Numbers follow the order of ``includes/_citations.html`` (the prefetched citations), so
    mark [2] is the second entry of the list it links to.
    """
    numbers: dict[str, list[int]] = {}
    for number, citation in enumerate(record.citations.all(), start=1):
        for name in citation.fields:
            numbers.setdefault(name, []).append(number)
    anchor = f"#sources-{record.pk}"
    label = gettext("Source %(number)s")
    return _Marks(
        (
            name,
            format_html(
                '<sup class="cite">{}</sup>',
                format_html_join(
                    " ",
                    '<a href="{}" aria-label="{}">[{}]</a>',
                    ((anchor, label % {"number": n}, n) for n in found),
                ),
            ),
        )
        for name, found in numbers.items()
    )


def _marks_for(marks: dict[str, SafeString], *names: str) -> SafeString:
    return mark_safe(" ".join(marks[name] for name in names if name in marks))  # noqa: S308


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


class _Marks(dict):
    """Source markers by field name; a field without a source gets an empty string."""

    def get(self, key, default=""):
        return super().get(key, default)


def _choice_labels(choices, values: Iterable[str]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels.get(value, value)) for value in values]


# -- version page ---------------------------------------------------------------------------

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


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


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
    }
    return render(request, "catalog/version_detail.html", context)


# -- variant page ---------------------------------------------------------------------------

# Every architecture number, grouped as the page shows them (a test checks none is missing).
ARCHITECTURE_GROUPS = (
    (
        "dimensions",
        _("Dimensions"),
        ("architecture_class", "model_type", "num_layers", "hidden_size", "intermediate_size"),
    ),
    (
        "attention",
        _("Attention"),
        (
            "num_attention_heads",
            "num_kv_heads",
            "head_dim",
            "qkv_bias",
            "q_lora_rank",
            "kv_lora_rank",
            "qk_rope_head_dim",
            "qk_nope_head_dim",
            "v_head_dim",
            "sliding_window",
        ),
    ),
    (
        "moe",
        _("Mixture of experts"),
        (
            "num_experts",
            "num_experts_per_token",
            "num_shared_experts",
            "moe_intermediate_size",
            "shared_expert_intermediate_size",
            "first_dense_layers",
        ),
    ),
    (
        "position",
        _("Positional encoding"),
        ("max_position_embeddings", "rope_theta", "rope_scaling_type"),
    ),
    ("vocabulary", _("Vocabulary"), ("vocab_size", "tie_word_embeddings")),
)

# Inference estimates drawn on the variant page: precisions the estimator accepts
# (estimator.PRECISIONS) and contexts, capped at the variant's maximum.
CHART_PRECISIONS = ("bf16", "fp8", "awq-int4")
CHART_CONTEXTS = (4096, 32768)
# Vertical lines on the chart: memory of common accelerators and nodes (datasheets: RTX 4090
# 24 GB, H100/A100 80 GB, eight-GPU nodes of H100 80 GB and MI300X 192 GB).
CAPACITY_MARKERS = (
    (_("24 GiB (RTX 4090)"), 24),
    (_("80 GiB (H100, A100)"), 80),
    (_("8 × 80 GiB (one H100 node)"), 640),
    (_("8 × 192 GiB (one MI300X node)"), 1536),
)
# A capacity under this share of the largest bar would sit on the axis, its label on others;
# one more than this many times the largest bar would squash the bars.
MARKER_MIN_SHARE = 0.1
MARKER_MAX_RATIO = 2
MEMORY_TERMS = (
    ("weights_bytes", _("Weights")),
    ("kv_cache_bytes", _("KV cache")),
    ("activation_bytes", _("Activations")),
    ("overhead_bytes", _("Overhead")),
)

# The licence terms that decide most questions, and the fields whose quoted clauses back them.
LICENSE_TERMS = (
    ("commercial_use", _("Commercial use"), ("commercial_use",)),
    ("mau_threshold", _("Monthly active user threshold"), ("mau_threshold",)),
    (
        "outputs_train_other_models",
        _("Outputs may train other models"),
        ("outputs_train_other_models",),
    ),
    ("attribution_required", _("Attribution"), ("attribution_required", "naming_requirement")),
)


def _number(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _architecture_groups(variant: ModelVariant, marks: dict[str, SafeString]) -> list[dict]:
    groups = []
    for key, title, names in ARCHITECTURE_GROUPS:
        rows = []
        for name in names:
            model_field = ModelVariant._meta.get_field(name)
            value = getattr(variant, name)
            rows.append(
                {
                    "name": name,
                    "label": model_field.verbose_name,
                    "value": _number(value),
                    "is_number": isinstance(value, int | float) and not isinstance(value, bool),
                    "mark": _marks_for(marks, name),
                }
            )
        empty = all(getattr(variant, name) in (None, "") for name in names)
        groups.append({"key": key, "title": title, "rows": rows, "empty": empty})
    return groups


def _chart_contexts(maximum: int | None) -> list[int]:
    contexts = {c for c in CHART_CONTEXTS if maximum is None or c <= maximum}
    if maximum:
        contexts.add(maximum)
    return sorted(contexts)


@dataclass(frozen=True)
class MemoryRow:
    precision: str
    precision_label: str
    context_tokens: int
    weights_bytes: int
    kv_cache_bytes: int
    activation_bytes: int
    overhead_bytes: int
    total_bytes: int

    @property
    def label(self) -> str:
        return f"{self.precision_label} · {tokens(self.context_tokens)}"


def _memory_rows(arch, parameters, maximum: int | None) -> list[MemoryRow]:
    """Inference memory per precision and context from the pure estimator (no query: the fit
    onto profiles comes from the stored recommendations instead)."""
    rows = []
    for precision in CHART_PRECISIONS:
        for context_tokens in _chart_contexts(maximum):
            options = EstimateOptions(precision=precision, context_tokens=context_tokens)
            try:
                memory = estimate(arch, options, parameters=parameters).memory
            except EstimateError:
                continue  # a context beyond the estimator's bound: leave the bar out
            rows.append(
                MemoryRow(
                    precision=precision,
                    precision_label=PRECISIONS[precision].label,
                    context_tokens=context_tokens,
                    weights_bytes=memory.weights_bytes,
                    kv_cache_bytes=memory.kv_cache_bytes,
                    activation_bytes=memory.activation_bytes,
                    overhead_bytes=memory.overhead_bytes,
                    total_bytes=memory.total_bytes,
                )
            )
    return rows


def _format_gib(value: float) -> str:
    """A chart value in GiB, written as the page's tables write bytes (whole GiB from 100 on,
    so that axis ticks stay short)."""
    return gib(round(value * GIB), 0 if value >= 100 else 1)


def _markers(rows: list[MemoryRow]) -> tuple[tuple[str, float], ...]:
    """The capacities within the bars' range, and the first one beyond the largest bar (the
    capacity that would hold every bar) unless it is far larger; far smaller ones would only
    crowd the axis."""
    largest = max(row.total_bytes for row in rows) / GIB
    chosen = []
    for label, capacity in CAPACITY_MARKERS:
        if capacity > largest * MARKER_MAX_RATIO:
            break
        if capacity >= largest * MARKER_MIN_SHARE:
            chosen.append((str(label), float(capacity)))
        if capacity >= largest:
            break
    return tuple(chosen)


def _memory_chart(variant: ModelVariant, rows: list[MemoryRow]) -> SafeString | None:
    if not rows:
        return None
    bars = [
        charts.BarRow(
            label=row.label,
            segments=tuple(
                charts.Segment(str(name), getattr(row, key) / GIB) for key, name in MEMORY_TERMS
            ),
        )
        for row in rows
    ]
    svg = charts.stacked_bar_chart(
        bars,
        title=gettext("Inference memory of %(name)s") % {"name": variant.name},
        description=gettext(
            "Estimated memory to serve one sequence, split into weights, KV cache, "
            "activations and runtime overhead, per precision and context length; vertical "
            "lines mark common accelerator capacities."
        ),
        value_label=gettext("Memory (GiB)"),
        value_format=_format_gib,
        markers=_markers(rows),
    )
    return mark_safe(svg)  # noqa: S308 - the chart module escapes every label


@dataclass(frozen=True)
class FitRow:
    recommendation: Recommendation
    workload_label: str
    precision_label: str
    profile: Any
    other_fits: int
    headroom_bytes: int | None


def _fit_rows(recommendations: list[Recommendation], user) -> list[FitRow]:
    workloads = dict(Workload.choices)
    rows = []
    for rec in recommendations:
        profile = _shown(rec.smallest_profile, user)
        headroom = None
        if profile is not None:
            for fit in (rec.breakdown or {}).get("fits", []):
                if fit.get("profile") == profile.slug:
                    headroom = fit.get("headroom_bytes")
        precision = PRECISIONS.get(rec.precision)
        rows.append(
            FitRow(
                recommendation=rec,
                workload_label=str(workloads.get(rec.workload, rec.workload)),
                precision_label=precision.label if precision else rec.precision,
                profile=profile,
                other_fits=max(len(rec.fitting_profiles) - 1, 0),
                headroom_bytes=headroom,
            )
        )
    return rows


def _license_terms(license) -> list[dict]:
    """The terms that matter with the quoted clauses of the licence's citations behind them.

    A clause backing several terms is quoted once, at the first; later terms point back to it.
    """
    citations = list(license.citations.all())
    quoted_for: dict[int, str] = {}
    terms = []
    for name, label, fields in LICENSE_TERMS:
        value = getattr(license, name)
        css = ""
        if name == "commercial_use":
            shown = license.get_commercial_use_display() or gettext("Not verified")
            css = f"term-{value}" if value else ""
        elif name == "mau_threshold":
            shown = (
                gettext("%(count)s monthly active users") % {"count": count(value)}
                if value
                else gettext("None stated")
            )
        elif name == "outputs_train_other_models":
            shown = license.get_outputs_train_other_models_display() or gettext("Not stated")
            css = {"allowed": "term-allowed", "restricted": "term-conditional"}.get(
                value, "term-not_allowed" if value else ""
            )
        else:
            shown = _stated(value)
            if license.naming_requirement:
                shown = f"{shown} — {license.naming_requirement}"
        clauses, same_as = [], []
        for citation in citations:
            if not citation.quote or not any(f in citation.fields for f in fields):
                continue
            if citation.pk in quoted_for:
                same_as.append(quoted_for[citation.pk])
            else:
                quoted_for[citation.pk] = str(label)
                clauses.append(citation)
        terms.append(
            {
                "name": name,
                "label": label,
                "value": shown,
                "css": css,
                "clauses": clauses,
                "same_as": _unique(same_as),
            }
        )
    return terms


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _stated(value: bool | None) -> str:
    if value is None:
        return gettext("Not stated")
    return gettext("Required") if value else gettext("Not required")


def variant_detail(request, family: str, version: str, variant: str):
    """One checkpoint: its exact architecture, parameters, inference memory per precision and
    context (chart and table), the hardware that fits from the stored recommendations, its
    licence terms with the clauses behind them, lineage, repository links and sources.

    Queries: the variant with its citations and its licences' citations (4), the derivable
    features of the taxonomy (1), recommendations (1), lineage (one per generation and
    direction, plus one to end each walk); the estimator runs in memory.
    """
    user = request.user
    record = (
        variant_for_page(user=user)
        .filter(version__family__slug=family, version__slug=version, slug=variant)
        .first()
    )
    if record is None:
        raise Http404(gettext("No such variant."))
    marks = _citation_marks(record)
    arch = variant_architecture(record)
    parameters = estimator_count_parameters(arch) if arch is not None else None
    maximum = effective_context_tokens(record)
    memory_rows = _memory_rows(arch, parameters, maximum) if arch is not None else []
    license = _shown(record.license, user) or _shown(record.version.license, user)
    embedding_percent = None
    if parameters is not None and parameters.total:
        embedding_percent = 100 * (parameters.embedding + parameters.lm_head) / parameters.total
    derivable = {f.slug: f for f in feature_list(user=user).filter(slug__in=DERIVED_FEATURES)}
    lineage = lineage_of(record, user=user)
    groups = _architecture_groups(record, marks)
    key = variant_key(record)
    context = {
        "variant": record,
        "version": record.version,
        "family": record.version.family,
        "key": key,
        "release_date": record.release_date or record.version.release_date,
        "derived": [derivable[slug] for slug in derived_features_of(record) if slug in derivable],
        "architecture_groups": groups,
        "has_architecture": arch is not None,
        "has_numbers": any(group["rows"] and not group["empty"] for group in groups),
        "parameters": parameters,
        "embedding_percent": embedding_percent,
        "memory_rows": memory_rows,
        "memory_chart": _memory_chart(record, memory_rows),
        "fit_rows": _fit_rows(list(variant_recommendations(record)), user),
        "license": license,
        "license_inherited": license is not None and license.pk != record.license_id,
        "license_terms": _license_terms(license) if license else [],
        "ancestors": lineage["ancestors"],
        "descendants": lineage["descendants"],
        "config_json": json.dumps(record.config, indent=2, ensure_ascii=False)
        if record.config
        else "",
        "variant_compare_url": f"{reverse('catalog:compare')}?variant={key}",
        "variant_fit_url": f"{reverse('hardware:fit')}?variant={key}",
        "marks": marks,
        "total_mark": _marks_for(marks, "total_parameters"),
        "active_mark": _marks_for(marks, "active_parameters"),
        "architecture_mark": _marks_for(marks, "config", "architecture"),
        "upstream_conflicts": upstream_conflicts(record, user=user),
    }
    return render(request, "catalog/variant_detail.html", context)
