"""FilterSets of the catalog: one per model, shared by the API and the HTML list pages."""

import django_filters
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.choices import (
    Capability,
    DatePrecision,
    FeatureCategory,
    Modality,
    OrganizationKind,
    VariantKind,
)
from catalog.models import (
    ArchitectureFeature,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    VersionFeature,
)
from catalog.models.variants import variant_name_vector, variant_search_vector
from catalog.precision_labels import precision_choices
from core.filtering import (
    BoundedIntegerFilter,
    ChangedSinceFilter,
    ChoicesFilter,
    IdsFilter,
    NullsLastOrderingFilter,
    ParameterCountFilter,
    RegistryFilterSet,
    StrictBooleanFilter,
    ValuesFilter,
    full_text_search,
)
from core.search import names_hold, run_together_query, search_query
from licenses.choices import CommercialUse
from licenses.filters import TerritoryFilter, allowed_in

# Text the free-text search `q` covers; the same expressions are indexed (GIN) in migrations.
ORGANIZATION_TEXT = ("name", "name_zh", "description", "description_zh")
FAMILY_TEXT = ("name", "name_zh", "description", "description_zh")
VERSION_TEXT = ("name", "name_zh", "description", "description_zh")
# Larger than any catalog: the LIMIT only keeps the planner from folding the subquery in.
SEARCH_FENCE = 2**31 - 1
FEATURE_TEXT = ("name", "name_zh", "description", "description_zh")
# A version's names and its family's: "深度求索 R1" names the family in Chinese and the version.
VERSION_NAMES = ("name", "name_zh", "slug", "family__name", "family__name_zh")
VERSION_ALIASES = ("aliases", "family__aliases")


def _config_has(key: str) -> Q:
    """The variant's config.json has ``key``, at the top or in its language model's part."""
    return Q(config__has_key=key) | Q(config__text_config__has_key=key)


def _config_contains(key: str, item: str) -> Q:
    """The list ``key`` of the config (or of its language model's part) holds ``item``."""
    return Q(**{f"config__{key}__contains": [item]}) | Q(
        **{f"config__text_config__{key}__contains": [item]}
    )


# Gated DeltaNet: Qwen3-Next's linear-attention layers, and Qwen3.5's "linear_attention" layers.
_GATED_DELTANET = Q(model_type="qwen3_next") | _config_contains("layer_types", "linear_attention")
# MiniMax's lightning attention: attention type 0 in attn_type_list (1 is softmax attention).
_LIGHTNING = Q(config__attn_type_list__contains=[0])

# Features the registry derives from a variant's numbers (DESIGN.md: derived features).
DERIVED_FEATURES = {
    "mha": Q(num_kv_heads=F("num_attention_heads"), kv_lora_rank__isnull=True),
    "gqa": Q(num_kv_heads__gt=1, num_kv_heads__lt=F("num_attention_heads")),
    "mqa": Q(num_kv_heads=1),
    "mla": Q(kv_lora_rank__isnull=False),
    "moe": Q(num_experts__isnull=False),
    "moe-shared-experts": Q(num_shared_experts__gt=0)
    | Q(shared_expert_intermediate_size__isnull=False),
    "tied-embeddings": Q(tie_word_embeddings=True),
    "sliding-window": Q(sliding_window__isnull=False),
    # From the published config.json (a multimodal config nests the language model's keys
    # under text_config): the keys and values the transformers modeling code reads.
    "gated-deltanet": _GATED_DELTANET,
    "lightning-attention": _LIGHTNING,
    "linear-attention-hybrid": _GATED_DELTANET | _LIGHTNING,
    "mamba2": _config_has("mamba_num_heads") | _config_has("mamba_n_heads"),
    "deepseek-sparse-attention": _config_has("index_topk"),
    "sparse-attention": _config_has("index_topk"),
    "attention-sinks": Q(model_type="gpt_oss"),
    "chunked-attention": _config_has("attention_chunk_size"),
    "nope-layers": _config_has("no_rope_layers"),
    "gated-attention": Q(model_type="qwen3_next")
    | Q(config__attn_output_gate=True)
    | Q(config__text_config__attn_output_gate=True),
    "local-global-attention": Q(model_type__in=["gemma2", "gemma3", "gemma3_text"])
    | _config_contains("layer_types", "sliding_attention"),
    "native-mxfp4": Q(config__quantization_config__quant_method="mxfp4"),
    "native-nvfp4": Q(config__quantization_config__quant_algo="NVFP4")
    | Q(config__quantization_config__format="nvfp4-pack-quantized"),
    "vision-encoder": Q(config__has_key="vision_config"),
    "per-layer-embeddings": _config_has("hidden_size_per_layer_input"),
    "zero-computation-experts": _config_has("zero_expert_num"),
    "latent-moe": _config_has("moe_latent_size"),
}
ATTENTION_CHOICES = [(k, k.upper()) for k in ("mha", "mqa", "gqa", "mla")]
# The precisions a fit is asked at: the compare page's options, MCP, and the ``fits_precision``
# filter the hardware app adds to VariantFilterSet (hardware/filters.py).
FIT_PRECISIONS = precision_choices()


def _split_keys(values: list[str], parts: int) -> Q:
    """``family/version`` keys (or bare slugs) as a condition on a version."""
    condition = Q(pk__in=[])
    for value in values:
        pieces = value.split("/")
        if len(pieces) == parts:
            condition |= Q(family__slug=pieces[0], slug=pieces[1])
        else:
            condition |= Q(slug=pieces[-1])
    return condition


def _effective_license(**lookups) -> Q:
    """A condition on the variant's licence: its own, else its version's."""
    own = Q(**{f"license__{key}": value for key, value in lookups.items()})
    inherited = Q(
        license__isnull=True,
        **{f"version__license__{key}": value for key, value in lookups.items()},
    )
    return own | inherited


class OrganizationFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    kind = ChoicesFilter(choices=OrganizationKind.choices)
    country = ValuesFilter()
    ordering = NullsLastOrderingFilter(fields=("name", "slug", "country"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "country"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset, value, vector_fields=ORGANIZATION_TEXT, names=("name", "name_zh", "slug")
        )


class FamilyFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    organization = ValuesFilter(field_name="organization__slug")
    organization_id = IdsFilter(field_name="organization_id")
    ordering = NullsLastOrderingFilter(fields=("name", "slug"))

    class Meta:
        model = ModelFamily
        fields = ["q", "organization", "organization_id"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset,
            value,
            vector_fields=FAMILY_TEXT,
            names=("name", "name_zh", "slug"),
            aliases=("aliases",),
        )


class FeatureFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    category = ChoicesFilter(choices=FeatureCategory.choices)
    derivable = StrictBooleanFilter()
    parent = ValuesFilter(field_name="parent__slug")
    ordering = NullsLastOrderingFilter(fields=("name", "slug", "category"))

    class Meta:
        model = ArchitectureFeature
        fields = ["q", "category", "derivable", "parent"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset, value, vector_fields=FEATURE_TEXT, names=("name", "name_zh", "slug")
        )


class VersionFilterSet(RegistryFilterSet):
    changed_since = ChangedSinceFilter()
    q = django_filters.CharFilter(method="search", label=_("search"))
    family = ValuesFilter(field_name="family__slug")
    family_id = IdsFilter(field_name="family_id")
    organization = ValuesFilter(field_name="family__organization__slug")
    released_after = django_filters.DateFilter(field_name="release_date", lookup_expr="gte")
    released_before = django_filters.DateFilter(field_name="release_date", lookup_expr="lte")
    release_date_precision = ChoicesFilter(
        field_name="release_date_precision", choices=DatePrecision.choices
    )
    context__gte = BoundedIntegerFilter(field_name="max_context_tokens", lookup_expr="gte")
    context__lte = BoundedIntegerFilter(field_name="max_context_tokens", lookup_expr="lte")
    license = ValuesFilter(field_name="license__slug")
    commercial_use = ChoicesFilter(
        field_name="license__commercial_use", choices=CommercialUse.choices
    )
    feature = ValuesFilter(method="filter_features")
    modality = ValuesFilter(method="filter_modality")
    language = ValuesFilter(method="filter_language")
    capability = ChoicesFilter(choices=Capability.choices, method="filter_capability")
    training_tokens__gte = ParameterCountFilter(field_name="training_tokens", lookup_expr="gte")
    ordering = NullsLastOrderingFilter(
        fields=("name", "slug", "release_date", "max_context_tokens", "training_tokens")
    )

    class Meta:
        model = ModelVersion
        fields = ["q", "family", "family_id", "organization", "license"]

    def search(self, queryset, name, value):
        return full_text_search(
            queryset,
            value,
            vector_fields=VERSION_TEXT,
            names=VERSION_NAMES,
            aliases=VERSION_ALIASES,
        )

    def filter_features(self, queryset, name, values):
        for slug in values:
            queryset = queryset.filter(
                Exists(VersionFeature.objects.filter(version=OuterRef("pk"), feature__slug=slug))
            )
        return queryset

    def filter_modality(self, queryset, name, values):
        return queryset.filter(modalities__contains=values)

    def filter_language(self, queryset, name, values):
        return queryset.filter(languages__contains=values)

    def filter_capability(self, queryset, name, values):
        return queryset.filter(capabilities__contains=values)


def variant_search_matches(text: str) -> QuerySet:
    """The ids of the variants ``q=text`` finds, as a subquery: the words of the variant (its
    own GIN index), or its name run together (``qwen 2.5``, ``deepseekr1``: a second GIN
    index), or any variant of a version whose names or family's names hold the text
    (:func:`~core.search.names_hold`: Chinese names are not split into words). The
    versions are read first (a small table), so the variant side stays index scans at any
    catalog size."""
    versions = list(
        ModelVersion.objects.filter(names_hold(text, VERSION_NAMES, VERSION_ALIASES)).values_list(
            "pk", flat=True
        )
    )
    condition = Q(_search=search_query(text)) | Q(version_id__in=versions)
    run_together = run_together_query(text)
    if run_together is not None:
        condition |= Q(_names=run_together)
    # Fenced off by a LIMIT: PostgreSQL plans the subquery on its own (the indexes, OR-ed in
    # one bitmap scan) instead of folding it into the page query, where it cannot estimate a
    # text match and walks the whole sort order, computing the vector of every row.
    return (
        ModelVariant.objects.alias(_search=variant_search_vector(), _names=variant_name_vector())
        .filter(condition)
        .order_by()
        .values("pk")[:SEARCH_FENCE]
    )


class VariantFilterSet(RegistryFilterSet):
    """Variant filters. ``context``, ``released`` and ``license`` use the variant's effective
    values (its own, else its version's), annotated by the selector. The hardware app adds
    ``fits``, ``fits_precision`` and ``fits_context`` (hardware/filters.py)."""

    changed_since = ChangedSinceFilter()

    q = django_filters.CharFilter(method="search", label=_("search"))
    family = ValuesFilter(field_name="version__family__slug")
    family_id = IdsFilter(field_name="version__family_id")
    organization = ValuesFilter(field_name="version__family__organization__slug")
    organization_id = IdsFilter(field_name="version__family__organization_id")
    version = ValuesFilter(method="filter_version")
    version_id = IdsFilter(field_name="version_id")
    kind = ChoicesFilter(choices=VariantKind.choices)
    total_parameters__gte = ParameterCountFilter(field_name="total_parameters", lookup_expr="gte")
    total_parameters__lte = ParameterCountFilter(field_name="total_parameters", lookup_expr="lte")
    active_parameters__gte = ParameterCountFilter(method="filter_active_gte")
    active_parameters__lte = ParameterCountFilter(method="filter_active_lte")
    context__gte = BoundedIntegerFilter(field_name="effective_context", lookup_expr="gte")
    context__lte = BoundedIntegerFilter(field_name="effective_context", lookup_expr="lte")
    released_after = django_filters.DateFilter(
        field_name="effective_release_date", lookup_expr="gte"
    )
    released_before = django_filters.DateFilter(
        field_name="effective_release_date", lookup_expr="lte"
    )
    release_date_precision = ChoicesFilter(
        field_name="effective_release_date_precision", choices=DatePrecision.choices
    )
    license = ValuesFilter(method="filter_license")
    commercial_use = ChoicesFilter(choices=CommercialUse.choices, method="filter_commercial_use")
    mau_limit__gte = BoundedIntegerFilter(method="filter_mau_limit")
    license_allowed_in = TerritoryFilter(
        method="filter_license_allowed_in",
        label=_("licence grants rights in this territory (country code or EU)"),
    )
    feature = ValuesFilter(method="filter_features", label=_("architecture features (all)"))
    attention = django_filters.ChoiceFilter(choices=ATTENTION_CHOICES, method="filter_attention")
    moe = StrictBooleanFilter(field_name="num_experts", lookup_expr="isnull", exclude=True)
    modality = ValuesFilter(method="filter_modality")
    language = ValuesFilter(method="filter_language")
    has_hf = StrictBooleanFilter(method="filter_has_hf")
    ordering = NullsLastOrderingFilter(
        fields=(
            ("name", "name"),
            ("slug", "slug"),
            ("total_parameters", "total_parameters"),
            ("effective_active_parameters", "active_parameters"),
            ("effective_release_date", "release_date"),
            ("effective_context", "context"),
        )
    )

    class Meta:
        model = ModelVariant
        fields = ["q", "family", "version", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(pk__in=variant_search_matches(value))

    def filter_version(self, queryset, name, values):
        versions = ModelVersion.objects.filter(_split_keys(values, 2))
        return queryset.filter(version__in=versions)

    def filter_active_gte(self, queryset, name, value):
        return queryset.filter(effective_active_parameters__gte=value)

    def filter_active_lte(self, queryset, name, value):
        return queryset.filter(effective_active_parameters__lte=value)

    def filter_license(self, queryset, name, values):
        return queryset.filter(_effective_license(slug__in=values))

    def filter_commercial_use(self, queryset, name, values):
        return queryset.filter(_effective_license(commercial_use__in=values))

    def filter_license_allowed_in(self, queryset, name, value):
        own = Q(license__isnull=False) & allowed_in(value, "license__")
        inherited = Q(license__isnull=True) & allowed_in(value, "version__license__")
        return queryset.filter(own | inherited)

    def filter_mau_limit(self, queryset, name, value):
        # Licences allowing commercial use without a cap, or whose cap is at least ``value``.
        return queryset.filter(
            _effective_license(commercial_use=CommercialUse.ALLOWED)
            | _effective_license(mau_threshold__gte=value)
        )

    def filter_features(self, queryset, name, values):
        """All of ``values``. A feature derivable from the numbers (GQA, MoE…) is taken from
        the variant's own numbers; the version's curated claim only where they are missing
        (a version's MoE claim does not make its dense variants MoE)."""
        for slug in values:
            curated = Exists(
                VersionFeature.objects.filter(version=OuterRef("version"), feature__slug=slug)
            )
            if slug in DERIVED_FEATURES:
                condition = DERIVED_FEATURES[slug] | (Q(num_attention_heads__isnull=True) & curated)
            else:
                condition = curated
            queryset = queryset.filter(condition)
        return queryset

    def filter_attention(self, queryset, name, value):
        return queryset.filter(DERIVED_FEATURES[value])

    def filter_modality(self, queryset, name, values):
        return queryset.filter(version__modalities__contains=values)

    def filter_language(self, queryset, name, values):
        return queryset.filter(version__languages__contains=values)

    def filter_has_hf(self, queryset, name, value):
        return queryset.exclude(hf_repo_id="") if value else queryset.filter(hf_repo_id="")


__all__ = [
    "DERIVED_FEATURES",
    "FamilyFilterSet",
    "FeatureFilterSet",
    "Modality",
    "OrganizationFilterSet",
    "VariantFilterSet",
    "VersionFilterSet",
]
