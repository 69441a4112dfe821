"""Architecture features (the index, one feature's page) and trends: pictures of the catalog
over time. Charts are server-rendered SVG (llmregistry.charts), each with a data table."""

import re
from dataclasses import dataclass

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import selectors
from catalog.choices import FeatureCategory
from catalog.filters import DERIVED_FEATURES, FeatureFilterSet
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion
from llmregistry import charts
from llmregistry.templatetags.registry import tokens

# Lines in the index's adoption chart: more than six tangle on a phone.
ADOPTION_FEATURES = 6

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


def _version_url(version: ModelVersion) -> str:
    return reverse(
        "catalog:version_detail", kwargs={"family": version.family.slug, "version": version.slug}
    )


def _variant_url(variant: ModelVariant) -> str:
    return reverse(
        "catalog:variant_detail",
        kwargs={
            "family": variant.version.family.slug,
            "version": variant.version.slug,
            "variant": variant.slug,
        },
    )


def _feature_url(feature: ArchitectureFeature) -> str:
    return reverse("catalog:feature_detail", kwargs={"slug": feature.slug})


def _context_label(value: float) -> str:
    """Context lengths as configs set them (131072 → 128K), round numbers otherwise."""
    if value >= 1024 and value % 1024 == 0:
        return tokens(value)
    return charts.short_number(value)


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
    return mark_safe(  # noqa: S308 - llmregistry.charts escapes every text it draws
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
    features, the published versions that use it (curated claims, and for derivable features
    the variants whose numbers show it), its adoption per release year and its sources."""
    feature = get_object_or_404(selectors.feature_page(user=request.user), slug=slug)
    versions = list(selectors.feature_versions(feature, user=request.user))
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
            "adoption_rows": adoption_rows,
            "adoption_chart": mark_safe(chart),  # noqa: S308 - the chart module escapes
        },
    )


# -- trends ------------------------------------------------------------------------------------


def _timeline_chart(versions: list[ModelVersion]) -> SafeString:
    """One step line per organisation: its number of versions released so far."""
    series: dict[str, list[charts.Point]] = {}
    for version in versions:
        organisation = version.family.organization.localized("name")
        points = series.setdefault(organisation, [])
        points.append(
            charts.Point(
                version.release_date,
                len(points) + 1,
                version.localized("name"),
                href=_version_url(version),
            )
        )
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.line_chart(
            series,
            title=_("Release timeline"),
            description=_(
                "Model versions released over time: for each organisation, the number of its "
                "versions released so far. Each step is one release."
            ),
            x_label=_("Release date"),
            y_label=_("Versions released so far"),
            step=True,
            y_format=_whole_number,
            empty_text=_("No data"),
        )
    )


def _parameters_chart(variants: list[ModelVariant]) -> SafeString:
    dense, moe = _("Dense"), _("Mixture of experts")
    points = [
        charts.Point(
            variant.effective_release_date,
            variant.total_parameters,
            variant.name,
            series=moe if variant.num_experts else dense,
            href=_variant_url(variant),
        )
        for variant in variants
    ]
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.scatter_chart(
            points,
            title=_("Parameters versus release date"),
            description=_(
                "Total parameters of each published model variant against its release date, "
                "on a logarithmic scale; dense models and mixtures of experts apart."
            ),
            x_label=_("Release date"),
            y_label=_("Total parameters (log scale)"),
            y_scale="log",
            empty_text=_("No data"),
        )
    )


def _context_chart(versions: list[ModelVersion]) -> SafeString:
    points = [
        charts.Point(
            version.release_date,
            version.max_context_tokens,
            version.localized("name"),
            series=version.family.organization.localized("name"),
            href=_version_url(version),
        )
        for version in versions
    ]
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.scatter_chart(
            points,
            title=_("Context length growth"),
            description=_(
                "Maximum context length of each published model version against its release "
                "date, on a logarithmic scale, by organisation."
            ),
            x_label=_("Release date"),
            y_label=_("Maximum context in tokens (log scale)"),
            y_scale="log",
            y_format=_context_label,
            empty_text=_("No data"),
        )
    )


def trends(request):
    """Charts of the published catalog over time: the release timeline, parameters versus
    release date and context length growth, each with its data as a table."""
    versions = list(selectors.trend_versions(user=request.user))
    variants = list(selectors.trend_variants(user=request.user))
    with_context = [v for v in versions if v.max_context_tokens]
    return render(
        request,
        "catalog/trends.html",
        {
            "versions": versions,
            "variants": variants,
            "context_versions": with_context,
            "timeline_chart": _timeline_chart(versions),
            "parameters_chart": _parameters_chart(variants),
            "context_chart": _context_chart(with_context),
        },
    )
