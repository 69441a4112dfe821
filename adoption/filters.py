"""The filters of use cases, approvals, deployments and artifacts, shared by the pages ("Approved
for us") and the API. Models are named as everywhere else: ``variant`` by its key
(``family/version/variant``) and ``variant_id`` by its id, ``version`` by ``family/version``."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.choices import (
    ALLOWING,
    ApprovalStatus,
    ArtifactFormat,
    DeploymentStatus,
    Engine,
    Environment,
    Health,
    Verification,
)
from adoption.models import Approval, Artifact, Deployment, UseCase
from catalog.keys import keys_condition
from catalog.models import ModelVariant
from core.filtering import (
    ChangedSinceFilter,
    ChoicesFilter,
    IdsFilter,
    NullsLastOrderingFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    UtcDateTimeFilter,
    ValuesFilter,
)


class VariantKeyFilterMixin:
    """``variant`` (keys), ``family`` (slugs) and ``version`` (keys) of a record with a
    ``variant`` foreign key."""

    def filter_variant(self, queryset, name, values):
        condition = keys_condition(values, prefix="variant__", depth=3)
        return queryset.none() if condition is None else queryset.filter(condition)

    def filter_version(self, queryset, name, values):
        condition = keys_condition(values, prefix="variant__version__", depth=2)
        return queryset.none() if condition is None else queryset.filter(condition)


class UseCaseFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    owner = django_filters.CharFilter(lookup_expr="icontains")
    commercial_product = StrictBooleanFilter()
    hosted_service = StrictBooleanFilter()
    publish_finetune = StrictBooleanFilter()
    train_other_models = StrictBooleanFilter()
    territory = ValuesFilter(method="filter_territory", label=_("territory"))
    monthly_users__gte = django_filters.NumberFilter(field_name="monthly_users", lookup_expr="gte")
    monthly_users__lte = django_filters.NumberFilter(field_name="monthly_users", lookup_expr="lte")
    ordering = NullsLastOrderingFilter(fields=("name", "owner", "monthly_users", "updated_at"))

    class Meta:
        model = UseCase
        fields = ["q"]

    def filter_territory(self, queryset, name, values):
        return queryset.filter(territory__in=[value.upper() for value in values])

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(name__icontains=text)
            | Q(slug__icontains=text)
            | Q(description__icontains=text)
            | Q(owner__icontains=text)
        )


class ApprovalFilterSet(VariantKeyFilterMixin, RegistryFilterSet):
    """Approvals: by use case, model (a variant's own approval or its version's), status,
    re-review due, expiry and decision dates, reviewer."""

    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    use_case = ValuesFilter(field_name="use_case__slug")
    use_case_id = IdsFilter(field_name="use_case_id")
    variant = ValuesFilter(method="filter_approved_variant", label=_("variant key"))
    variant_id = IdsFilter(method="filter_approved_variant_id", label=_("variant id"))
    version = ValuesFilter(method="filter_approved_version", label=_("version key"))
    version_id = IdsFilter(field_name="version_id")
    family = ValuesFilter(method="filter_family", label=_("family"))
    status = ChoicesFilter(choices=ApprovalStatus.choices)
    allows = StrictBooleanFilter(method="filter_allows", label=_("allows the use"))
    review_due = StrictBooleanFilter(method="filter_review_due", label=_("re-review due"))
    expires_on__gte = django_filters.DateFilter(field_name="expires_on", lookup_expr="gte")
    expires_on__lte = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")
    decided_on__gte = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_on__lte = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")
    reviewer = ValuesFilter(field_name="reviewer__username")
    proposed_by = ValuesFilter(field_name="proposed_by__username")
    license = ValuesFilter(field_name="license_slug", label=_("licence at decision"))
    result_id = IdsFilter(field_name="results", label=_("evaluation id"))
    ordering = NullsLastOrderingFilter(
        fields=("expires_on", "decided_on", "updated_at", ("use_case__name", "use_case"))
    )

    class Meta:
        model = Approval
        fields = ["status"]

    def filter_approved_variant(self, queryset, name, values):
        """A variant is covered by its own approval and by its version's."""
        condition = keys_condition(values, prefix="", depth=3)
        if condition is None:
            return queryset.none()
        variants = ModelVariant.objects.filter(condition)
        return queryset.filter(
            Q(variant__in=variants.values("pk")) | Q(version__in=variants.values("version_id"))
        )

    def filter_approved_variant_id(self, queryset, name, values):
        version_ids = ModelVariant.objects.filter(pk__in=values).values("version_id")
        return queryset.filter(Q(variant_id__in=values) | Q(version_id__in=version_ids))

    def filter_approved_version(self, queryset, name, values):
        """A version's approvals: of the whole version and of its variants."""
        of_variants = keys_condition(values, prefix="variant__version__", depth=2)
        of_version = keys_condition(values, prefix="version__", depth=2)
        if of_variants is None or of_version is None:
            return queryset.none()
        return queryset.filter(of_variants | of_version)

    def filter_family(self, queryset, name, values):
        return queryset.filter(
            Q(variant__version__family__slug__in=values) | Q(version__family__slug__in=values)
        )

    def filter_allows(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(status__in=list(ALLOWING))
        return queryset.filter(condition if value else ~condition)

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = Q(status__in=list(ALLOWING), expires_on__lte=timezone.localdate())
        return queryset.filter(due if value else ~due)

    def search(self, queryset, name, value):
        text = value.strip()
        return queryset.filter(
            Q(use_case__name__icontains=text)
            | Q(variant__name__icontains=text)
            | Q(version__name__icontains=text)
            | Q(conditions__icontains=text)
            | Q(risk_notes__icontains=text)
        )


class VariantRecordFilterSet(VariantKeyFilterMixin, RegistryFilterSet):
    """The filters of a record of one variant (a deployment, an artifact): the variant by key
    and id, its version and family, changes since, and ``q`` over ``search_fields``."""

    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    variant = ValuesFilter(method="filter_variant", label=_("variant key"))
    variant_id = IdsFilter(field_name="variant_id")
    version = ValuesFilter(method="filter_version", label=_("version key"))
    family = ValuesFilter(field_name="variant__version__family__slug")

    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        text = value.strip()
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": text})
        return queryset.filter(condition)


class DeploymentFilterSet(VariantRecordFilterSet):
    search_fields = ("name", "owner_team", "endpoint_url", "variant__name")
    environment = ChoicesFilter(choices=Environment.choices)
    engine = ChoicesFilter(choices=Engine.choices)
    status = ChoicesFilter(choices=DeploymentStatus.choices)
    health = ChoicesFilter(choices=Health.choices)
    profile = ValuesFilter(field_name="profile__slug")
    profile_id = IdsFilter(field_name="profile_id")
    precision = ValuesFilter()
    owner_team = django_filters.CharFilter(lookup_expr="icontains")
    max_context_tokens__gte = django_filters.NumberFilter(
        field_name="max_context_tokens", lookup_expr="gte"
    )
    last_checked_at__gte = UtcDateTimeFilter(field_name="last_checked_at", lookup_expr="gte")
    ordering = NullsLastOrderingFilter(
        fields=("name", "environment", "health", "last_checked_at", "last_seen_up_at")
    )

    class Meta:
        model = Deployment
        fields = ["environment"]


class ArtifactFilterSet(VariantRecordFilterSet):
    search_fields = ("uri", "note", "variant__name")
    # ``format`` picks the answer's format (?format=csv) everywhere in the API.
    artifact_format = ChoicesFilter(field_name="format", choices=ArtifactFormat.choices)
    verification = ChoicesFilter(choices=Verification.choices)
    quantization = django_filters.CharFilter(lookup_expr="iexact")
    upstream_revision = django_filters.CharFilter()
    verified_at__gte = UtcDateTimeFilter(field_name="verified_at", lookup_expr="gte")
    ordering = NullsLastOrderingFilter(fields=("uri", "verified_at", "updated_at"))

    class Meta:
        model = Artifact
        fields = ["verification"]
