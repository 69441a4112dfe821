"""The machinery of the catalog's list pages: filter controls named as the FilterSet's
parameters, sortable column headers, pagination, the API and CSV links of the same query, and
the results fragment htmx swaps in. The pages themselves are in browse.py.

A list page filters with the API's FilterSet (same parameter names, so a page's URL is the
API's query) and answers a bare results fragment to htmx requests; every page works as a plain
GET form without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.filters import DERIVED_FEATURES
from core.pagination import DeferredJoinPaginator

PAGE_SIZE = 50  # rows per list page, as the API's pages (core/api/pagination.py)
API_MAX_PAGE_SIZE = 500  # RegistryPagination.max_page_size: the "all rows" CSV link's size

# Messages users see; tests assert on them.
UNKNOWN_VALUES = gettext_lazy("Unknown %(what)s: %(values)s. Choose one from the list.")
UNKNOWN_PARAMETERS = gettext_lazy("These parameters are not filters and were ignored: %(names)s.")


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


CHOICE_LABELS = {
    "family": gettext_lazy("family"),
    "organization": gettext_lazy("organisation"),
    "license": gettext_lazy("licence"),
    "feature": gettext_lazy("feature"),
}

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


def list_page(
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
