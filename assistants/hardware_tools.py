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
from assistants.schemas import (
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


def _fit(row: FitRow) -> HardwareFit:
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
    )


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
    limit: Annotated[int, Field(ge=1, le=MAX_FITTING, description="fitting models shown")] = 10,
) -> HardwareAnswer:
    """Which models run on this hardware (N × one accelerator, or a profile) at a precision,
    context and workload: every model the filters keep, estimated on it, the ones that fit
    ranked, and the closest misses with what they lack. Filters are the API's."""
    if accelerator is None and profile is None:
        raise argument_error("accelerator", _("give an accelerator (and count) or a profile."))
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
        fitting=[_fit(row) for row in fitting[:limit]],
        missing_count=len(missing),
        closest_misses=[_fit(row) for row in missing[:CLOSEST_MISSES]],
        skipped=[variant_key(v) for v in skipped[:SKIPPED_SHOWN]],
        assumptions=[str(FIT_ASSUMPTION), str(SPEED_ASSUMPTION)],
    )
