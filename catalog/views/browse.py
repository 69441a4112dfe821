"""Browsing the catalog: the home page and the model and version lists.

The lists are built by listing.py's machinery over the API's FilterSets; the family pages are
in families.py, the compare page in compare.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.choices import Capability, Modality, VariantKind
from catalog.filters import ATTENTION_CHOICES, VariantFilterSet, VersionFilterSet
from catalog.views.listing import Column, FilterInput, list_page
from core.extensions import page_context
from licenses.choices import CommercialUse

# Versions the home page shows as the latest releases.
LATEST_RELEASES = 6

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
    return list_page(
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
    return list_page(
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
