"""Trends: pictures of the catalog over time (releases per organisation, parameters of the
largest models, context lengths). Charts are server-rendered SVG (core.lib.charts), each with a
data table."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from catalog import selectors
from catalog.keys import variant_url, version_url
from catalog.models import ModelVariant, ModelVersion
from catalog.views.features import _whole_number
from core.lib import charts
from core.templatetags.registry import tokens

# A trend chart draws one point per version or variant up to this many; past it, one point per
# quarter (the largest, the longest), so that the page stays under 100 KB (issue 5) at any
# catalog size. A point weighs 200 to 270 bytes with its link and tooltip: three charts of a
# hundred points and the page around them stay under it (tests/catalog/test_views_features.py,
# the heaviest case), three of 120 did not.
TREND_POINTS = 100
# Organisations the release timeline and the context chart tell apart: the palette has eight
# colours (core.lib.charts._svg.PALETTE), the eighth is for all the others.
TREND_ORGANISATIONS = 7


def _context_label(value: float) -> str:
    """Context lengths as configs set them (131072 → 128K), round numbers otherwise."""
    if value >= 1024 and value % 1024 == 0:
        return tokens(value)
    return charts.short_number(value)


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
            colours=_colours(series),
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


def _colours(series: list[Organisation]) -> dict[str, int]:
    """One palette index (colour and marker) per organisation for every chart of the page."""
    return {organisation.name: index for index, organisation in enumerate(series)}


def _context_chart(versions, longest, series, series_of, *, per_version) -> SafeString:
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
            colours=_colours(series) if per_version else None,
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
                with_context, longest, series, series_of, per_version=per_version
            ),
            "context_list_url": _version_list_url(context__gte=1, ordering="-max_context_tokens"),
        },
    )
