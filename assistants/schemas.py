"""The structured results of the MCP tools: each tool's output schema is one of these models.

Records the REST API already describes (a variant's or a licence's full representation) travel
as the API's own JSON (``dict``), so an assistant reading both sees the same field names.
"""

from typing import Any

from pydantic import BaseModel, Field

# A release date as precisely as the sources give it (catalog DatePrecision).
RELEASED = "ISO 8601 as precisely as the sources give it: 2025-03-13, 2025-03 or 2025"


class LicenseBrief(BaseModel):
    slug: str
    name: str
    spdx_id: str = ""
    kind: str = ""
    commercial_use: str | None = Field(
        None, description="allowed, conditional or not_allowed; null: not recorded"
    )
    mau_threshold: int | None = Field(
        None, description="above this many monthly active users a separate licence is needed"
    )
    outputs_train_other_models: str | None = Field(
        None, description="allowed, restricted or not_allowed; null: not recorded"
    )
    url: str = Field("", description="the licence text at its publisher")


class ModelSummary(BaseModel):
    key: str = Field(description="family/version/variant: the key every tool takes")
    name: str
    kind: str = Field(description="base, instruct, chat, reasoning, code…")
    family: str
    organization: str
    total_parameters: int | None
    active_parameters: int | None = Field(description="per token; differs from total for MoE")
    context_tokens: int | None = Field(description="the longest context the model supports")
    release_date: str | None = Field(description=RELEASED)
    is_moe: bool
    license: LicenseBrief | None = Field(description="the licence that applies (effective)")
    hf_repo_id: str = ""
    page: str = Field(description="the model's page in the registry")


class BenchmarkBrief(BaseModel):
    slug: str = Field(description="the slug get_evaluations and rank_by_benchmark take")
    name: str
    category: str
    metric: str = Field(description="the metric results usually report")
    higher_is_better: bool
    scale_min: float
    scale_max: float
    private: bool = Field(description="an internal task suite (signed-in staff only)")
    caveats: str = Field("", description="known problems: contamination, saturation, errors")
    page: str = Field(description="the benchmark's page in the registry")


class SettingGroup(BaseModel):
    comparable_key: str = Field(description="equal for exactly the results that may be compared")
    setting: str = Field(description="the setting in words")
    results: int


class BenchmarkScore(BaseModel):
    """A model's best value on the ranking benchmark under the setting used."""

    value: str = Field(description="as its source printed it")
    value_number: float
    comparable_key: str
    setting: str = Field(description="the setting in words")
    reported_by: str = Field(description="publisher, independent or internal")
    reporter: str
    date: str
    source_url: str
    source_title: str
    source_locator: str = Field(description="where in the source: table, row and column")
    result_id: int


class BenchmarkRanking(BaseModel):
    """How rank_by_benchmark ranked the models."""

    benchmark: BenchmarkBrief
    comparable_key: str = Field(
        description="the one setting every score shares; empty when no model has a result"
    )
    setting: str = Field(description="that setting in words")
    settings: list[SettingGroup] = Field(
        description=(
            "every setting these models have results under, the stated ones first, the most "
            "common first"
        )
    )
    ranked_count: int = Field(description="models with a result under the setting: first")
    unranked_count: int = Field(description="models without one: after them, not ranked")
    frontier: list[str] = Field(
        default_factory=list,
        description="recommend_hardware: keys of the fitting models on the Pareto frontier "
        "(no other fitting model needs less memory and scores better)",
    )
    note: str = Field(description="the ranking in one sentence, to repeat in the answer")


class RankedModel(ModelSummary):
    score: BenchmarkScore | None = Field(
        None,
        description="with rank_by_benchmark: the model's best value under the ranking's "
        "setting; null: no comparable result (listed after the ranked models)",
    )


class SearchResult(BaseModel):
    count: int = Field(description="models matching the filters")
    offset: int
    next_offset: int | None = Field(description="pass as offset for the next page; null: none")
    results: list[RankedModel]
    ranking: BenchmarkRanking | None = Field(
        None, description="with rank_by_benchmark: the benchmark and setting the order uses"
    )


class ModelDetail(BaseModel):
    kind: str = Field(description="variant (one checkpoint) or version (a release of a family)")
    key: str
    page: str
    record: dict[str, Any] = Field(
        description="the REST API's detail representation: architecture numbers, config.json, "
        "sources (citations with quotes)"
    )
    license: dict[str, Any] | None = Field(
        description="the effective licence with its structured terms and cited clauses"
    )
    features: list[str] = Field(
        default_factory=list,
        description="architecture features: those derived from the numbers and those curated",
    )
    variants: list[ModelSummary] = Field(
        default_factory=list, description="a version's variants (checkpoints), at most 100"
    )
    variants_count: int = Field(0, description="how many variants the version has")


class CompareRow(BaseModel):
    field: str
    values: list[Any] = Field(description="one value per model, in the order asked")
    differs: bool


class CompareResult(BaseModel):
    models: list[ModelSummary]
    rows: list[CompareRow]
    hardware: list[dict[str, Any]] = Field(
        description="per model: memory at the options and the smallest published hardware "
        "profiles that fit (or an error)"
    )
    options: dict[str, Any]


class EstimateResult(BaseModel):
    model: str | None = Field(description="the model estimated; null for a pasted config")
    estimate: dict[str, Any] = Field(
        description="the REST API's estimate: exact parameters, memory terms in bytes, every "
        "published hardware profile with its fit and decode speed"
    )


class HardwareFit(BaseModel):
    model: ModelSummary
    fits: bool
    per_device_bytes: int = Field(description="memory needed on each accelerator")
    usable_bytes_per_device: int
    headroom_bytes: int
    missing_bytes: int
    total_memory_bytes: int = Field(description="all accelerators together")
    decode_tokens_per_s_per_sequence: float | None = Field(
        description="realistic estimate for one sequence (llama.cpp, one GPU or split by "
        "layers), calibrated against published measurements; null where not calibrated"
    )
    decode_tokens_per_s_aggregate: float | None
    beyond_context: bool = Field(description="the context asked is longer than the model's")
    heads_mismatch: bool = Field(
        description="tensor parallelism cannot split the attention heads over this count"
    )
    score: BenchmarkScore | None = Field(
        None,
        description="with rank_by_benchmark: the model's best value under the ranking's "
        "setting; null: no comparable result",
    )
    on_frontier: bool | None = Field(
        None,
        description="with rank_by_benchmark: no other fitting model needs less memory and "
        "scores better",
    )


class HardwareAnswer(BaseModel):
    hardware: dict[str, Any] = Field(description="the accelerator, count and usable memory")
    options: dict[str, Any]
    sort: str
    fitting_count: int
    fitting: list[HardwareFit] = Field(description="models that fit, best-ranked first")
    missing_count: int
    closest_misses: list[HardwareFit] = Field(description="models that miss, closest first")
    skipped: list[str] = Field(description="models without architecture numbers (not ranked)")
    assumptions: list[str]
    ranking: BenchmarkRanking | None = Field(
        None,
        description="with rank_by_benchmark: the benchmark and setting the fitting models are "
        "ranked by, and the Pareto frontier",
    )


class Clause(BaseModel):
    text: str
    source_title: str
    source_url: str


class LicenseReason(BaseModel):
    reason: str
    message: str
    term: str = Field(description="the licence term (field) the reason rests on")
    clauses: list[Clause] = Field(description="the licence text behind the term, quoted")


class LicenseAnswer(BaseModel):
    question: str
    question_text: str
    verdict: str = Field(description="yes, no, conditional or unknown")
    verdict_text: str
    reasons: list[LicenseReason]


class OurDecision(BaseModel):
    """The company's approval of a model for one of its use cases (signed-in staff only)."""

    use_case: str = Field(description="the use case's slug")
    use_case_name: str
    subject: str = Field(
        description="what was approved: the variant (family/version/variant) or its whole "
        "version (family/version)"
    )
    status: str = Field(
        description="proposed, under_review, approved, approved_with_conditions, rejected or "
        "revoked"
    )
    conditions: str = Field(description="what the use must respect; empty: none")
    decided_on: str | None = Field(description="ISO 8601 date; null: not decided")
    expires_on: str | None = Field(description="re-review is due from this date; null: never")
    review_due: bool = Field(description="approved and past its expiry date: re-review it")


class LicenseCheck(BaseModel):
    license: LicenseBrief
    model: str | None = Field(description="the model asked about, when one was")
    answers: list[LicenseAnswer]
    disclaimer: str
    our_decisions: list[OurDecision] = Field(
        default_factory=list,
        description="with a model, for signed-in staff: the company's approvals covering it "
        "(its own and its version's), which take precedence over the licence's answers",
    )


class Release(BaseModel):
    key: str = Field(description="family/version")
    name: str
    family: str
    organization: str
    release_date: str | None = Field(description=RELEASED)
    license: LicenseBrief | None
    max_context_tokens: int | None
    modalities: list[str]
    variants: list[str] = Field(description="keys of its variants (family/version/variant)")
    page: str


class ReleaseList(BaseModel):
    count: int
    results: list[Release]


class HardwareCatalog(BaseModel):
    accelerators: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    precisions: list[dict[str, str]]


class SettingFields(BaseModel):
    """A result's setting as its fields; null or empty where the source does not say."""

    shots: int | None
    chain_of_thought: bool | None
    thinking: bool | None
    pass_k: int | None
    samples: int | None = Field(description="samples per question")
    harness: str
    harness_version: str
    prompt_template: str
    sampling: str = Field(description="free text; does not decide comparability")
    checkpoint: str = Field(
        description="the checkpoint evaluated where the source names another than the model's "
        "own; does not decide comparability"
    )


class EvaluationSource(BaseModel):
    url: str
    title: str
    locator: str = Field(description="where in the source: table, row and column")
    quote: str


class EvaluationResult(BaseModel):
    id: int
    model: str = Field(description="family/version/variant")
    model_name: str
    model_page: str
    benchmark: str = Field(description="the benchmark's slug")
    benchmark_version: str = Field(description="a dataset version, subset or window")
    value: str = Field(description="as its source printed it")
    value_number: float
    metric: str
    setting: str = Field(description="the setting in words")
    setting_fields: SettingFields
    comparable_key: str = Field(
        description="equal for exactly the results that may be compared; never compare values "
        "under different keys"
    )
    reported_by: str = Field(description="publisher, independent or internal (the company's own)")
    reporter: str
    date: str
    source: EvaluationSource
    note: str


class EvaluationAnswer(BaseModel):
    count: int = Field(description="results matching the filters")
    offset: int
    next_offset: int | None = Field(description="pass as offset for the next page; null: none")
    benchmarks: list[BenchmarkBrief] = Field(
        description="the benchmarks of the results on this page (or the one asked for)"
    )
    settings: list[SettingGroup] = Field(
        default_factory=list,
        description=(
            "with a benchmark: every setting its results are under, the stated ones first, "
            "the most common first"
        ),
    )
    results: list[EvaluationResult]
    note: str


class FrozenAnswer(BaseModel):
    """A licence checker's answer as frozen with an approval's decision, in words."""

    question: str
    question_text: str
    verdict: str = Field(description="yes, no, conditional or unknown")
    verdict_text: str
    reasons: list[str]


class OurApproval(OurDecision):
    id: int
    model_name: str
    risk_notes: str
    reviewer: str | None = Field(description="the approver who decided; null: not decided")
    license: str = Field(description="the licence's slug at the decision; empty: not decided")
    license_answers: list[FrozenAnswer] = Field(
        description="the licence checker's answers for the use case when it was decided"
    )
    evaluations: list[int] = Field(description="ids of the results the decision rests on")


class OurApprovals(BaseModel):
    count: int = Field(description="approvals matching the arguments")
    results: list[OurApproval]
    note: str


class ServingRecipe(BaseModel):
    """A serving recipe: the command that serves a model on a hardware profile with an engine,
    sized by the memory estimate."""

    engine: str
    variant: str = Field(description="the variant's slug, its served name")
    repo_id: str = Field(description="the Hugging Face repository the engine loads")
    profile: str
    profile_name: str
    gpu_count: int
    precision: str
    kv_cache_dtype: str
    context_tokens: int
    gpu_memory_utilization: float
    command: str = Field(description="one shell line")
    argv: list[str]
    modelfile: str | None = Field(description="Ollama's Modelfile; null for other engines")
    expected_memory: dict[str, Any] = Field(description="bytes and GiB: total, per GPU, usable")
    notes: list[str]
    assumptions: Any
    estimator_version: str
    recipe_version: str
