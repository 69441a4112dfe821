"""Licence pages: the matrix of licences by term, one licence with its clauses and models, and
the "may we…" checker."""

from urllib.parse import urlencode

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from licenses import selectors
from licenses.checker import (
    IntendedUse,
    check,
)
from licenses.choices import LicenseKind
from licenses.filters import LicenseFilterSet
from licenses.forms import LicenseCheckForm
from licenses.terms import FLAG_TEXT, TERMS, license_terms, shown_answer, term_cells

CHOICE_FILTERS = ("kind", "commercial_use", "outputs_train_other_models")
# Versions, and variants overriding their version's licence, that a licence's page lists, most
# recent first: about 500 bytes each, so that the page stays under 100 KB (issue 5); the list
# pages have them all.
MODEL_ROWS = 50
# Models the checker's picker offers (the most recently released, and the one asked about):
# about 90 bytes an option.
CHECK_CHOICES = 120


def license_list(request):
    """Every published licence as a row of a matrix of its terms, with the number of versions
    and variants under it; filtered by the API's LicenseFilterSet."""
    filterset = LicenseFilterSet(
        request.GET or None, queryset=selectors.license_matrix(user=request.user)
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
    """One licence: its facts, every structured term with the clause behind it, the most
    recent versions and variants under it with links to all of them in the list pages, its
    sources and what the seed document claimed. A fixed number of queries, and a bounded
    page, whatever the number of models under the licence."""
    license = get_object_or_404(selectors.license_page(user=request.user), slug=slug)
    versions = list(selectors.license_recent_versions(license, user=request.user)[:MODEL_ROWS])
    overriding = selectors.license_recent_override_variants(license, user=request.user)
    override_count = overriding.count()
    variants = list(overriding[:MODEL_ROWS])
    return render(
        request,
        "licenses/license_detail.html",
        {
            "license": license,
            "cells": term_cells(license, with_clauses=True),
            "versions": versions,
            "variants": variants,
            "override_count": override_count,
            # The list pages' own filters (the API's): the links list what the counts say.
            "version_list_url": reverse("catalog:version_list")
            + "?"
            + urlencode({"license": license.slug, "ordering": "-release_date"}),
            "variant_list_url": reverse("catalog:variant_list")
            + "?"
            + urlencode({"license": license.slug, "ordering": "-release_date"}),
        },
    )


def license_check(request):
    """The "may we…" checker: a licence (or a model's effective licence) and an intended use
    in, an answer per question with the clause behind it out. Bad input is explained on the
    page with status 400."""
    licenses = list(selectors.license_detail(user=request.user))
    # The picker offers the most recent models and the one asked about (the form validates
    # the key against them): the page stays small however many models there are.
    key = request.GET.get("variant", "").strip().strip("/").split("/")
    variants, variants_cut = selectors.license_check_picker(
        [tuple(key)] if len(key) == 3 else [], limit=CHECK_CHOICES, user=request.user
    )
    asked = any(name in request.GET for name in LicenseCheckForm.base_fields)
    form = LicenseCheckForm(request.GET if asked else None, licenses=licenses, variants=variants)
    context = {
        "form": form,
        "license": None,
        "variant": None,
        "answers": [],
        "variants_cut": variants_cut,
        "variants_limit": CHECK_CHOICES,
    }
    status = 200
    if asked and form.is_valid():
        data = form.cleaned_data
        license = data["effective_license"]
        use = IntendedUse(
            monthly_users=data["monthly_users"],
            publish_finetune=data["publish_finetune"],
            train_other_models=data["train_other_models"],
            hosted_service=data["hosted_service"],
        )
        answers = check(license_terms(license), use)
        context.update(
            license=license,
            variant=data["variant"],
            via_override=bool(data["variant"] and data["variant"].license_id),
            answers=[shown_answer(answer, license, use) for answer in answers],
        )
    elif asked:
        status = 400
    return render(request, "licenses/license_check.html", context, status=status)
