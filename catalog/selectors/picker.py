"""A variant picker of bounded size, however large the catalog grows (the compare page, the
licence checker)."""

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from catalog.keys import variant_key
from catalog.models import ModelVariant

# The order a picker lists its variants in (the compare page, the licence checker): by family,
# then version date, then size, ending with the primary key so ties keep one order.
PICKER_ORDER = (
    "version__family__name",
    "version__release_date",
    "version__slug",
    "total_parameters",
    "slug",
    "pk",
)


def variant_picker(
    queryset: QuerySet[ModelVariant], keys: list[tuple[str, str, str]], *, limit: int
) -> tuple[list[ModelVariant], bool]:
    """The options of a variant picker that stays small however large the catalog grows: the
    ``limit`` most recently released variants of ``queryset`` (their own release date, else
    their version's) and those ``keys`` name (family, version and variant slugs), in
    ``queryset``'s order, which must join ``version__family``. One query.

    Returns the variants and whether others were left out.
    """
    released = Coalesce("release_date", "version__release_date")
    recent = (
        queryset.annotate(picker_released=released)
        .order_by(F("picker_released").desc(nulls_last=True), "-pk")
        .values("pk")[: limit + 1]
    )
    named = Q(pk__in=[])
    for family, version, variant in keys:
        named |= Q(version__family__slug=family, version__slug=version, slug=variant)
    rows = list(queryset.annotate(picker_released=released).filter(Q(pk__in=recent) | named))
    # Without the named ones, the rows are the ``limit`` + 1 most recent: more than ``limit``
    # rows means the catalog has more than the picker lists.
    by_recency = sorted(
        rows,
        key=lambda v: (
            v.picker_released is None,
            -(v.picker_released.toordinal() if v.picker_released else 0),
            -v.pk,
        ),
    )
    wanted = {"/".join(key) for key in keys}
    kept = {v.pk for v in by_recency[:limit]} | {v.pk for v in rows if variant_key(v) in wanted}
    return [v for v in rows if v.pk in kept], len(rows) > limit
