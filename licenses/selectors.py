from django.db.models import Prefetch, QuerySet

from catalog.models import Citation
from catalog.selectors import VARIANT_PARENTS, visible
from licenses.models import License


def license_list(*, user=None) -> QuerySet[License]:
    return visible(License.objects.all(), user)


def license_detail(*, user=None) -> QuerySet[License]:
    return license_list(user=user).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )


# --- Licence pages (licenses/views.py) ---------------------------------------------------

from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery  # noqa: E402
from django.db.models.functions import Coalesce  # noqa: E402

from catalog.models import ModelVariant, ModelVersion  # noqa: E402


def _row_count(queryset: QuerySet) -> Coalesce:
    """The number of rows of ``queryset`` (correlated with OuterRef) as one subquery column."""
    counted = queryset.order_by().annotate(
        _rows=Func(F("pk"), function="COUNT", output_field=IntegerField())
    )
    return Coalesce(Subquery(counted.values("_rows")[:1]), 0)


def license_matrix(*, user=None) -> QuerySet[License]:
    """Visible licences annotated with ``version_count`` (versions whose licence it is) and
    ``variant_count`` (variants whose effective licence it is: their own override, else their
    version's), both counting only what ``user`` may see."""
    versions = visible(ModelVersion.objects.filter(license=OuterRef("pk")), user, path="family__")
    variants = visible(
        ModelVariant.objects.filter(
            Q(license=OuterRef("pk")) | Q(license__isnull=True, version__license=OuterRef("pk"))
        ),
        user,
        path=VARIANT_PARENTS,
    )
    return license_list(user=user).annotate(
        version_count=_row_count(versions), variant_count=_row_count(variants)
    )


def license_versions(license: License, *, user=None) -> QuerySet:
    """Visible versions whose licence is ``license``, with their family, ``variant_count`` (their
    visible variants that keep this licence) and ``other_license_variants`` (a list: the visible
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
        visible(ModelVersion.objects.filter(license=license), user, path="family__")
        .select_related("family")
        .only(
            "slug",
            "name",
            "name_zh",
            "release_date",
            "family__slug",
            "family__name",
            "family__name_zh",
        )
        .annotate(variant_count=_row_count(keeping))
        .prefetch_related(Prefetch("variants", queryset=overriding, to_attr="other_variants"))
        .order_by("family__name", "release_date", "slug", "pk")
    )


def license_override_variants(license: License, *, user=None) -> QuerySet:
    """Visible variants whose own licence override is ``license`` while their version has
    another one (or none), with their version and family and the version's licence."""
    return (
        visible(
            ModelVariant.objects.filter(license=license).exclude(version__license=license),
            user,
            path=VARIANT_PARENTS,
        )
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


def license_check_variants(*, user=None) -> QuerySet:
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
        .order_by(
            "version__family__name",
            "version__release_date",
            "version__slug",
            "total_parameters",
            "slug",
            "pk",
        )
    )


# --- Bounded licence pages ------------------------------------------------------------------

from django.db.models.functions import Coalesce as _Coalesce  # noqa: E402

from catalog.selectors import variant_picker  # noqa: E402


def license_page(*, user=None) -> QuerySet[License]:
    """Licences for a licence's page: :func:`license_matrix` (``version_count`` and
    ``variant_count``, what the matrix shows) with their citations and sources."""
    return license_matrix(user=user).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )


def license_recent_versions(license: License, *, user=None) -> QuerySet:
    """:func:`license_versions`, most recently released first (undated ones last)."""
    return license_versions(license, user=user).order_by(
        F("release_date").desc(nulls_last=True), "family__name", "slug", "pk"
    )


def license_recent_override_variants(license: License, *, user=None) -> QuerySet:
    """:func:`license_override_variants`, most recently released first (their own release
    date, else their version's; undated ones last)."""
    return (
        license_override_variants(license, user=user)
        .annotate(released=_Coalesce("release_date", "version__release_date"))
        .order_by(F("released").desc(nulls_last=True), "version__family__name", "name", "pk")
    )


def license_check_picker(
    keys: list[tuple[str, str, str]], *, limit: int, user=None
) -> tuple[list, bool]:
    """The checker's model picker: the ``limit`` most recently released of
    :func:`license_check_variants` and those ``keys`` name (``catalog.selectors.variant_picker``),
    and whether others were left out. One query."""
    return variant_picker(license_check_variants(user=user), keys, limit=limit)
