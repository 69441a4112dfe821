"""Reads of the trend charts: versions and variants by release date, and the aggregates that
keep the charts' data bounded (per month, per quarter) however large the catalog grows."""

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter

from catalog.models import ModelVariant, ModelVersion
from catalog.selectors.visibility import VARIANT_PARENTS, visible


def trend_versions(*, user=None) -> QuerySet[ModelVersion]:
    """Visible versions with a release date, oldest first, with family and organisation
    (only the columns the trend charts use). One query."""
    return (
        visible(ModelVersion.objects.all(), user, path="family__")
        .filter(release_date__isnull=False)
        .select_related("family__organization")
        .only(
            "slug",
            "name",
            "name_zh",
            "release_date",
            "max_context_tokens",
            "family__slug",
            "family__name",
            "family__name_zh",
            "family__organization__slug",
            "family__organization__name",
            "family__organization__name_zh",
        )
        .order_by("release_date", "name", "pk")
    )


def trend_variants(*, user=None) -> QuerySet[ModelVariant]:
    """Visible variants (of visible versions and families) with a parameter count and a
    release date (``effective_release_date``: their own, else their version's), oldest first.
    One query."""
    return (
        visible(ModelVariant.objects.select_related("version__family"), user, path=VARIANT_PARENTS)
        .annotate(effective_release_date=Coalesce("release_date", "version__release_date"))
        .filter(total_parameters__isnull=False, effective_release_date__isnull=False)
        .only(
            "slug",
            "name",
            "total_parameters",
            "active_parameters",
            "num_experts",
            "release_date",
            "version__slug",
            "version__name",
            "version__name_zh",
            "version__release_date",
            "version__family__slug",
            "version__family__name",
            "version__family__name_zh",
        )
        .order_by("effective_release_date", "total_parameters", "pk")
    )


def trend_release_counts(*, user=None):
    """The versions of :func:`trend_versions` counted per organisation and release month: rows
    of ``month`` (its first day), ``organization`` (slug), ``organization_name``,
    ``organization_name_zh`` and ``versions``, by month. One query, whose rows grow with
    organisations and months but not with versions."""
    return (
        trend_versions(user=user)
        .order_by()
        .annotate(month=TruncMonth("release_date"))
        .values(
            "month",
            organization=F("family__organization__slug"),
            organization_name=F("family__organization__name"),
            organization_name_zh=F("family__organization__name_zh"),
        )
        .annotate(versions=Count("pk"))
        .order_by("month", "organization")
    )


def trend_largest_variants(*, user=None) -> QuerySet[ModelVariant]:
    """For each release quarter and kind, the largest variant of :func:`trend_variants` (by
    total parameters), with ``quarter`` (its first day), ``moe`` (a mixture of experts, as
    ``ModelVariant.is_moe``) and ``released`` (how many variants of that kind were released
    that quarter). One query, at most two rows per quarter."""
    return (
        trend_variants(user=user)
        .annotate(
            quarter=TruncQuarter("effective_release_date"),
            moe=ExpressionWrapper(Q(num_experts__isnull=False), output_field=BooleanField()),
        )
        .annotate(released=Window(Count("pk"), partition_by=[F("quarter"), F("moe")]))
        .order_by("quarter", "moe", F("total_parameters").desc(), "pk")
        .distinct("quarter", "moe")
    )


def trend_longest_context(*, user=None) -> QuerySet[ModelVersion]:
    """For each release quarter, the version of :func:`trend_versions` with the longest
    maximum context, with ``quarter`` (its first day) and ``released`` (how many versions with
    a known context were released that quarter). One query, one row per quarter."""
    return (
        trend_versions(user=user)
        .filter(max_context_tokens__isnull=False)
        .annotate(quarter=TruncQuarter("release_date"))
        .annotate(released=Window(Count("pk"), partition_by=[F("quarter")]))
        .order_by("quarter", F("max_context_tokens").desc(), "release_date", "pk")
        .distinct("quarter")
    )
