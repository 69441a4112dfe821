"""Reads of the models under a licence: the versions and variants a licence's page lists and
the matrix counts (added to the licences app's pages by ``catalog/extensions.py``), and the
licence checker's model picker (``catalog/views/license_check.py``). Versions and variants are
catalog records, and the catalog sits above the licences: so these reads are here."""

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from catalog.models import ModelVariant, ModelVersion
from catalog.selectors.counting import count_of
from catalog.selectors.picker import PICKER_ORDER, variant_picker
from catalog.selectors.visibility import VARIANT_PARENTS, visible
from licenses.models import License
from licenses.selectors import license_list


def _versions_under(license, user) -> QuerySet[ModelVersion]:
    """Visible versions whose licence is ``license`` (a licence, or an ``OuterRef`` to one)."""
    return visible(ModelVersion.objects.filter(license=license), user, path="family__")


def _variants_under(license, user) -> QuerySet[ModelVariant]:
    """Visible variants whose effective licence is ``license`` (a licence, or an ``OuterRef``
    to one): their own override, else their version's."""
    return visible(
        ModelVariant.objects.filter(
            Q(license=license) | Q(license__isnull=True, version__license=license)
        ),
        user,
        path=VARIANT_PARENTS,
    )


def _overriding_to(license, user) -> QuerySet[ModelVariant]:
    """Visible variants whose own licence is ``license`` (a licence, or an ``OuterRef`` to one)
    while their version has another one, or none."""
    return visible(
        ModelVariant.objects.filter(license=license).exclude(version__license=license),
        user,
        path=VARIANT_PARENTS,
    )


def license_model_counts(licenses: list[License], *, user=None) -> dict[int, dict[str, int]]:
    """For each of ``licenses`` (by pk), ``versions``: the visible versions whose licence it
    is, and ``variants``: the visible variants whose effective licence it is. One query, none
    for no licences."""
    rows = (
        License.objects.filter(pk__in=[license.pk for license in licenses])
        .order_by()
        .values_list(
            "pk",
            count_of(_versions_under(OuterRef("pk"), user)),
            count_of(_variants_under(OuterRef("pk"), user)),
        )
    )
    return {pk: {"versions": versions, "variants": variants} for pk, versions, variants in rows}


def license_model_totals(license: License, *, user=None) -> dict[str, int]:
    """What a licence's page counts under ``license``: ``version_count`` and ``variant_count``
    (as :func:`license_model_counts`) and ``override_count`` (the variants of
    :func:`license_override_variants`). One query."""
    ref = OuterRef("pk")
    return (
        License.objects.filter(pk=license.pk)
        .values(
            version_count=count_of(_versions_under(ref, user)),
            variant_count=count_of(_variants_under(ref, user)),
            override_count=count_of(_overriding_to(ref, user)),
        )
        .get()
    )


def license_versions(license: License, *, user=None) -> QuerySet[ModelVersion]:
    """Visible versions whose licence is ``license``, with their family, ``variant_count`` (their
    visible variants that keep this licence) and ``other_variants`` (a list: the visible
    variants that override it with another visible licence)."""
    keeping = visible(
        ModelVariant.objects.filter(version=OuterRef("pk")).filter(
            Q(license__isnull=True) | Q(license=license)
        ),
        user,
        path=VARIANT_PARENTS,
    )
    overriding = (
        visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
        .filter(license__in=license_list(user=user))
        .exclude(license=license)
        .select_related("license")
        .only("slug", "name", "version", "license__slug", "license__name", "license__name_zh")
    )
    return (
        _versions_under(license, user)
        .select_related("family")
        .only(
            "slug",
            "name",
            "name_zh",
            "release_date",
            "release_date_precision",
            "family__slug",
            "family__name",
            "family__name_zh",
        )
        .annotate(variant_count=count_of(keeping))
        .prefetch_related(Prefetch("variants", queryset=overriding, to_attr="other_variants"))
        .order_by("family__name", "release_date", "slug", "pk")
    )


def license_override_variants(license: License, *, user=None) -> QuerySet[ModelVariant]:
    """Visible variants whose own licence override is ``license`` while their version has
    another one (or none), with their version and family and the version's licence."""
    return (
        _overriding_to(license, user)
        .select_related("version__family", "version__license")
        .only(
            "slug",
            "name",
            "kind",
            "total_parameters",
            "license",
            "version__slug",
            "version__name",
            "version__name_zh",
            "version__family__slug",
            "version__family__name",
            "version__family__name_zh",
            "version__license__slug",
            "version__license__name",
            "version__license__name_zh",
            "version__license__status",
        )
        .order_by("version__family__name", "version__release_date", "total_parameters", "pk")
    )


def license_recent_versions(license: License, *, user=None) -> QuerySet[ModelVersion]:
    """:func:`license_versions`, most recently released first (undated ones last)."""
    return license_versions(license, user=user).order_by(
        F("release_date").desc(nulls_last=True), "family__name", "slug", "pk"
    )


def license_recent_override_variants(license: License, *, user=None) -> QuerySet[ModelVariant]:
    """:func:`license_override_variants`, most recently released first (their own release
    date, else their version's; undated ones last)."""
    return (
        license_override_variants(license, user=user)
        .annotate(released=Coalesce("release_date", "version__release_date"))
        .order_by(F("released").desc(nulls_last=True), "version__family__name", "name", "pk")
    )


# -- the licence checker -------------------------------------------------------------------------


def license_check_variants(*, user=None) -> QuerySet[ModelVariant]:
    """Visible variants for the licence checker's picker: what their key, their name and
    their effective licence need, in catalog order."""
    return (
        visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
        .select_related("version__family")
        .only(
            "slug",
            "name",
            "license",
            "version__slug",
            "version__name",
            "version__name_zh",
            "version__license",
            "version__family__slug",
            "version__family__name",
            "version__family__name_zh",
        )
        .order_by(*PICKER_ORDER)
    )


def license_check_picker(
    keys: list[tuple[str, str, str]], *, limit: int, user=None
) -> tuple[list[ModelVariant], bool]:
    """The checker's model picker: the ``limit`` most recently released of
    :func:`license_check_variants` and those ``keys`` name (:func:`variant_picker`), and
    whether others were left out. One query."""
    return variant_picker(license_check_variants(user=user), keys, limit=limit)
