"""Licence pages: the matrix of licences by term, and one licence with its clauses.

What they show of the models under a licence (the matrix's counts, a licence's versions and
variants) the catalog adds through core.extensions (``catalog/extensions.py``): the catalog
sits above the licences. The "may we…" checker, which picks models, is the catalog's too
(``catalog/views/license_check.py``), under the same ``licenses`` URL namespace.
"""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from core.extensions import page_context
from licenses import selectors
from licenses.choices import LicenseKind
from licenses.filters import LicenseFilterSet
from licenses.terms import FLAG_TEXT, TERMS, term_cells

CHOICE_FILTERS = ("kind", "commercial_use", "outputs_train_other_models")


def license_list(request):
    """Every published licence as a row of a matrix of its terms, with the number of versions
    and variants under it (``model_counts``, from the catalog); filtered by the API's
    LicenseFilterSet."""
    filterset = LicenseFilterSet(
        request.GET or None, queryset=selectors.license_list(user=request.user)
    )
    _present_filters(filterset.form)
    form = filterset.form
    licenses = list(filterset.qs)
    rows = [(license, term_cells(license)) for license in licenses]
    return render(
        request,
        "licenses/license_list.html",
        {
            "filterset": filterset,
            "filtered": bool(form.changed_data),
            "choice_fields": [form[name] for name in CHOICE_FILTERS],
            "flag_fields": [form[name] for name in FLAG_TEXT],
            "number_fields": [form[name] for name in ("mau_threshold__gte", "mau_threshold__lte")],
            "rows": rows,
            "terms": TERMS,
            "kinds": dict(LicenseKind.choices),
            **page_context("license_list", request, licenses=licenses),
        },
    )


def _present_filters(form) -> None:
    """Widgets and labels of the shared FilterSet's form for a page: checkboxes for choices,
    yes/no selects for flags (the API takes the same parameter values)."""
    yes_no = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
    labels = {
        "q": _("Search"),
        "kind": _("Kind"),
        "commercial_use": _("Commercial use"),
        "outputs_train_other_models": _("Outputs may train other models"),
        "mau_threshold__gte": _("User cap at least"),
        "mau_threshold__lte": _("User cap at most"),
        "attribution_required": _("Attribution required"),
        "patent_grant": _("Patent grant"),
        "modification_allowed": _("Modification allowed"),
        "redistribution_allowed": _("Redistribution allowed"),
        "share_alike": _("Share-alike"),
        "registration_required": _("Registration or approval required"),
        "territory_restricted": _("Territorial restriction"),
        "allowed_in": _("Grants rights in"),
        "ordering": _("Sort by"),
        "spdx_id": _("SPDX identifier"),
    }
    for name, label in labels.items():
        if name in form.fields:
            form.fields[name].label = label
    for name in CHOICE_FILTERS:
        form.fields[name].widget = forms.CheckboxSelectMultiple(choices=form.fields[name].choices)
    for name in FLAG_TEXT:
        form.fields[name].widget = forms.Select(choices=yes_no)
    # Labels only: the field still validates against the FilterSet's own choices.
    form.fields["ordering"].widget.choices = [
        ("", _("Name (default)")),
        ("-name", _("Name, Z to A")),
        ("mau_threshold", _("User cap, smallest first")),
        ("-mau_threshold", _("User cap, largest first")),
        ("slug", _("Identifier")),
        ("-slug", _("Identifier, Z to A")),
    ]
    form.fields["q"].widget.attrs.update({"type": "search"})
    for name in ("mau_threshold__gte", "mau_threshold__lte"):
        form.fields[name].widget.attrs.update({"min": 0, "step": 1})


def license_detail(request, slug: str):
    """One licence: its facts, every structured term with the clause behind it, its sources
    and what the seed document claimed; the catalog adds the models under it (the most recent
    versions and variants, their counts and links to all of them in the list pages). A fixed
    number of queries, and a bounded page, whatever the number of models under the licence."""
    license = get_object_or_404(selectors.license_detail(user=request.user), slug=slug)
    return render(
        request,
        "licenses/license_detail.html",
        {
            "license": license,
            "cells": term_cells(license, with_clauses=True),
            **page_context("license_detail", request, license=license),
        },
    )
