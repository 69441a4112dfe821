"""Architecture features: the index (grouped by category, with the adoption of the most used
over time) and one feature's page. Charts are server-rendered SVG (core.lib.charts), each with a
data table. The trends page is in trends.py."""

import re
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.choices import FeatureCategory
from catalog.filters import DERIVED_FEATURES, FeatureFilterSet, VariantFilterSet
from catalog.models import ArchitectureFeature
from core.lib import charts

# Lines in the index's adoption chart: more than six tangle on a phone.
ADOPTION_FEATURES = 6
# Versions a feature's page lists, newest first: about 400 bytes each, so that the page stays
# under 100 KB (issue 5); the model list has every variant that uses the feature.
FEATURE_VERSIONS = 50
# Variants named per version as deriving a feature from their numbers; the rest are counted.
DERIVING_VARIANTS = 5

# How the registry reads each derivable feature from a variant's numbers (the conditions of
# catalog.filters.DERIVED_FEATURES, in words).
DERIVATION_RULES = {
    "mha": gettext_lazy(
        "as many key/value heads as attention heads, and no latent (MLA) key/value rank"
    ),
    "gqa": gettext_lazy("more than one key/value head, but fewer than attention heads"),
    "mqa": gettext_lazy("exactly one key/value head"),
    "mla": gettext_lazy("a latent key/value rank (kv_lora_rank) is set"),
    "moe": gettext_lazy("a number of routed experts is set"),
    "moe-shared-experts": gettext_lazy("shared experts, or a shared expert FFN size, are set"),
    "tied-embeddings": gettext_lazy("the input and output embeddings are tied"),
    "sliding-window": gettext_lazy("a sliding attention window is set"),
}

# The end of a description's first sentence: an English full stop before a space, or a
# Chinese one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|(?<=[。！？])")


def _first_sentence(text: str) -> str:
    """The first sentence of ``text``: the one-line explanation of a feature in a list."""
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]


def _feature_url(feature: ArchitectureFeature) -> str:
    return reverse("catalog:feature_detail", kwargs={"slug": feature.slug})


def _whole_number(value: float) -> str:
    """Years and counts: 2024, 12 (no thousands suffix, no decimals)."""
    return str(int(value))


# -- features index ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureGroup:
    """One category of the index and its features (with their one-line explanations)."""

    key: str
    label: str
    rows: list[tuple[ArchitectureFeature, str]]


class _OneValueSelect(forms.Select):
    """A single choice for a filter that takes a list of values (``ValuesFilter``)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


def _present_filters(form, parents: list[ArchitectureFeature]) -> None:
    """Labels and widgets of the shared FilterSet's form for the page (the API takes the same
    parameter values): category checkboxes, yes/no for derivable, a choice of parent."""
    labels = {
        "q": _("Search"),
        "category": _("Category"),
        "derivable": _("Derivable from config.json"),
        "parent": _("Narrower kind of"),
        "ordering": _("Sort by"),
    }
    for name, label in labels.items():
        form.fields[name].label = label
    form.fields["q"].widget.attrs.update({"type": "search"})
    form.fields["category"].widget = forms.CheckboxSelectMultiple(
        choices=form.fields["category"].choices
    )
    form.fields["derivable"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
    )
    form.fields["parent"].widget = _OneValueSelect(
        choices=[("", _("Any")), *((p.slug, p.localized("name")) for p in parents)]
    )
    ordering = form.fields["ordering"]
    ordering.choices = [("", _("Most used first")), *(c for c in ordering.choices if c[0])]


def _adoption_chart(features: list[ArchitectureFeature], totals, adoption) -> SafeString:
    """Lines of versions per release year using each feature, every year present (zeros
    included) so that a line drops where a feature was not used."""
    years = range(min(totals), max(totals) + 1) if totals else range(0)
    series = {
        feature.localized("name"): [
            charts.Point(
                year,
                adoption[feature.pk].get(year, 0),
                feature.localized("name"),
                href=_feature_url(feature),
            )
            for year in years
        ]
        for feature in features
    }
    return mark_safe(  # noqa: S308 - core.lib.charts escapes every text it draws
        charts.line_chart(
            series,
            title=_("Adoption of architecture features over time"),
            description=_(
                "Number of model versions released each year that use each of the most used "
                "features in this list."
            ),
            x_label=_("Release year"),
            y_label=_("Versions released"),
            x_kind="number",
            x_format=_whole_number,
            empty_text=_("No data"),
        )
    )


def feature_list(request):
    """Every published architecture feature grouped by category, with a one-line explanation
    and the number of published versions using it, filtered by the API's FeatureFilterSet;
    and a chart of the adoption of the most used ones over time."""
    parents = list(selectors.feature_parents(user=request.user))
    filterset = FeatureFilterSet(
        request.GET or None, queryset=selectors.feature_index(user=request.user)
    )
    _present_filters(filterset.form, parents)
    features = list(filterset.qs)

    labels = dict(FeatureCategory.choices)
    groups = [
        FeatureGroup(
            key,
            labels[key],
            [
                (feature, _first_sentence(feature.localized("description")))
                for feature in features
                if feature.category == key
            ],
        )
        for key in FeatureCategory.values
    ]

    charted = sorted(
        (f for f in features if f.version_count), key=lambda f: (-f.version_count, f.name)
    )[:ADOPTION_FEATURES]
    totals, adoption = selectors.feature_adoption(charted, user=request.user)
    years = range(min(totals), max(totals) + 1) if totals else range(0)
    adoption_rows = [
        (year, totals.get(year, 0), [adoption[f.pk].get(year, 0) for f in charted])
        for year in years
    ]
    return render(
        request,
        "catalog/feature_list.html",
        {
            "filterset": filterset,
            "filtered": bool(filterset.form.changed_data),
            "feature_count": len(features),
            "groups": [group for group in groups if group.rows],
            "derived_slugs": DERIVED_FEATURES.keys(),
            "charted": charted,
            "adoption_chart": _adoption_chart(charted, totals, adoption) if charted else "",
            "adoption_rows": adoption_rows,
        },
    )


# -- one feature -------------------------------------------------------------------------------


def feature_detail(request, slug: str):
    """One published feature: its explanation in the reader's language, broader and narrower
    features, the most recent published versions that use it (curated claims, and for
    derivable features the variants whose numbers show it) with a link to every variant that
    uses it in the model list, its adoption per release year and its sources. A fixed number
    of queries, and a bounded page, whatever the number of versions."""
    feature = get_object_or_404(selectors.feature_page(user=request.user), slug=slug)
    using = selectors.feature_versions(feature, user=request.user)
    version_count = using.count()
    versions = list(using[:FEATURE_VERSIONS])
    for version in versions:
        # A version's variants are bounded by its publisher, but a page of fifty can still be
        # heavy: the version's own page lists them all.
        deriving = getattr(version, "deriving_variants", [])
        version.shown_deriving = deriving[:DERIVING_VARIANTS]
        version.more_deriving = len(deriving) - len(version.shown_deriving)
    # The model list's own filter (the API's), so that the count is what the link lists.
    model_query = QueryDict(mutable=True)
    model_query.update({"feature": feature.slug, "ordering": "-release_date"})
    variant_count = VariantFilterSet(
        model_query, queryset=selectors.variant_list_rows(user=request.user)
    ).qs.count()
    totals, adoption = selectors.feature_adoption([feature], user=request.user)
    years = range(min(totals), max(totals) + 1) if totals else range(0)
    per_year = adoption[feature.pk]
    adoption_rows = [(year, per_year.get(year, 0), totals.get(year, 0)) for year in years]
    name = feature.localized("name")
    chart = charts.bar_chart(
        [(str(year), count) for year, count, _total in adoption_rows],
        title=_("Versions using %(feature)s, by release year") % {"feature": name},
        description=_(
            "For each year, the number of published model versions released that year that "
            "use %(feature)s."
        )
        % {"feature": name},
        value_label=_("Versions released"),
        value_format=_whole_number,
        empty_text=_("No data"),
    )
    return render(
        request,
        "catalog/feature_detail.html",
        {
            "feature": feature,
            "category": dict(FeatureCategory.choices).get(feature.category, feature.category),
            "derivable": feature.slug in DERIVED_FEATURES,
            "derivation_rule": DERIVATION_RULES.get(feature.slug, ""),
            "versions": versions,
            "version_count": version_count,
            "variant_count": variant_count,
            "model_list_url": f"{reverse('catalog:variant_list')}?{model_query.urlencode()}",
            "adoption_rows": adoption_rows,
            "adoption_chart": mark_safe(chart),  # noqa: S308 - the chart module escapes
        },
    )
