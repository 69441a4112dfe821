"""Paste a config.json: the API's estimate of it, as a page."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from catalog.models import ModelVariant
from catalog.precision_labels import precision_label
from core.lib.charts import BarRow, Segment, stacked_bar_chart
from core.lib.units import GIB
from estimator import EstimateOptions, count_parameters, estimate, parse_config
from hardware.forms import CONTEXT_SUGGESTIONS, MAX_CONFIG_BYTES, ConfigForm
from hardware.models import Workload
from hardware.services import INFERENCE_PRECISIONS, EstimateInputError, estimate_for
from hardware.views._common import (
    _TUNE_PRECISION,
    FIT_ASSUMPTION,
    SPEED_ASSUMPTION,
    TERM_LABELS,
    ProfileFit,
    _add_option_errors,
    _options_summary,
    _profile_fits,
    _with_defaults,
)

ARCHITECTURE_LABELS = {
    "sliding_window_layers": gettext_lazy("sliding-window layers"),
    "num_mtp_layers": gettext_lazy("multi-token prediction layers"),
    "layer_types": gettext_lazy("layer schedule"),
    "dense_layers": gettext_lazy("layers with a dense FFN"),
    "linear_attention": gettext_lazy("linear attention (Gated DeltaNet)"),
    "state_dtype": gettext_lazy("state dtype"),
    "qk_norm": gettext_lazy("query/key norms"),
    "attention_chunk": gettext_lazy("attention chunk (tokens)"),
    "mamba": gettext_lazy("Mamba-2 mixer"),
}
LAYER_TYPE_LABELS = {
    "full_attention": gettext_lazy("full attention"),
    "sliding_attention": gettext_lazy("sliding-window attention"),
    "chunked_attention": gettext_lazy("chunked attention"),
    "linear_attention": gettext_lazy("linear attention"),
    "mamba": gettext_lazy("Mamba-2"),
    "mlp": gettext_lazy("MLP block"),
    "moe": gettext_lazy("MoE block"),
}
QK_NORM_LABELS = {
    "none": gettext_lazy("none"),
    "head": gettext_lazy("per head"),
    "layer": gettext_lazy("over every head"),
}


def _shown(key: str, value: object) -> object:
    """A number as the page shows it: a schedule as counts per kind, nested numbers inline."""
    if key == "layer_types" and isinstance(value, list | tuple):
        counts: dict[str, int] = {}
        for kind in value:
            counts[kind] = counts.get(kind, 0) + 1
        return ", ".join(
            f"{count} × {LAYER_TYPE_LABELS.get(kind, kind)}" for kind, count in counts.items()
        )
    if key == "linear_attention" and isinstance(value, dict):
        return _(
            "%(keys)s key heads × %(key_dim)s, %(values)s value heads × %(value_dim)s, "
            "convolution over %(kernel)s positions"
        ) % {
            "keys": value["num_key_heads"],
            "key_dim": value["key_head_dim"],
            "values": value["num_value_heads"],
            "value_dim": value["value_head_dim"],
            "kernel": value["conv_kernel"],
        }
    if key == "mamba" and isinstance(value, dict):
        return _(
            "%(heads)s heads × %(head_dim)s, %(groups)s groups, state %(state)s, convolution "
            "over %(kernel)s positions"
        ) % {
            "heads": value["num_heads"],
            "head_dim": value["head_dim"],
            "groups": value["groups"],
            "state": value["state_size"],
            "kernel": value["conv_kernel"],
        }
    if key == "qk_norm" and isinstance(value, str):
        return QK_NORM_LABELS.get(value, value)
    if key == "dense_layers" and isinstance(value, list | tuple):
        return ", ".join(str(index) for index in value)
    return value


@dataclass
class ConfigResult:
    answer: dict
    architecture: list[tuple[str, str, object]]
    terms: list[dict]
    profile_fits: list[ProfileFit]
    chart: str = ""
    chart_rows: list[dict] = field(default_factory=list)


def _architecture_rows(architecture: dict) -> list[tuple[str, str, object]]:
    rows = []
    for key, value in architecture.items():
        if value in (None, "") or (key in ARCHITECTURE_LABELS and not value):
            continue
        try:
            label = ModelVariant._meta.get_field(key).verbose_name
        except Exception:  # FieldDoesNotExist: numbers only the estimator knows
            label = ARCHITECTURE_LABELS.get(key, key)
        rows.append((key, label, _shown(key, value)))
    return rows


def _config_chart(config: dict, options: EstimateOptions, answer: dict) -> tuple[str, list]:
    """The memory breakdown of the pasted config at the chosen options and its neighbours
    (the other stored precisions, or the other fine-tuning methods), as stacked bars."""

    arch = parse_config(config)
    params = count_parameters(arch)
    if options.workload == "inference":
        keys = [options.precision, *(p for p in INFERENCE_PRECISIONS if p != options.precision)]
        choices = [
            (precision_label(key), dataclasses.replace(options, precision=key)) for key in keys
        ]
    else:
        keys = [options.workload, *(w for w in _TUNE_PRECISION if w != options.workload)]
        choices = [
            (str(Workload(key).label), dataclasses.replace(options, workload=key)) for key in keys
        ]
    rows, table = [], []
    for label, choice in choices:
        memory = estimate(arch, choice, parameters=params).memory
        chosen = choice == options
        title = f"{label} ✓" if chosen else label
        rows.append(
            BarRow(
                label=title,
                segments=tuple(
                    Segment(str(TERM_LABELS.get(t.key, t.key)), t.bytes / GIB) for t in memory.terms
                ),
            )
        )
        table.append(
            {
                "label": label,
                "chosen": chosen,
                "terms": {t.key: t.bytes for t in memory.terms},
                "total": memory.total_bytes,
            }
        )
    markers = ()
    smallest = answer.get("smallest_profile")
    if smallest:
        best = next(f for f in answer["fits"] if f["profile"] == smallest)
        markers = ((best["name"], best["usable_bytes"] * best["count"] / GIB),)
    chart = stacked_bar_chart(
        rows,
        title=_("Memory breakdown of the pasted config"),
        description=_(
            "Horizontal stacked bars: total memory at the chosen options (marked ✓) and "
            "alternatives, split into weights, KV cache, activations and overhead; the dashed "
            "line is the usable memory of the smallest profile that fits. The table below "
            "gives the same figures."
        ),
        value_label=_("GiB, all accelerators together"),
        value_format=lambda v: _("%(amount)s GiB") % {"amount": number_format(v, decimal_pos=1)},
        markers=markers,
    )
    return mark_safe(chart), table  # noqa: S308 - the chart module escapes every text


@require_http_methods(["GET", "HEAD", "POST"])
def fit_config(request):
    """Paste a config.json: its parsed architecture, exact parameter count, memory breakdown
    and how every published profile fares — the answer of POST /api/v1/estimate/."""
    result = options = None
    status = 200
    if request.method == "POST":
        form = ConfigForm(_with_defaults(request.POST, ConfigForm))
        if form.is_valid():
            config = form.cleaned_data["config"]
            options = form.options()
            try:
                answer = estimate_for(config=config, options=options)
                chart, chart_rows = _config_chart(config, options, answer)
            except EstimateInputError as exc:
                _add_option_errors(form, exc.errors)
            else:
                result = ConfigResult(
                    answer=answer,
                    architecture=_architecture_rows(answer["architecture"]),
                    terms=[
                        {**t, "label": TERM_LABELS.get(t["key"], t["key"])}
                        for t in answer["breakdown"]
                    ],
                    profile_fits=_profile_fits(answer["fits"], answer["smallest_profile"]),
                    chart=chart,
                    chart_rows=chart_rows,
                )
        if result is None:
            status = 400
    else:
        form = ConfigForm()
    return render(
        request,
        "hardware/fit_config.html",
        {
            "form": form,
            "result": result,
            "context_suggestions": CONTEXT_SUGGESTIONS,
            "max_config_kb": MAX_CONFIG_BYTES // 1024,
            "options": _options_summary(options) if result else None,
            "speed_assumption": SPEED_ASSUMPTION,
            "fit_assumption": FIT_ASSUMPTION,
            "term_labels": TERM_LABELS,
        },
        status=status,
    )
