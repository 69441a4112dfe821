"""The catalog's MCP tools: search, one model, a comparison, recent releases. Each is the API's
own selector and FilterSet with the caller's visibility (drafts for editors only)."""

import datetime
from typing import Annotated, Any, Literal

from django.http import QueryDict
from django.utils.translation import gettext as _
from pydantic import Field

from assistants.common import (
    acting_user,
    argument_error,
    find_variant,
    form_errors,
    license_brief,
    model_summary,
    page,
    variant_key,
)
from assistants.evaluation_tools import (
    RANKING_SETTING,
    SETTING_WITHOUT_RANKING,
    BenchmarkSlug,
    SettingKey,
    find_benchmark,
    rank_by,
    ranking_answer,
)
from assistants.schemas import (
    CompareResult,
    CompareRow,
    ModelDetail,
    RankedModel,
    Release,
    ReleaseList,
    SearchResult,
)
from catalog import selectors
from catalog.api.licenses import LicenseDetailSerializer
from catalog.api.serializers import VariantDetailSerializer, VersionDetailSerializer
from catalog.choices import VariantKind
from catalog.filters import FIT_PRECISIONS, VariantFilterSet, VersionFilterSet
from catalog.keys import version_key
from catalog.selectors import COMPARE_MAX, COMPARE_MIN
from core.dates import released_iso
from estimator import EstimateOptions
from estimator.memory import MAX_CONTEXT_TOKENS
from hardware.ranking import hardware_fit
from hardware.services import INFERENCE_CONTEXTS
from licenses.selectors import license_detail

MAX_RESULTS = 50  # models one search answers: a page an assistant can read whole
MAX_RELEASES = 50
MAX_VARIANTS = 100  # a version's variants get_model lists (the largest version has about 10)
Commercial = Literal["allowed", "conditional", "not_allowed"]
Kind = Literal[tuple(VariantKind.values)]
Precision = Literal[tuple(key for key, _label in FIT_PRECISIONS)]
Count = Annotated[int | str, Field(description="a parameter count: 7000000000 or 7B, 1.5T, 500M")]
Keys = list[str] | None
ORDERINGS = (
    "name",
    "total_parameters",
    "active_parameters",
    "release_date",
    "context",
)
Ordering = Literal[tuple(o for name in ORDERINGS for o in (name, f"-{name}"))]


def filter_query(arguments: dict[str, Any]) -> QueryDict:
    """Tool arguments as the query string the API's FilterSet reads."""
    query = QueryDict(mutable=True)
    for name, value in arguments.items():
        if value is None:
            continue
        if isinstance(value, list):
            query.setlist(name, [str(v) for v in value])
        elif isinstance(value, bool):
            query[name] = "true" if value else "false"
        elif isinstance(value, datetime.date):
            query[name] = value.isoformat()
        else:
            query[name] = str(value)
    return query


def search_models(
    q: Annotated[
        str | None, Field(description="words of the name, e.g. 'qwen 7b instruct'")
    ] = None,
    family: Annotated[Keys, Field(description="family slugs, any of them")] = None,
    organization: Annotated[Keys, Field(description="publisher slugs, any of them")] = None,
    version: Annotated[Keys, Field(description="family/version keys, any of them")] = None,
    kind: Annotated[list[Kind] | None, Field(description="variant kinds, any of them")] = None,
    license: Annotated[Keys, Field(description="licence slugs (effective licence)")] = None,
    commercial_use: Annotated[
        list[Commercial] | None, Field(description="the effective licence's commercial use")
    ] = None,
    mau_limit__gte: Annotated[
        int | None,
        Field(ge=0, description="licences allowing commercial use at this many monthly users"),
    ] = None,
    license_allowed_in: Annotated[
        str | None,
        Field(
            description="the effective licence grants rights in this territory: an ISO 3166-1 "
            "alpha-2 country code or EU"
        ),
    ] = None,
    feature: Annotated[Keys, Field(description="architecture feature slugs, all of them")] = None,
    attention: Literal["mha", "mqa", "gqa", "mla"] | None = None,
    moe: Annotated[bool | None, Field(description="mixture of experts or dense")] = None,
    modality: Annotated[Keys, Field(description="e.g. text, image, audio (all of them)")] = None,
    language: Annotated[
        Keys, Field(description="language codes, e.g. zh, en (all of them)")
    ] = None,
    total_parameters__gte: Count | None = None,
    total_parameters__lte: Count | None = None,
    active_parameters__gte: Count | None = None,
    active_parameters__lte: Count | None = None,
    context__gte: Annotated[int | None, Field(ge=0, description="context tokens")] = None,
    context__lte: Annotated[int | None, Field(ge=0)] = None,
    released_after: datetime.date | None = None,
    released_before: datetime.date | None = None,
    has_hf: Annotated[bool | None, Field(description="published on the Hugging Face Hub")] = None,
    fits: Annotated[
        Keys,
        Field(
            description="hardware profile slugs (list_hardware): fits any of them, from the "
            "stored recommendations at fits_precision and fits_context"
        ),
    ] = None,
    fits_precision: Precision | None = None,
    fits_context: Annotated[
        Literal[tuple(INFERENCE_CONTEXTS)] | None,
        Field(description="a context the stored recommendations hold"),
    ] = None,
    ordering: Ordering | None = None,
    rank_by_benchmark: Annotated[
        BenchmarkSlug | None,
        Field(
            description="a benchmark's slug or name (mmlu, mmlu-pro, gpqa-diamond…): the models "
            "with a result under one comparable setting first, best first; the others after "
            "them, unranked (ordering sorts those)"
        ),
    ] = None,
    setting: Annotated[SettingKey | None, Field(description=RANKING_SETTING)] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_RESULTS)] = 20,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> SearchResult:
    """Search the catalog's models (variants: one checkpoint each) with the REST API's filters
    (GET /api/v1/variants/). Every filter is optional; lists match any of their values unless
    said otherwise. Answers a page of summaries with the total count; with rank_by_benchmark,
    each with its best value on that benchmark under one comparable setting."""
    arguments = dict(locals())
    limit, offset = arguments.pop("limit"), arguments.pop("offset")
    del arguments["rank_by_benchmark"], arguments["setting"]
    if setting and not rank_by_benchmark:
        raise argument_error("setting", SETTING_WITHOUT_RANKING)
    benchmark = (
        find_benchmark(rank_by_benchmark, argument="rank_by_benchmark")
        if rank_by_benchmark
        else None
    )
    filterset = VariantFilterSet(
        filter_query(arguments), queryset=selectors.variant_list(user=acting_user())
    )
    if not filterset.is_valid():
        raise form_errors(filterset.errors)
    queryset = filterset.qs
    if not ordering:
        queryset = queryset.order_by("version__family__name", "version__name", "name", "pk")
    ranking = rank_by(queryset, benchmark, setting) if benchmark is not None else None
    if ranking is not None and ranking.best:
        queryset = ranking.order(queryset)
    count = queryset.count()
    variants = list(queryset[offset : offset + limit])
    after = offset + len(variants)
    return SearchResult(
        count=count,
        offset=offset,
        next_offset=after if after < count else None,
        results=[
            RankedModel(
                **model_summary(v).model_dump(),
                score=ranking.score(v) if ranking is not None else None,
            )
            for v in variants
        ],
        ranking=(
            ranking_answer(
                ranking.benchmark,
                setting_key=ranking.setting_key,
                setting=ranking.setting,
                groups=ranking.groups,
                ranked=len(ranking.best),
                unranked=count - len(ranking.best),
            )
            if ranking is not None
            else None
        ),
    )


def _version_detail(parts: list[str]) -> ModelDetail:
    user = acting_user()
    version = (
        selectors.version_detail(user=user).filter(family__slug=parts[0], slug=parts[1]).first()
    )
    if version is None:
        raise argument_error(
            "key",
            _("no model “%(key)s” in the registry; search_models finds the keys.")
            % {"key": "/".join(parts)},
        )
    variants = (
        selectors.variant_list(user=user)
        .filter(version=version)
        .order_by("total_parameters", "name", "pk")
    )
    return ModelDetail(
        kind="version",
        key="/".join(parts),
        page=page(version.get_absolute_url()),
        record=VersionDetailSerializer(version).data,
        license=_license_detail(version.license_id),
        features=[f.slug for f in version.features.all()],
        variants=[model_summary(v) for v in variants[:MAX_VARIANTS]],
        variants_count=variants.count(),
    )


def _license_detail(license_id) -> dict | None:
    if license_id is None:
        return None
    license = license_detail(user=acting_user()).filter(pk=license_id).first()
    return LicenseDetailSerializer(license).data if license else None


def get_model(
    key: Annotated[
        str,
        Field(
            description="family/version/variant for one checkpoint (its architecture, "
            "config.json, sources), or family/version for a release and its variants"
        ),
    ],
) -> ModelDetail:
    """One model with everything the registry records: architecture numbers, the effective
    licence with its structured terms and quoted clauses, features and the cited sources."""
    parts = [part for part in key.strip().strip("/").split("/") if part]
    if len(parts) == 2:
        return _version_detail(parts)
    queryset = selectors.with_derived_features(selectors.variant_detail(user=acting_user()))
    variant = find_variant(key, argument="key", queryset=queryset)
    record = VariantDetailSerializer(variant).data
    derived = selectors.derived_features_of(variant)
    return ModelDetail(
        kind="variant",
        key=variant_key(variant),
        page=model_summary(variant).page,
        record=record,
        license=_license_detail(variant.license_id or variant.version.license_id),
        features=sorted(set(derived) | set(record["features"])),
    )


COMPARED = (
    "kind",
    "total_parameters",
    "active_parameters",
    "context_tokens",
    "release_date",
    "is_moe",
)
COMPARED_ARCHITECTURE = (
    "num_layers",
    "hidden_size",
    "intermediate_size",
    "num_attention_heads",
    "num_kv_heads",
    "head_dim",
    "kv_lora_rank",
    "num_experts",
    "num_experts_per_token",
    "vocab_size",
    "sliding_window",
    "tie_word_embeddings",
)
COMPARED_LICENSE = ("slug", "commercial_use", "mau_threshold", "outputs_train_other_models")


def compare_models(
    keys: Annotated[
        list[str],
        Field(
            min_length=COMPARE_MIN,
            max_length=COMPARE_MAX,
            description="family/version/variant keys, 2 to 4",
        ),
    ],
    precision: Precision = "bf16",
    context_tokens: Annotated[int, Field(ge=1, le=MAX_CONTEXT_TOKENS)] = 4096,
) -> CompareResult:
    """Two to four models side by side: size, context, architecture and licence terms, each row
    marked where they differ, and the smallest published hardware that fits each at the
    precision and context (the compare page's answer)."""
    queryset = selectors.with_derived_features(selectors.variant_list(user=acting_user()))
    variants = []
    for index, key in enumerate(keys):
        variant = find_variant(key, argument=f"keys[{index}]", queryset=queryset)
        if variant.pk in {v.pk for v in variants}:
            raise argument_error(f"keys[{index}]", _("“%(key)s” is asked twice.") % {"key": key})
        variants.append(variant)
    summaries = [model_summary(v) for v in variants]
    licenses = [v.license or v.version.license for v in variants]

    def row(field: str, values: list) -> CompareRow:
        return CompareRow(field=field, values=values, differs=len({repr(v) for v in values}) > 1)

    rows = [row(name, [getattr(s, name) for s in summaries]) for name in COMPARED]
    rows += [row(name, [getattr(v, name) for v in variants]) for name in COMPARED_ARCHITECTURE]
    rows.append(row("features", [selectors.derived_features_of(v) for v in variants]))
    rows += [
        row(f"license.{name}", [getattr(lic, name) if lic else None for lic in licenses])
        for name in COMPARED_LICENSE
    ]
    return CompareResult(
        models=summaries,
        rows=rows,
        hardware=hardware_fit(
            variants, EstimateOptions(precision=precision, context_tokens=context_tokens)
        ),
        options={"precision": precision, "context_tokens": context_tokens},
    )


def list_recent_releases(
    released_after: Annotated[
        datetime.date | None, Field(description="only releases on or after this date")
    ] = None,
    family: Annotated[Keys, Field(description="family slugs, any of them")] = None,
    organization: Annotated[Keys, Field(description="publisher slugs, any of them")] = None,
    commercial_use: list[Commercial] | None = None,
    modality: Annotated[Keys, Field(description="e.g. text, image (all of them)")] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_RELEASES)] = 10,
) -> ReleaseList:
    """The most recently released model versions, newest first, with their variants' keys
    (the REST API's GET /api/v1/versions/?ordering=-release_date)."""
    arguments = {
        "released_after": released_after,
        "family": family,
        "organization": organization,
        "commercial_use": commercial_use,
        "modality": modality,
    }
    user = acting_user()
    filterset = VersionFilterSet(
        filter_query(arguments), queryset=selectors.version_list(user=user)
    )
    if not filterset.is_valid():
        raise form_errors(filterset.errors)
    queryset = filterset.qs.filter(release_date__isnull=False).order_by("-release_date", "-pk")
    count = queryset.count()
    versions = list(queryset[:limit])
    keys: dict[int, list[str]] = {}
    for variant in (
        selectors.variant_list(user=user)
        .filter(version__in=versions)
        .order_by("total_parameters", "name", "pk")
    ):
        keys.setdefault(variant.version_id, []).append(variant_key(variant))
    return ReleaseList(
        count=count,
        results=[
            Release(
                key=version_key(v),
                name=v.localized("name"),
                family=v.family.localized("name"),
                organization=v.family.organization.localized("name"),
                release_date=released_iso(v.release_date, v.release_date_precision) or None,
                license=license_brief(v.license),
                max_context_tokens=v.max_context_tokens,
                modalities=list(v.modalities or []),
                variants=keys.get(v.pk, []),
                page=page(v.get_absolute_url()),
            )
            for v in versions
        ],
    )
