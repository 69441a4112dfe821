"""The compare page: two to four variants side by side, differing rows marked, with the
hardware that fits each at a chosen precision and context. The hardware fit comes from the
hardware app (core.extensions page context "compare"); without it the page compares the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.choices import VariantKind
from catalog.filters import FIT_PRECISIONS
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.keys import family_url, variant_key, variant_url, version_url
from catalog.models import ModelVariant
from catalog.selectors import COMPARE_MAX, COMPARE_MIN
from core.dates import released
from core.extensions import page_context
from core.templatetags.registry import count as format_count
from core.templatetags.registry import gib as format_gib
from core.templatetags.registry import tokens as format_tokens
from estimator import EstimateOptions
from estimator.memory import MAX_CONTEXT_TOKENS
from licenses.choices import CommercialUse, OutputsUse
from licenses.terms import term_cells

DEFAULT_PRECISION = "bf16"
DEFAULT_CONTEXT_TOKENS = 8192
# Variants each compare picker offers (the most recently released, and the chosen ones): four
# pickers of about 80 bytes an option keep the page under 100 KB (issue 5).
COMPARE_CHOICES = 120

# Messages users see; tests assert on them.
COMPARE_PICK = gettext_lazy("Choose two to four variants to compare.")
COMPARE_TOO_FEW = gettext_lazy("Choose at least one more variant: a comparison needs two.")
COMPARE_TOO_MANY = gettext_lazy(
    "At most four variants can be compared at a time; left out: %(keys)s."
)
COMPARE_UNKNOWN = gettext_lazy(
    "No published variant has the key %(keys)s (keys are family/version/variant)."
)
NO_PROFILE_FITS = gettext_lazy("No published hardware profile fits.")
FIT_OPTIONS_INVALID = gettext_lazy("Correct the precision and context to see the hardware fit.")

# Names of the features derived from a variant's numbers (catalog.filters.DERIVED_FEATURES).
DERIVED_LABELS = {
    "mha": "MHA",
    "gqa": "GQA",
    "mqa": "MQA",
    "mla": "MLA",
    "moe": "MoE",
    "moe-shared-experts": gettext_lazy("MoE shared experts"),
    "tied-embeddings": gettext_lazy("tied embeddings"),
    "sliding-window": gettext_lazy("sliding window"),
}


class CompareOptionsForm(forms.Form):
    """The hardware-fit options of the compare page (the variants are read apart: up to four
    repeated ``variant`` parameters)."""

    precision = forms.ChoiceField(label=gettext_lazy("Precision"), choices=FIT_PRECISIONS)
    context_tokens = forms.IntegerField(
        label=gettext_lazy("Context (tokens)"), min_value=1, max_value=MAX_CONTEXT_TOKENS
    )


@dataclass
class Cell:
    text: str
    href: str = ""
    badge: str = ""  # a badge class (ok, warn, bad)
    note: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]
    differs: bool = False


@dataclass
class Section:
    title: str
    rows: list[Row]


def _parse_keys(raw: list[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Well-formed ``family/version/variant`` keys (deduplicated, in order) and the rest."""
    keys, malformed = [], []
    for value in dict.fromkeys(v.strip().strip("/") for v in raw if v.strip()):
        parts = value.split("/")
        if len(parts) == 3 and all(_is_slug(part) for part in parts):
            keys.append(tuple(parts))
        else:
            malformed.append(value)
    return keys, malformed


def _is_slug(value: str) -> bool:
    try:
        return bool(value) and forms.SlugField().clean(value) == value
    except forms.ValidationError:
        return False


def _row(label, raw: list, shown: list[Cell]) -> Row:
    differs = len({repr(value) for value in raw}) > 1
    return Row(str(label), shown, differs)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float):
        if value.is_integer():
            return number_format(int(value), force_grouping=True)
        return number_format(value)
    return str(value)


def _license_of(variant):
    return variant.license or variant.version.license


def _territory_text(license) -> str:
    if license is None:
        return str(_("Not stated"))
    (cell,) = term_cells(license, keys=("excluded_territories",))
    return cell.text


def _commercial_badge(value: str) -> str:
    return {"allowed": "ok", "conditional": "warn", "not_allowed": "bad"}.get(value, "")


def _compare_sections(variants, fits) -> list[Section]:
    """The comparison, section by section; a row differs when its raw values do."""
    kinds = dict(VariantKind.choices)
    commercial = dict(CommercialUse.choices)
    outputs = dict(OutputsUse.choices)
    licenses = [_license_of(v) for v in variants]

    def license_attr(name):
        return [getattr(lic, name) if lic else None for lic in licenses]

    overview = [
        _row(
            _("Family"),
            [v.version.family_id for v in variants],
            [
                Cell(
                    v.version.family.localized("name"),
                    family_url(v.version.family),
                )
                for v in variants
            ],
        ),
        _row(
            _("Version"),
            [v.version_id for v in variants],
            [
                Cell(
                    v.version.localized("name"),
                    version_url(v.version),
                )
                for v in variants
            ],
        ),
        _row(
            _("Kind"),
            [v.kind for v in variants],
            [Cell(str(kinds.get(v.kind, v.kind))) for v in variants],
        ),
        _row(
            _("Released"),
            [v.effective_release_date for v in variants],
            [
                Cell(released(v.effective_release_date, v.effective_release_date_precision))
                for v in variants
            ],
        ),
        _row(
            _("Total parameters"),
            [v.total_parameters for v in variants],
            [Cell(format_count(v.total_parameters)) for v in variants],
        ),
        _row(
            _("Active parameters"),
            [v.effective_active_parameters for v in variants],
            [Cell(format_count(v.effective_active_parameters)) for v in variants],
        ),
        _row(
            _("Context"),
            [v.effective_context for v in variants],
            [Cell(format_tokens(v.effective_context)) for v in variants],
        ),
    ]
    licence_rows = [
        _row(
            _("Licence"),
            [lic.pk if lic else None for lic in licenses],
            [
                Cell(
                    lic.localized("name"),
                    reverse("licenses:license_detail", kwargs={"slug": lic.slug}),
                )
                if lic
                else Cell("—")
                for lic in licenses
            ],
        ),
        _row(
            _("Commercial use"),
            license_attr("commercial_use"),
            [
                Cell(
                    str(commercial.get(value, _("Not stated"))),
                    badge=_commercial_badge(value),
                )
                for value in license_attr("commercial_use")
            ],
        ),
        _row(
            _("Monthly active user limit"),
            license_attr("mau_threshold"),
            [
                Cell(format_count(value) if value else "—")
                for value in license_attr("mau_threshold")
            ],
        ),
        _row(
            _("Territory"),
            [
                (lic.territory_restricted, tuple(map(str, lic.excluded_territories)))
                if lic
                else None
                for lic in licenses
            ],
            [Cell(_territory_text(lic)) for lic in licenses],
        ),
        _row(
            _("Outputs may train other models"),
            license_attr("outputs_train_other_models"),
            [
                Cell(str(outputs.get(value, _("Not stated"))))
                for value in license_attr("outputs_train_other_models")
            ],
        ),
    ]
    for name, label in (
        ("attribution_required", _("Attribution required")),
        ("redistribution_allowed", _("Redistribution allowed")),
        ("patent_grant", _("Patent grant")),
        ("registration_required", _("Registration or approval required")),
    ):
        values = license_attr(name)
        licence_rows.append(
            _row(
                label,
                values,
                [Cell(_text(v) if v is not None else _("Not stated")) for v in values],
            )
        )

    curated = [
        [claim.feature.localized("name") for claim in v.version.version_features.all()]
        for v in variants
    ]
    derived = [
        [str(DERIVED_LABELS.get(slug, slug)) for slug in selectors.derived_features_of(v)]
        for v in variants
    ]
    feature_rows = [
        _row(_("Curated features"), curated, [Cell(", ".join(f) or "—") for f in curated]),
        _row(_("Derived from the numbers"), derived, [Cell(", ".join(f) or "—") for f in derived]),
    ]
    architecture = []
    for name in ARCHITECTURE_FIELDS:
        values = [getattr(v, name) for v in variants]
        label = capfirst(ModelVariant._meta.get_field(name).verbose_name)
        architecture.append(_row(label, values, [Cell(_text(value)) for value in values]))

    sections = [
        Section(_("Overview"), overview),
        Section(_("Licence terms"), licence_rows),
        Section(_("Architecture features"), feature_rows),
        Section(_("Architecture"), architecture),
    ]
    if fits is not None:
        sections.append(Section(_("Hardware fit"), _fit_rows(fits)))
    return sections


def _fit_rows(fits: list[dict]) -> list[Row]:
    """Rows of the hardware-fit section; a variant that cannot be estimated says why in the
    first row and shows dashes below."""

    def memory(key: str, first: bool = False) -> list[Cell]:
        cells = []
        for fit in fits:
            if fit.get("error"):
                cells.append(Cell(fit["error"] if first else "—"))
            else:
                cells.append(Cell(format_gib(fit[key]), note=fit["note"] if first else ""))
        return cells

    def smallest_cell(fit: dict) -> Cell:
        if fit.get("error"):
            return Cell("—")
        if not fit["fitting"]:
            return Cell(str(NO_PROFILE_FITS), badge="bad")
        best = fit["fitting"][0]
        return Cell(
            _("%(profile)s (%(memory)s per device)")
            % {"profile": best["name"], "memory": format_gib(best["per_device_bytes"])},
            reverse("hardware:profile_detail", kwargs={"slug": best["slug"]}),
        )

    def speed_cell(fit: dict) -> Cell:
        speed = fit["fitting"][0]["tokens_per_s"] if fit.get("fitting") else None
        if not speed:
            return Cell("—")
        return Cell(_("%(speed)s tokens/s") % {"speed": number_format(speed, 0)})

    fitting = [[p["slug"] for p in fit.get("fitting", [])] for fit in fits]
    return [
        _row(_("Memory needed"), [f.get("total_bytes") for f in fits], memory("total_bytes", True)),
        _row(_("Weights"), [f.get("weights_bytes") for f in fits], memory("weights_bytes")),
        _row(_("KV cache"), [f.get("kv_cache_bytes") for f in fits], memory("kv_cache_bytes")),
        _row(
            _("Smallest profile that fits"),
            [f[:1] for f in fitting],
            [smallest_cell(fit) for fit in fits],
        ),
        _row(
            _("Next smallest that fit"),
            [f[1:] for f in fitting],
            [Cell(", ".join(p["name"] for p in fit.get("fitting", [])[1:]) or "—") for fit in fits],
        ),
        _row(
            _("Decode speed (one sequence, estimate)"),
            [
                f.get("fitting", [{}])[0].get("tokens_per_s") if f.get("fitting") else None
                for f in fits
            ],
            [speed_cell(fit) for fit in fits],
        ),
    ]


def compare(request):
    """Two to four variants side by side, differing rows marked, with the hardware that fits
    each at a chosen precision and context (a fixed number of queries for any of them)."""
    raw_keys = request.GET.getlist("variant")
    keys, malformed = _parse_keys(raw_keys)
    messages = []
    left_out = []
    if len(keys) > COMPARE_MAX:
        keys, left_out = keys[:COMPARE_MAX], keys[COMPARE_MAX:]
        messages.append(COMPARE_TOO_MANY % {"keys": ", ".join("/".join(k) for k in left_out)})

    options_form = CompareOptionsForm(
        {
            "precision": request.GET.get("precision") or DEFAULT_PRECISION,
            "context_tokens": request.GET.get("context_tokens") or DEFAULT_CONTEXT_TOKENS,
        }
    )
    choices, choices_cut = selectors.variant_picker(
        selectors.variant_choices(user=request.user), keys, limit=COMPARE_CHOICES
    )

    variants = []
    if keys:
        found = {variant_key(v): v for v in selectors.variants_by_keys(keys, user=request.user)}
        unknown = [*malformed, *("/".join(k) for k in keys if "/".join(k) not in found)]
        variants = [found["/".join(k)] for k in keys if "/".join(k) in found]
    else:
        unknown = malformed
    if unknown:
        messages.append(COMPARE_UNKNOWN % {"keys": ", ".join(f"“{k}”" for k in unknown)})
    if not raw_keys or (not variants and not unknown):
        hint = COMPARE_PICK
    elif len(variants) == 1:
        hint = COMPARE_TOO_FEW
    else:
        hint = ""

    sections = []
    if len(variants) >= COMPARE_MIN:
        fits = None
        if options_form.is_valid():
            options = EstimateOptions(
                precision=options_form.cleaned_data["precision"],
                context_tokens=options_form.cleaned_data["context_tokens"],
            )
            # [{total_bytes, weights_bytes, kv_cache_bytes, note, fitting} or {error}] per
            # variant, from the hardware app (hardware/extensions.py); none without it.
            fits = page_context("compare", request, variants=variants, options=options).get(
                "hardware_fit"
            )
        else:
            messages.append(FIT_OPTIONS_INVALID)
        sections = _compare_sections(variants, fits)
        # Benchmark rows, aligned only where results are comparable (evaluations app).
        sections += page_context("compare_scores", request, variants=variants).get("sections", [])

    selected = ["/".join(k) for k in keys]
    pickers = [
        {
            "id": f"compare-variant-{index + 1}",
            "label": _("Variant %(number)d") % {"number": index + 1},
            "value": selected[index] if index < len(selected) else "",
        }
        for index in range(COMPARE_MAX)
    ]
    groups: dict[str, list[tuple[str, str]]] = {}
    for variant in choices:
        groups.setdefault(variant.version.family.localized("name"), []).append(
            (variant_key(variant), variant.name)
        )
    others = [
        (name, value)
        for name, values in request.GET.lists()
        if name != "variant"
        for value in values
    ]
    columns = []
    for variant in variants:
        rest = [("variant", variant_key(v)) for v in variants if v is not variant]
        columns.append(
            {
                "variant": variant,
                "url": variant_url(variant),
                "remove_url": f"{request.path}?{urlencode([*rest, *others])}",
            }
        )
    response = render(
        request,
        "catalog/compare.html",
        {
            "pickers": pickers,
            "groups": groups,
            "choices_cut": choices_cut,
            "choices_limit": COMPARE_CHOICES,
            "options_form": options_form,
            "messages_": [str(m) for m in messages],
            "hint": str(hint),
            "columns": columns,
            "sections": sections,
        },
    )
    return response
