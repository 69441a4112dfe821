"""The hardware MCP tools: what the registry knows of accelerators, a memory estimate, and every
model ranked on a given set of accelerators (the "can I run it" page's answer)."""

from typing import Annotated, Any, Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from pydantic import Field

from assistants.catalog_tools import Commercial, Count, Keys, Kind, filter_query
from assistants.common import (
    acting_user,
    argument_error,
    find_variant,
    form_errors,
    model_summary,
    variant_key,
)
from assistants.evaluation_tools import (
    RANKING_SETTING,
    SETTING_WITHOUT_RANKING,
    BenchmarkSlug,
    SettingKey,
    benchmark_score,
    check_setting,
    find_benchmark,
    ranking_answer,
    setting_groups,
)
from assistants.schemas import (
    BenchmarkRanking,
    EstimateResult,
    HardwareAnswer,
    HardwareCatalog,
    HardwareFit,
)
from catalog.filters import VariantFilterSet
from catalog.precision_labels import precision_choices
from catalog.selectors import variant_list
from estimator import KV_DTYPES, PRECISIONS, EstimateError, EstimateOptions
from estimator.fit import MAX_DEVICES
from estimator.memory import MAX_BATCH, MAX_CONTEXT_TOKENS
from estimator.speed import LLAMA_CPP, RUNTIMES
from evaluations.bestfit import BestFitPoint, best_fit
from evaluations.models import Benchmark
from hardware import selectors
from hardware.forms import MAX_ACCELERATORS, FitForm, FitSort, FitWorkload
from hardware.ranking import (
    FIT_ASSUMPTION,
    SPEED_ASSUMPTION,
    FitRow,
    hardware_spec,
    rank_variants,
)
from hardware.services import EstimateInputError, estimate_for

Precision = Literal[tuple(PRECISIONS)]
KvDtype = Literal[tuple(KV_DTYPES)]
MAX_FITTING = 50
CLOSEST_MISSES = 5
SKIPPED_SHOWN = 20
# The tool's argument names for the fields of the page's form and filters.
FORM_ARGUMENTS = {"context_tokens": "context_tokens", "__all__": "accelerator"}


def list_hardware() -> HardwareCatalog:
    """The accelerators and hardware profiles the registry knows (slugs other tools take), with
    memory and bandwidth from the datasheets, and the precisions the estimator knows."""
    user = acting_user()
    accelerators = selectors.accelerator_list(user=user).order_by("vendor", "name")
    profiles = selectors.profile_list(user=user).order_by("accelerator__vendor", "slug")
    return HardwareCatalog(
        accelerators=[
            {
                "slug": a.slug,
                "name": f"{a.vendor} {a.name}",
                "form": a.form,
                "memory_gib": float(a.memory_gib),
                "memory_bandwidth_gbps": (
                    float(a.memory_bandwidth_gbps) if a.memory_bandwidth_gbps else None
                ),
            }
            for a in accelerators
        ],
        profiles=[
            {
                "slug": p.slug,
                "name": p.localized("name"),
                "accelerator": p.accelerator.slug,
                "count": p.count,
            }
            for p in profiles
        ],
        precisions=[{"key": key, "label": str(label)} for key, label in precision_choices()],
    )


def estimate_memory(
    model: Annotated[
        str | None, Field(description="a catalog model, family/version/variant")
    ] = None,
    config: Annotated[
        dict[str, Any] | None,
        Field(description="or a pasted Hugging Face config.json (a JSON object)"),
    ] = None,
    precision: Annotated[
        Precision | None,
        Field(
            description="omitted: the checkpoint's own format where it is published quantised "
            "(native), else bf16"
        ),
    ] = None,
    context_tokens: Annotated[int, Field(ge=1, le=MAX_CONTEXT_TOKENS)] = 4096,
    prompt_tokens: Annotated[
        int | None,
        Field(
            ge=1,
            le=MAX_CONTEXT_TOKENS,
            description="prompt for the time to first token; omitted: the whole context",
        ),
    ] = None,
    batch: Annotated[int, Field(ge=1, le=MAX_BATCH, description="sequences at once")] = 1,
    kv_dtype: KvDtype = "bf16",
    runtime: Annotated[
        Literal[tuple(RUNTIMES)],
        Field(
            description="how several GPUs share the model: llama.cpp splits the layers, vllm "
            "is tensor parallel"
        ),
    ] = LLAMA_CPP,
    workload: Literal["inference", "lora", "qlora", "full"] = "inference",
    accelerator: Annotated[
        str | None,
        Field(
            description="fit on this accelerator alone (a slug or a name such as “RTX 4090”) "
            "instead of every published profile"
        ),
    ] = None,
    count: Annotated[
        int, Field(ge=1, le=MAX_DEVICES, description="how many of the accelerator")
    ] = 1,
) -> EstimateResult:
    """Exact parameter count and memory (weights, KV cache, activations, overhead) of a model or
    a pasted config.json at a precision, context, batch and workload, with the fit and decode
    speed on every published hardware profile (the REST API's POST /api/v1/estimate/)."""
    if (model is None) == (config is None):
        raise argument_error("model", _("give exactly one of model or config."))
    variant = find_variant(model, argument="model") if model is not None else None
    options = EstimateOptions(
        workload=workload,
        precision=precision or "",
        context_tokens=context_tokens,
        prompt_tokens=prompt_tokens,
        batch=batch,
        kv_dtype=kv_dtype,
        runtime=runtime,
    )
    chosen = None
    if accelerator is not None:
        slug = _accelerator_slug(accelerator)
        chosen = selectors.accelerator_list(user=acting_user()).get(slug=slug)
    try:
        answer = estimate_for(
            config=config, variant=variant, options=options, accelerator=chosen, count=count
        )
    except EstimateInputError as exc:
        raise form_errors({k: [v] for k, v in exc.errors.items()}) from None
    return EstimateResult(model=variant_key(variant) if variant else None, estimate=answer)


def _accelerator_slug(value: str) -> str:
    """An accelerator by slug, or by a name people write ("RTX 4090", "H100 SXM")."""
    accelerators = selectors.accelerator_list(user=acting_user())
    text = value.strip()
    if accelerators.filter(slug=text).exists():
        return text
    words = text.lower().replace("-", " ").split()
    condition = Q()
    for word in words:
        condition &= Q(slug__icontains=word) | Q(name__icontains=word) | Q(vendor__icontains=word)
    found = list(accelerators.filter(condition).values_list("slug", flat=True)[:6]) if words else []
    if len(found) == 1:
        return found[0]
    known = ", ".join(found) if found else _("list_hardware lists them")
    raise argument_error(
        "accelerator",
        _("no single accelerator matches “%(value)s” (%(known)s).")
        % {"value": value, "known": known},
    )


def _fit(row: FitRow, point: BestFitPoint | None = None) -> HardwareFit:
    fit = row.fit
    return HardwareFit(
        model=model_summary(row.variant),
        fits=row.fits,
        per_device_bytes=fit.per_device_bytes,
        usable_bytes_per_device=fit.usable_bytes,
        headroom_bytes=fit.headroom_bytes,
        missing_bytes=fit.missing_bytes,
        total_memory_bytes=row.memory_bytes,
        decode_tokens_per_s_per_sequence=fit.decode_per_sequence,
        decode_tokens_per_s_aggregate=fit.decode_aggregate,
        beyond_context=row.beyond_context,
        heads_mismatch=fit.heads_mismatch,
        score=benchmark_score(point.result, point.result.benchmark) if point else None,
        on_frontier=point.on_frontier if point else None,
    )


def _rank_on_benchmark(
    fitting: list[FitRow],
    missing: list[FitRow],
    benchmark: Benchmark,
    setting: str | None,
    *,
    variants,
    spec,
    options,
) -> tuple[list[tuple[FitRow, BestFitPoint | None]], BenchmarkRanking]:
    """The fitting rows ranked by their best value on ``benchmark`` under one comparable
    setting, the Pareto frontier marked (evaluations.bestfit, over the rows already estimated);
    the fitting models without a comparable result after them, in their own order."""
    answer = best_fit(
        variants=variants,
        spec=spec,
        options=options,
        benchmark=benchmark,
        setting_key=setting or "",
        user=acting_user(),
        rows={row.variant.pk: row for row in [*fitting, *missing]},
    )
    groups = setting_groups(answer.groups, benchmark)
    check_setting(setting, answer.setting_key, groups, benchmark)
    sign = 1 if benchmark.higher_is_better else -1
    points = sorted(answer.points, key=lambda p: (-sign * p.score, p.row.memory_bytes, p.key))
    scored = {p.variant.pk for p in points}
    ordered = [(p.row, p) for p in points]
    ordered += [(row, None) for row in fitting if row.variant.pk not in scored]
    ranking = ranking_answer(
        benchmark,
        setting_key=answer.setting_key,
        setting=answer.setting,
        groups=groups,
        ranked=len(points),
        unranked=len(fitting) - len(points),
        frontier=[p.key for p in answer.frontier],
    )
    return ordered, ranking


def recommend_hardware(
    accelerator: Annotated[
        str | None,
        Field(description="an accelerator slug or name, e.g. nvidia-rtx-4090 or 'RTX 4090'"),
    ] = None,
    count: Annotated[int, Field(ge=1, le=MAX_ACCELERATORS, description="how many")] = 1,
    profile: Annotated[
        str | None, Field(description="or a hardware profile slug, e.g. 2x-nvidia-rtx-4090")
    ] = None,
    precision: Annotated[
        Precision, Field(description="weights: bf16, fp8, awq-int4 / gptq-int4 (int4), q4_k_m…")
    ] = "bf16",
    context_tokens: Annotated[int, Field(ge=1, le=MAX_CONTEXT_TOKENS)] = 4096,
    workload: Annotated[
        Literal[tuple(FitWorkload.values)],
        Field(description="interactive: one sequence; serving: batch sequences; or fine-tuning"),
    ] = "interactive",
    batch: Annotated[int, Field(ge=1, le=MAX_BATCH)] = 8,
    kv_dtype: KvDtype = "bf16",
    sort: Annotated[
        Literal[tuple(FitSort.values)],
        Field(description="params: largest model first; headroom; speed; memory"),
    ] = "params",
    q: str | None = None,
    family: Keys = None,
    organization: Keys = None,
    kind: list[Kind] | None = None,
    license: Keys = None,
    commercial_use: Annotated[
        list[Commercial] | None,
        Field(description="the effective licence's commercial use, e.g. ['allowed']"),
    ] = None,
    mau_limit__gte: Annotated[int | None, Field(ge=0)] = None,
    modality: Keys = None,
    language: Keys = None,
    total_parameters__gte: Count | None = None,
    total_parameters__lte: Count | None = None,
    rank_by_benchmark: Annotated[
        BenchmarkSlug | None,
        Field(
            description="a benchmark's slug or name (mmlu, mmlu-pro, gpqa-diamond…): rank the "
            "fitting models by it under one comparable setting, best first, and mark the Pareto "
            "frontier of score against memory; fitting models without a comparable result "
            "follow unranked, in sort order"
        ),
    ] = None,
    setting: Annotated[SettingKey | None, Field(description=RANKING_SETTING)] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_FITTING, description="fitting models shown")] = 10,
) -> HardwareAnswer:
    """Which models run on this hardware (N × one accelerator, or a profile) at a precision,
    context and workload: every model the filters keep, estimated on it, the ones that fit
    ranked, and the closest misses with what they lack. Filters are the API's. With
    rank_by_benchmark, the fitting models are ranked by their best value on that benchmark
    and the Pareto frontier is marked (the best-fit page's answer)."""
    if accelerator is None and profile is None:
        raise argument_error("accelerator", _("give an accelerator (and count) or a profile."))
    if setting and not rank_by_benchmark:
        raise argument_error("setting", SETTING_WITHOUT_RANKING)
    benchmark = (
        find_benchmark(rank_by_benchmark, argument="rank_by_benchmark")
        if rank_by_benchmark
        else None
    )
    user = acting_user()
    data = filter_query(
        {
            "accelerator": _accelerator_slug(accelerator) if accelerator else None,
            "count": count if accelerator else None,
            "profile": profile,
            "precision": precision,
            "context_tokens": context_tokens,
            "workload": workload,
            "batch": batch,
            "kv_dtype": kv_dtype,
            "sort": sort,
        }
    )
    form = FitForm(
        data,
        accelerators=selectors.accelerator_list(user=user),
        profiles=selectors.profile_list(user=user),
    )
    if not form.is_valid():
        raise form_errors(form.errors, FORM_ARGUMENTS)
    filters = {
        "q": q,
        "family": family,
        "organization": organization,
        "kind": kind,
        "license": license,
        "commercial_use": commercial_use,
        "mau_limit__gte": mau_limit__gte,
        "modality": modality,
        "language": language,
        "total_parameters__gte": total_parameters__gte,
        "total_parameters__lte": total_parameters__lte,
    }
    filterset = VariantFilterSet(filter_query(filters), queryset=variant_list(user=user))
    if not filterset.is_valid():
        raise form_errors(filterset.errors)
    spec = hardware_spec(form.cleaned_data)
    options = form.options()
    variants = filterset.qs.order_by(*selectors.LARGEST_FIRST)
    try:
        fitting, missing, skipped = rank_variants(variants, spec, options, sort)
    except EstimateError as exc:
        raise form_errors({exc.field: [str(exc)]}) from None
    ranking = None
    shown: list[tuple[FitRow, BestFitPoint | None]] = [(row, None) for row in fitting]
    if benchmark is not None:
        shown, ranking = _rank_on_benchmark(
            fitting, missing, benchmark, setting, variants=variants, spec=spec, options=options
        )
    return HardwareAnswer(
        hardware={
            "slug": spec.slug,
            "name": spec.name,
            "accelerator": spec.accelerator.slug,
            "count": spec.count,
            "memory_bytes_each": spec.accelerator.memory_bytes,
        },
        options={
            "workload": options.workload,
            "precision": options.precision,
            "context_tokens": options.context_tokens,
            "batch": options.batch,
            "kv_dtype": options.kv_dtype,
        },
        sort=sort,
        fitting_count=len(fitting),
        fitting=[_fit(row, point) for row, point in shown[:limit]],
        missing_count=len(missing),
        closest_misses=[_fit(row) for row in missing[:CLOSEST_MISSES]],
        skipped=[variant_key(v) for v in skipped[:SKIPPED_SHOWN]],
        assumptions=[str(FIT_ASSUMPTION), str(SPEED_ASSUMPTION)],
        ranking=ranking,
    )
