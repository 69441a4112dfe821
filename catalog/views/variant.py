"""The variant page: one checkpoint's exact architecture, parameters, inference memory per
precision and context, its licence terms with the clauses behind them, lineage, repository
links and sources. The "hardware that fits" rows come from the hardware app (core.extensions
page context "variant_detail").

The view loads what it shows through selectors in a fixed number of queries, computes the rest
in memory (derived features, the memory estimates of the pure estimator) and hands the template
plain rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.architecture import variant_architecture
from catalog.effective import effective_context_tokens
from catalog.filters import DERIVED_FEATURES
from catalog.keys import variant_key
from catalog.models import ModelVariant
from catalog.precision_labels import precision_label
from catalog.selectors import (
    derived_features_of,
    feature_list,
    lineage_of,
    upstream_conflicts,
    variant_for_page,
)
from catalog.views._common import _citation_marks, _marks_for, _shown, _yes_no
from core.extensions import page_context
from core.lib import charts
from core.lib.units import GIB
from core.templatetags.registry import gib, tokens
from estimator import EstimateError, EstimateOptions, estimate
from estimator import count_parameters as estimator_count_parameters
from licenses.terms import MODEL_PAGE_TERMS, term_cells

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
                    precision_label=precision_label(precision),
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


def variant_detail(request, family: str, version: str, variant: str):
    """One checkpoint: its exact architecture, parameters, inference memory per precision and
    context (chart and table), the hardware that fits from the stored recommendations, its
    licence terms with the clauses behind them, lineage, repository links and sources.

    Queries: the variant with its citations and its licences' citations (4), the derivable
    features of the taxonomy (1), recommendations (1, the hardware app's), lineage (one per
    generation and direction, plus one to end each walk); the estimator runs in memory.
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
        "release_date_precision": record.release_date_precision
        if record.release_date
        else record.version.release_date_precision,
        "derived": [derivable[slug] for slug in derived_features_of(record) if slug in derivable],
        "architecture_groups": groups,
        "has_architecture": arch is not None,
        "has_numbers": any(group["rows"] and not group["empty"] for group in groups),
        "parameters": parameters,
        "embedding_percent": embedding_percent,
        "memory_rows": memory_rows,
        "memory_chart": _memory_chart(record, memory_rows),
        "license": license,
        "license_inherited": license is not None and license.pk != record.license_id,
        "license_terms": term_cells(license, with_clauses=True, keys=MODEL_PAGE_TERMS)
        if license
        else [],
        "ancestors": lineage["ancestors"],
        "descendants": lineage["descendants"],
        "config_json": json.dumps(record.config, indent=2, ensure_ascii=False)
        if record.config
        else "",
        "variant_compare_url": f"{reverse('catalog:compare')}?variant={key}",
        "marks": marks,
        "total_mark": _marks_for(marks, "total_parameters"),
        "active_mark": _marks_for(marks, "active_parameters"),
        "architecture_mark": _marks_for(marks, "config", "architecture"),
        "upstream_conflicts": upstream_conflicts(record, user=user),
        # What the apps above add: the hardware app's fit_rows and variant_fit_url.
        **page_context("variant_detail", request, variant=record),
    }
    return render(request, "catalog/variant_detail.html", context)
