import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field

from core.filtering import (
    BoundedIntegerFilter,
    ChangedSinceFilter,
    ChoicesFilter,
    NullsLastOrderingFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    ValuesFilter,
    full_text_search,
)
from licenses.checker import EU_MEMBER_STATES, EUROPEAN_UNION
from licenses.choices import CommercialUse, LicenseKind, OutputsUse
from licenses.models import License

LICENSE_TEXT = ("name", "name_zh", "summary", "summary_zh")


def territory_codes() -> list[tuple[str, str]]:
    """The territories a filter accepts: EU, and every ISO 3166-1 alpha-2 country code."""
    return [(EUROPEAN_UNION, EUROPEAN_UNION), *((str(code), str(code)) for code, _ in countries)]


@extend_schema_field({"type": "string", "description": "EU or an ISO 3166-1 alpha-2 code"})
class TerritoryFilter(django_filters.ChoiceFilter):
    """A territory: EU, or a country's ISO 3166-1 alpha-2 code (DE, GB, KR)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", territory_codes)
        super().__init__(*args, **kwargs)


def allowed_in(territory: str, prefix: str = "") -> Q:
    """Licences recorded as granting rights in ``territory``: no territorial restriction, or
    one that excludes neither it nor a territory that covers it (the union for a member state)
    or lies within it (a member state for the union). Not-recorded restrictions do not match."""
    codes = {territory}
    if territory == EUROPEAN_UNION:
        codes |= EU_MEMBER_STATES
    elif territory in EU_MEMBER_STATES:
        codes.add(EUROPEAN_UNION)
    # django-countries stores several countries as "EU,GB,KR".
    pattern = r"(^|,)(" + "|".join(sorted(codes)) + r")(,|$)"
    blocked = Q(**{f"{prefix}excluded_territories__regex": pattern})
    return Q(**{f"{prefix}territory_restricted": False}) | (
        Q(**{f"{prefix}territory_restricted": True}) & ~blocked
    )


class LicenseFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = ChoicesFilter(choices=LicenseKind.choices)
    spdx_id = ValuesFilter()
    commercial_use = ChoicesFilter(choices=CommercialUse.choices)
    mau_threshold__gte = BoundedIntegerFilter(field_name="mau_threshold", lookup_expr="gte")
    mau_threshold__lte = BoundedIntegerFilter(field_name="mau_threshold", lookup_expr="lte")
    outputs_train_other_models = ChoicesFilter(choices=OutputsUse.choices)
    attribution_required = StrictBooleanFilter()
    patent_grant = StrictBooleanFilter()
    modification_allowed = StrictBooleanFilter()
    redistribution_allowed = StrictBooleanFilter()
    share_alike = StrictBooleanFilter()
    registration_required = StrictBooleanFilter()
    territory_restricted = StrictBooleanFilter()
    allowed_in = TerritoryFilter(
        method="filter_allowed_in",
        label=_("grants rights in this territory (country code or EU)"),
    )
    ordering = NullsLastOrderingFilter(fields=("name", "slug", "mau_threshold"))

    class Meta:
        model = License
        fields = ["q", "kind", "commercial_use"]

    def filter_allowed_in(self, queryset, name, value):
        return queryset.filter(allowed_in(value))

    def search(self, queryset, name, value):
        return full_text_search(
            queryset,
            value,
            vector_fields=LICENSE_TEXT,
            names=("name", "name_zh", "slug", "spdx_id"),
        )
