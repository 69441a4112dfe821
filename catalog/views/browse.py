"""Browsing the catalog: home, the model and version lists, families, and compare.

The list pages filter with the API's FilterSets (same parameter names, so a page's URL is
the API's query) and answer a bare results fragment to htmx requests; every page works as a
plain GET form without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog import selectors
from catalog.choices import Capability, LineageKind, Modality, VariantKind
from catalog.filters import (
    ATTENTION_CHOICES,
    DERIVED_FEATURES,
    FIT_PRECISIONS,
    FamilyFilterSet,
    VariantFilterSet,
    VersionFilterSet,
)
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.keys import family_url, variant_key, variant_url, version_url
from catalog.lineage_graph import Edge, Node, lineage_svg
from catalog.models import ModelVariant
from catalog.selectors import COMPARE_MAX, COMPARE_MIN
from core.extensions import page_context
from core.pagination import DeferredJoinPaginator
from core.templatetags.registry import count as format_count
from core.templatetags.registry import gib as format_gib
from core.templatetags.registry import tokens as format_tokens
from estimator import EstimateOptions
from estimator.memory import MAX_CONTEXT_TOKENS
from hardware.ranking import hardware_fit
from licenses.choices import CommercialUse, OutputsUse

PAGE_SIZE = 50  # rows per list page, as the API's pages (core/api/pagination.py)
FAMILY_PAGE_SIZE = 100
API_MAX_PAGE_SIZE = 500  # RegistryPagination.max_page_size: the "all rows" CSV link's size
DEFAULT_PRECISION = "bf16"
DEFAULT_CONTEXT_TOKENS = 8192
# Variants each compare picker offers (the most recently released, and the chosen ones): four
# pickers of about 80 bytes an option keep the page under 100 KB (issue 5).
COMPARE_CHOICES = 120
LATEST_RELEASES = 6

# Messages users see; tests assert on them.
UNKNOWN_VALUES = gettext_lazy("Unknown %(what)s: %(values)s. Choose one from the list.")
UNKNOWN_PARAMETERS = gettext_lazy("These parameters are not filters and were ignored: %(names)s.")
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


# -- shared pieces of the list pages ---------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A results table column; ``ordering`` is the FilterSet's ordering value ("" when the
    column is not sortable)."""

    label: str
    ordering: str = ""
    numeric: bool = False


@dataclass(frozen=True)
class FilterInput:
    """A control of a list page's filter form, named as the FilterSet's parameter.

    ``kind``: search, text, number, date or select; ``options``: the name of a selector
    choice list (family, organization, license, feature) or a list of (value, label) pairs.
    """

    name: str
    label: str
    kind: str = "text"
    options: str | tuple = ()
    placeholder: str = ""
    help: str = ""


@dataclass
class FilterControl:
    """A :class:`FilterInput` bound to the request: what the template renders."""

    name: str
    label: str
    kind: str
    value: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    extra_values: list[str] = field(default_factory=list)  # further values of a multi-value
    placeholder: str = ""
    help: str = ""

    @property
    def input_id(self) -> str:
        return f"filter-{self.name}"


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
CHOICE_LABELS = {
    "family": gettext_lazy("family"),
    "organization": gettext_lazy("organisation"),
    "license": gettext_lazy("licence"),
    "feature": gettext_lazy("feature"),
}

VARIANT_FILTERS = (
    FilterInput(
        "q", gettext_lazy("Search"), "search", placeholder=gettext_lazy("Name, e.g. Qwen2.5")
    ),
    FilterInput("family", gettext_lazy("Family"), "select", "family"),
    FilterInput("organization", gettext_lazy("Organisation"), "select", "organization"),
    FilterInput("kind", gettext_lazy("Kind"), "select", tuple(VariantKind.choices)),
    FilterInput(
        "total_parameters__gte",
        gettext_lazy("Parameters at least"),
        placeholder="7B",
        help=gettext_lazy("e.g. 7B, 500M, 1.5T"),
    ),
    FilterInput("total_parameters__lte", gettext_lazy("Parameters at most"), placeholder="70B"),
    FilterInput(
        "context__gte",
        gettext_lazy("Context at least (tokens)"),
        "number",
        placeholder="32768",
    ),
    FilterInput("license", gettext_lazy("Licence"), "select", "license"),
    FilterInput(
        "commercial_use", gettext_lazy("Commercial use"), "select", tuple(CommercialUse.choices)
    ),
    FilterInput("feature", gettext_lazy("Architecture feature"), "select", "feature"),
    FilterInput("attention", gettext_lazy("Attention"), "select", tuple(ATTENTION_CHOICES)),
    FilterInput(
        "moe",
        gettext_lazy("Mixture of experts"),
        "select",
        (("true", gettext_lazy("MoE only")), ("false", gettext_lazy("Dense only"))),
    ),
    FilterInput("modality", gettext_lazy("Modality"), "select", tuple(Modality.choices)),
    FilterInput("released_after", gettext_lazy("Released after"), "date"),
)
VARIANT_COLUMNS = (
    Column(gettext_lazy("Name"), "name"),
    Column(gettext_lazy("Family")),
    Column(gettext_lazy("Parameters"), "total_parameters", numeric=True),
    Column(gettext_lazy("Active"), "active_parameters", numeric=True),
    Column(gettext_lazy("Context"), "context", numeric=True),
    Column(gettext_lazy("Released"), "release_date"),
    Column(gettext_lazy("Licence")),
)

VERSION_FILTERS = (
    FilterInput(
        "q", gettext_lazy("Search"), "search", placeholder=gettext_lazy("Name, e.g. Llama 3")
    ),
    FilterInput("family", gettext_lazy("Family"), "select", "family"),
    FilterInput("organization", gettext_lazy("Organisation"), "select", "organization"),
    FilterInput("license", gettext_lazy("Licence"), "select", "license"),
    FilterInput(
        "commercial_use", gettext_lazy("Commercial use"), "select", tuple(CommercialUse.choices)
    ),
    FilterInput(
        "context__gte", gettext_lazy("Context at least (tokens)"), "number", placeholder="32768"
    ),
    FilterInput("capability", gettext_lazy("Capability"), "select", tuple(Capability.choices)),
    FilterInput("modality", gettext_lazy("Modality"), "select", tuple(Modality.choices)),
    FilterInput("released_after", gettext_lazy("Released after"), "date"),
)
VERSION_COLUMNS = (
    Column(gettext_lazy("Version"), "name"),
    Column(gettext_lazy("Family")),
    Column(gettext_lazy("Released"), "release_date"),
    Column(gettext_lazy("Context"), "max_context_tokens", numeric=True),
    Column(gettext_lazy("Training tokens"), "training_tokens", numeric=True),
    Column(gettext_lazy("Variants"), numeric=True),
    Column(gettext_lazy("Licence")),
)

# Parameters a list page understands besides its FilterSet's; others are reported as ignored.
PAGE_PARAMETERS = {"page", "ordering"}


def _values(data, name: str) -> list[str]:
    """Every value of a parameter, repeated or comma-separated (as ValuesFilter reads it)."""
    return [part.strip() for raw in data.getlist(name) for part in raw.split(",") if part.strip()]


def _bind_controls(inputs, data, choices) -> list[FilterControl]:
    controls = []
    for spec in inputs:
        if isinstance(spec.options, str):
            options = [(record.slug, record.localized("name")) for record in choices[spec.options]]
        else:
            options = [(str(value), str(label)) for value, label in spec.options]
        values = _values(data, spec.name) if spec.kind == "select" else data.getlist(spec.name)
        value = values[0] if values else ""
        if spec.kind == "select" and value and value not in {v for v, _label in options}:
            # Keep an unknown value selectable so the form shows (and resubmits) the state.
            options.append((value, value))
        controls.append(
            FilterControl(
                name=spec.name,
                label=str(spec.label),
                kind=spec.kind,
                value=value,
                options=options,
                extra_values=values[1:] if spec.kind == "select" else [],
                placeholder=str(spec.placeholder),
                help=str(spec.help),
            )
        )
    return controls


def _querystring(data, **changes) -> str:
    """``data`` (a QueryDict) with ``changes`` applied (None removes), without empty values."""
    pairs = [
        (name, value)
        for name, values in data.lists()
        if name not in changes
        for value in values
        if value != ""
    ]
    pairs += [(name, value) for name, value in changes.items() if value not in (None, "")]
    return urlencode(pairs)


def _headers(columns, data, path: str) -> list[dict]:
    """Column headers with their sort link (toggling ascending/descending) and aria-sort."""
    current = data.get("ordering", "")
    headers = []
    for column in columns:
        header = {"label": column.label, "numeric": column.numeric, "href": "", "sort": ""}
        if column.ordering:
            if current == column.ordering:
                header["sort"], target = "ascending", f"-{column.ordering}"
            elif current == f"-{column.ordering}":
                header["sort"], target = "descending", column.ordering
            else:
                target = column.ordering
            header["href"] = f"{path}?{_querystring(data, ordering=target, page=None)}"
        headers.append(header)
    return headers


def _check_known_values(filterset, data, choices, derived: tuple[str, ...] = ()) -> None:
    """Explain slugs that name no record (the filter stays applied: it matches nothing, as in
    the API). Called after ``filterset.qs`` is built, so the error does not drop the filter."""
    form = filterset.form
    for name, records in choices.items():
        if name not in form.fields:
            continue
        known = {record.slug for record in records}
        if name == "feature":
            known |= set(derived)
        unknown = [value for value in _values(data, name) if value not in known]
        if unknown:
            message = UNKNOWN_VALUES % {
                "what": CHOICE_LABELS[name],
                "values": ", ".join(f"“{value}”" for value in unknown),
            }
            form.add_error(name, message)


def _list_page(
    request,
    *,
    filterset_class,
    queryset,
    inputs,
    columns,
    choice_names,
    template: str,
    partial: str,
    api_list: str,
    extra: dict | None = None,
):
    """Filter, sort and paginate ``queryset`` with ``filterset_class``; the whole page, or
    the results fragment for htmx (not for htmx's history restore, which needs the page)."""
    data = request.GET
    choices = selectors.filter_choices(user=request.user, include=choice_names)
    filterset = filterset_class(data, queryset=queryset, request=request)
    rows = filterset.qs
    _check_known_values(filterset, data, choices, derived=tuple(DERIVED_FEATURES))
    order = rows.query.order_by
    if order and "pk" not in order and "-pk" not in order:
        rows = rows.order_by(*order, "pk")  # ties break the same way on every page
    page_obj = DeferredJoinPaginator(rows, PAGE_SIZE).get_page(data.get("page"))

    known = set(filterset_class.base_filters) | PAGE_PARAMETERS
    unknown = sorted(name for name in data if name not in known)
    api_params = [
        (name, value)
        for name, values in data.lists()
        if name in filterset_class.base_filters or name == "ordering"
        for value in values
        if value != ""
    ]
    csv_page = [*api_params, ("page", page_obj.number)] if page_obj.number > 1 else api_params
    api_url = reverse(api_list)
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "controls": _bind_controls(inputs, data, choices),
        "headers": _headers(columns, data, request.path),
        "page_obj": page_obj,
        "rows": page_obj.object_list,
        "ordering": data.get("ordering", ""),
        "unknown_parameters": UNKNOWN_PARAMETERS % {"names": ", ".join(unknown)} if unknown else "",
        "csv_url": f"{api_url}?{urlencode([*csv_page, ('format', 'csv')])}",
        "csv_all_url": f"{api_url}?"
        + urlencode([*api_params, ("page_size", API_MAX_PAGE_SIZE), ("format", "csv")]),
        "api_url": f"{api_url}?{urlencode(api_params)}" if api_params else api_url,
        "results_template": partial,
        **(extra or {}),
    }
    fragment = request.htmx and not request.htmx.history_restore_request
    response = render(request, partial if fragment else template, context)
    if fragment:
        # The address bar shows the query without the form's empty fields: shareable, and
        # the same as the API's query.
        query = _querystring(data)
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    # The same URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


# -- pages -----------------------------------------------------------------------------------


def home(request):
    """The front page: search, how much the registry holds, latest releases, and the
    questions people come with."""
    counts = selectors.catalog_counts(user=request.user)
    latest = list(selectors.latest_versions(user=request.user, limit=LATEST_RELEASES))
    stats = [
        (counts["families"], _("families"), reverse("catalog:family_list")),
        (counts["versions"], _("versions"), reverse("catalog:version_list")),
        (counts["variants"], _("variants"), reverse("catalog:variant_list")),
        (counts["licenses"], _("licences"), reverse("licenses:license_list")),
        # (count, label, url) rows the apps above add: the hardware app's accelerators
        *page_context("home", request).get("stats", []),
    ]
    questions = [
        (
            _("Which models may we use commercially?"),
            _("Models whose licence allows commercial use, largest first."),
            reverse("catalog:variant_list")
            + "?"
            + urlencode({"commercial_use": "allowed", "ordering": "-total_parameters"}),
        ),
        (
            _("Can I run it?"),
            _("What fits on your GPUs at a given precision and context."),
            reverse("hardware:fit"),
        ),
        (
            _("How do they compare?"),
            _("Two to four models side by side, differences highlighted."),
            reverse("catalog:compare"),
        ),
        (
            _("May we do this under the licence?"),
            _("Check a use against a model's licence, with the clause behind each answer."),
            reverse("licenses:license_check"),
        ),
        (
            _("How have models grown?"),
            _("Parameters, context length and releases over time."),
            reverse("catalog:trends"),
        ),
        (
            _("What is GQA, MLA, MoE…?"),
            _("Architecture features explained, and the models that use them."),
            reverse("catalog:feature_list"),
        ),
    ]
    return render(
        request,
        "catalog/home.html",
        {"stats": stats, "latest": latest, "questions": questions},
    )


def variant_list(request):
    """Every published variant, filtered with the API's ``VariantFilterSet``, sortable,
    paginated, with the CSV of the same query."""
    return _list_page(
        request,
        filterset_class=VariantFilterSet,
        queryset=selectors.variant_list_rows(user=request.user),
        inputs=VARIANT_FILTERS,
        columns=VARIANT_COLUMNS,
        choice_names=("family", "organization", "license", "feature"),
        template="catalog/variant_list.html",
        partial="catalog/_variant_results.html",
        api_list="variant-list",
        extra={
            "form_id": "variant-filters",
            "region_id": "variant-results-region",
            "table_id": "variant-results",
            "row_kind": "variant",
        },
    )


def version_list(request):
    """Every published version, filtered with the API's ``VersionFilterSet``."""
    return _list_page(
        request,
        filterset_class=VersionFilterSet,
        queryset=selectors.version_list_page(user=request.user),
        inputs=VERSION_FILTERS,
        columns=VERSION_COLUMNS,
        choice_names=("family", "organization", "license"),
        template="catalog/version_list.html",
        partial="catalog/_version_results.html",
        api_list="version-list",
        extra={
            "form_id": "version-filters",
            "region_id": "version-results-region",
            "table_id": "version-results",
            "row_kind": "version",
        },
    )


def family_list(request):
    """Every family with its organisation, how many versions and variants it has, and its
    latest release; ``q`` and ``organization`` filter as in the API."""
    filterset = FamilyFilterSet(
        request.GET, queryset=selectors.family_list_page(user=request.user), request=request
    )
    # Families are few (publishers), but a page stays bounded however many there are.
    page_obj = DeferredJoinPaginator(filterset.qs, FAMILY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/family_list.html",
        {
            "families": page_obj.object_list,
            "page_obj": page_obj,
            "filterset": filterset,
            "form": filterset.form,
        },
    )


def family_detail(request, family):
    """A family's story, the timeline of its versions, its lineage across families and its
    licences over time (five queries whatever its size)."""
    record = get_object_or_404(selectors.family_detail(user=request.user), slug=family)
    versions = list(selectors.family_versions(record, user=request.user))
    variants = list(selectors.family_variants(record, user=request.user))
    edges = list(selectors.family_lineage(record, user=request.user))

    by_version: dict[int, list[ModelVariant]] = {}
    for variant in variants:
        by_version.setdefault(variant.version_id, []).append(variant)
    timeline = []
    previous_license = None
    for index, version in enumerate(versions):
        members = by_version.get(version.pk, [])
        sizes = sorted({v.total_parameters for v in members if v.total_parameters})
        overrides = {}
        for variant in members:
            if variant.license_id and variant.license_id != version.license_id:
                overrides.setdefault(variant.license_id, (variant.license, []))[1].append(variant)
        timeline.append(
            {
                "version": version,
                "variant_count": len(members),
                "sizes": [format_count(size) for size in sizes],
                "license": version.license,
                "license_overrides": list(overrides.values()),
                "license_changed": index > 0 and version.license_id != previous_license,
            }
        )
        previous_license = version.license_id

    graph_svg, edge_list = _lineage(record, edges)
    return render(
        request,
        "catalog/family_detail.html",
        {
            "family": record,
            "timeline": timeline,
            "variant_total": len(variants),
            "lineage_svg": graph_svg,
            "lineage_edges": edge_list,
        },
    )


def _lineage(family, edges) -> tuple[str, list[dict]]:
    """The lineage graph's SVG (empty without edges) and its edges as text."""
    nodes: dict[int, Node] = {}
    graph_edges = []
    listed = []
    kinds = dict(LineageKind.choices)
    # This family's variants first: they take the first colour and the top of each layer.
    ends = sorted(
        (end for edge in edges for end in (edge.parent, edge.child)),
        key=lambda v: v.version.family_id != family.pk,
    )
    for variant in ends:
        nodes.setdefault(
            variant.pk,
            Node(
                key=str(variant.pk),
                label=variant.name,
                group=variant.version.family.slug,
                group_label=variant.version.family.localized("name"),
                highlight=variant.version.family_id == family.pk,
            ),
        )
    for edge in edges:
        kind = str(kinds.get(edge.kind, edge.kind))
        graph_edges.append(Edge(str(edge.parent_id), str(edge.child_id), kind))
        listed.append(
            {
                "parent": edge.parent,
                "parent_url": variant_url(edge.parent),
                "child": edge.child,
                "child_url": variant_url(edge.child),
                "kind": kind,
                "note": edge.note,
            }
        )
    family_name = family.localized("name")
    svg = lineage_svg(
        list(nodes.values()),
        graph_edges,
        title=_("Lineage of %(family)s") % {"family": family_name},
        description=ngettext(
            "%(edges)d derivation between %(variants)d variants; arrows point from the "
            "original to the derived model. The list below gives them as text.",
            "%(edges)d derivations between %(variants)d variants; arrows point from the "
            "original to the derived model. The list below gives them as text.",
            len(graph_edges),
        )
        % {"edges": len(graph_edges), "variants": len(nodes)},
        id_prefix="lineage-graph",
    )
    return mark_safe(svg), listed  # noqa: S308 (lineage_graph escapes every label)


# -- compare ---------------------------------------------------------------------------------


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
                Cell(date_format(v.effective_release_date) if v.effective_release_date else "—")
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
            _("Decode speed (one sequence, upper bound)"),
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
            fits = hardware_fit(
                variants,
                EstimateOptions(
                    precision=options_form.cleaned_data["precision"],
                    context_tokens=options_form.cleaned_data["context_tokens"],
                ),
            )
        else:
            messages.append(FIT_OPTIONS_INVALID)
        sections = _compare_sections(variants, fits)

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
