"""Architecture features (the index, one feature's page) and trends: pictures of the catalog
over time. Charts are server-rendered SVG (core.lib.charts), each with a data table."""

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.choices import FeatureCategory
from catalog.filters import DERIVED_FEATURES, FeatureFilterSet, VariantFilterSet
from catalog.keys import variant_url, version_url
from catalog.models import ArchitectureFeature, ModelVariant, ModelVersion
from core.lib import charts
from core.templatetags.registry import tokens

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


# -- trends ------------------------------------------------------------------------------------

# A trend chart draws one point per version or variant up to this many; past it, one point per
# quarter (the largest, the longest), so that the page stays under 100 KB (issue 5) at any
# catalog size. A point weighs 200 to 270 bytes with its link and tooltip: three charts of a
# hundred points and the page around them stay under it (tests/catalog/test_views_features.py,
# the heaviest case), three of 120 did not.
TREND_POINTS = 100
# Organisations the release timeline and the context chart tell apart: the palette has eight
# colours (core.lib.charts._svg.PALETTE), the eighth is for all the others.
TREND_ORGANISATIONS = 7


@dataclass(frozen=True)
class Organisation:
    """An organisation as the trend charts name and link it ("" for all the others)."""

    slug: str
    name: str


def _organisation_name(row: dict) -> str:
    """The organisation's name of a :func:`selectors.trend_release_counts` row, in Chinese
    under zh-hans where there is one (as ``CuratedRecord.localized``)."""
    if (get_language() or "en").lower().startswith("zh") and row["organization_name_zh"]:
        return row["organization_name_zh"]
    return row["organization_name"]


def _version_list_url(**params) -> str:
    return f"{reverse('catalog:version_list')}?{urlencode(params)}"


def _variant_list_url(**params) -> str:
    return f"{reverse('catalog:variant_list')}?{urlencode(params)}"


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _timeline(month_rows: list[dict]):
    """The organisations drawn apart (the most prolific; the others together), a function
    from an organisation's slug to its series, and the summary table: per release year, the
    versions of each series and of all."""
    totals: dict[str, int] = {}
    names: dict[str, str] = {}
    for row in month_rows:
        totals[row["organization"]] = totals.get(row["organization"], 0) + row["versions"]
        names[row["organization"]] = _organisation_name(row)
    ranked = sorted(totals, key=lambda slug: (-totals[slug], names[slug].lower(), slug))
    shown = ranked if len(ranked) <= TREND_ORGANISATIONS + 1 else ranked[:TREND_ORGANISATIONS]
    series = [Organisation(slug, names[slug]) for slug in shown]
    others = Organisation("", _("Other organisations"))
    if len(shown) < len(ranked):
        series.append(others)
    by_slug = {organisation.slug: organisation for organisation in series}

    def series_of(slug: str) -> Organisation:
        return by_slug.get(slug, others)

    per_year: dict[int, list[int]] = {}
    for row in month_rows:
        counts = per_year.setdefault(row["month"].year, [0] * len(series))
        counts[series.index(series_of(row["organization"]))] += row["versions"]
    rows = [(year, counts, sum(counts)) for year, counts in sorted(per_year.items())]
    return series, series_of, rows


def _timeline_chart(versions, month_rows, series, series_of, *, per_version) -> SafeString:
    """One step line per organisation (the others together): its versions released so far.
    Point by point (each version linked) while there are few versions, else month by month."""
    points: dict[str, list[charts.Point]] = {organisation.name: [] for organisation in series}
    if per_version:
        for version in versions:
            line = points[series_of(version.family.organization.slug).name]
            line.append(
                charts.Point(
                    version.release_date,
                    len(line) + 1,
                    version.localized("name"),
                    href=version_url(version),
                )
            )
    else:
        so_far: dict[str, int] = {}
        for row in month_rows:
            organisation = series_of(row["organization"])
            line = points[organisation.name]
            so_far[organisation.name] = so_far.get(organisation.name, 0) + row["versions"]
            month = row["month"]
            point = charts.Point(
                month,
                so_far[organisation.name],
                f"{organisation.name}, {month:%Y-%m}",
                href=_version_list_url(
                    organization=organisation.slug,
                    released_after=month.isoformat(),
                    released_before=_month_end(month).isoformat(),
                    ordering="release_date",
                )
                if organisation.slug
                else "",
            )
            if line and line[-1].x == month:  # the others: several organisations a month
                line[-1] = point
            else:
                line.append(point)
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.line_chart(
            points,
            title=_("Release timeline"),
            description=_(
                "Model versions released over time: for each organisation, the number of its "
                "versions released so far. Each step is one release."
            )
            if per_version
            else _(
                "Model versions released over time: for each organisation, the number of its "
                "versions released so far, month by month."
            ),
            x_label=_("Release date"),
            y_label=_("Versions released so far"),
            step=True,
            y_format=_whole_number,
            empty_text=_("No data"),
            max_markers=TREND_POINTS,
        )
    )


def _parameters_chart(variants, largest, *, per_variant) -> SafeString:
    dense, moe = _("Dense"), _("Mixture of experts")
    points = [
        charts.Point(
            variant.effective_release_date,
            variant.total_parameters,
            variant.name,
            series=moe if variant.num_experts else dense,
            href=variant_url(variant),
        )
        for variant in (variants if per_variant else largest)
    ]
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.scatter_chart(
            points,
            title=_("Parameters versus release date"),
            description=_(
                "Total parameters of each published model variant against its release date, "
                "on a logarithmic scale; dense models and mixtures of experts apart."
            )
            if per_variant
            else _(
                "Total parameters of the largest dense model and the largest mixture of experts "
                "released each quarter, against their release date, on a logarithmic scale."
            ),
            x_label=_("Release date"),
            y_label=_("Total parameters (log scale)"),
            y_scale="log",
            empty_text=_("No data"),
        )
    )


def _context_chart(versions, longest, series_of, *, per_version) -> SafeString:
    points = [
        charts.Point(
            version.release_date,
            version.max_context_tokens,
            version.localized("name"),
            series=series_of(version.family.organization.slug).name if per_version else "",
            href=version_url(version),
        )
        for version in (versions if per_version else longest)
    ]
    return mark_safe(  # noqa: S308 - the chart module escapes every text
        charts.scatter_chart(
            points,
            title=_("Context length growth"),
            description=_(
                "Maximum context length of each published model version against its release "
                "date, on a logarithmic scale, by organisation."
            )
            if per_version
            else _(
                "The longest maximum context of the model versions released each quarter, "
                "against the release date, on a logarithmic scale."
            ),
            x_label=_("Release date"),
            y_label=_("Maximum context in tokens (log scale)"),
            y_scale="log",
            y_format=_context_label,
            empty_text=_("No data"),
        )
    )


def _largest_per_year(largest: list[ModelVariant]) -> list[tuple]:
    """Per release year: the variants released, the largest dense one and the largest mixture
    of experts (None when there was none)."""
    years: dict[int, list] = {}
    for variant in largest:
        row = years.setdefault(variant.quarter.year, [0, None, None])
        row[0] += variant.released
        slot = 2 if variant.moe else 1
        if row[slot] is None or variant.total_parameters > row[slot].total_parameters:
            row[slot] = variant
    return [(year, *row) for year, row in sorted(years.items())]


def _longest_per_year(longest: list[ModelVersion]) -> list[tuple]:
    """Per release year: the versions released with a known context and the one with the
    longest."""
    years: dict[int, list] = {}
    for version in longest:
        row = years.setdefault(version.quarter.year, [0, None])
        row[0] += version.released
        if row[1] is None or version.max_context_tokens > row[1].max_context_tokens:
            row[1] = version
    return [(year, *row) for year, row in sorted(years.items())]


def trends(request):
    """Charts of the published catalog over time: the release timeline, parameters versus
    release date and context length growth. Each draws every version or variant while there
    are at most ``TREND_POINTS``, and aggregates past that; each has a summary table per year
    and a link to the full list. Five queries, whatever the catalog's size."""
    user = request.user
    month_rows = list(selectors.trend_release_counts(user=user))
    versions = list(selectors.trend_versions(user=user)[:TREND_POINTS])
    variants = list(selectors.trend_variants(user=user)[:TREND_POINTS])
    largest = list(selectors.trend_largest_variants(user=user))
    longest = list(selectors.trend_longest_context(user=user))

    version_total = sum(row["versions"] for row in month_rows)
    variant_total = sum(variant.released for variant in largest)
    per_version = version_total <= TREND_POINTS
    per_variant = variant_total <= TREND_POINTS
    series, series_of, timeline_rows = _timeline(month_rows)
    with_context = [v for v in versions if v.max_context_tokens]
    return render(
        request,
        "catalog/trends.html",
        {
            "version_total": version_total,
            "variant_total": variant_total,
            "per_version": per_version,
            "per_variant": per_variant,
            "trend_points": TREND_POINTS,
            "timeline_series": [
                (
                    organisation,
                    _version_list_url(organization=organisation.slug, ordering="release_date")
                    if organisation.slug
                    else "",
                )
                for organisation in series
            ],
            "timeline_rows": timeline_rows,
            "timeline_chart": _timeline_chart(
                versions, month_rows, series, series_of, per_version=per_version
            ),
            "timeline_list_url": _version_list_url(ordering="release_date"),
            "parameters_rows": _largest_per_year(largest),
            "parameters_chart": _parameters_chart(variants, largest, per_variant=per_variant),
            "parameters_list_url": _variant_list_url(ordering="-total_parameters"),
            "context_rows": _longest_per_year(longest),
            "context_chart": _context_chart(
                with_context, longest, series_of, per_version=per_version
            ),
            "context_list_url": _version_list_url(context__gte=1, ordering="-max_context_tokens"),
        },
    )
