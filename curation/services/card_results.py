"""The evaluation results a model card states, in the registry's terms, for the review.

A release candidate carries the rows of its card's model-index as the pure parser read them
(``ReleaseCandidate.proposed_results``; ``catalog/ingest/parse/evaluations.py``). Here each
row is mapped onto a benchmark, a metric, a setting and the benchmark's scale, given its
reporter, date and source, and checked by the rules of a result, so the review page shows
what accepting it would record or why it cannot be accepted. Approval records the accepted
rows through ``evaluations.services.result_build`` (``card_results_build``).

Mapping, row by row:

* benchmark: the dataset's type and config (``ai2_arc`` + ``ARC-Challenge``), else its type,
  else its name less a trailing "(5-Shot)", looked up in :data:`BENCHMARK_ALIASES`
  (lowercased); a dataset known to have no benchmark here (TruthfulQA, MuSR) or not listed is
  left unmatched;
* metric: the metric's type, else its name, in :data:`METRIC_ALIASES`; ``pass@k`` names k;
  a source of :data:`KNOWN_SOURCES` that publishes normalised scores gives ``score``;
* shots: the parser's ``num_few_shot``; any other arg is a setting the registry cannot record;
* value: as written, except a fraction on a 0-100 benchmark, converted to percent only where
  the metric is a proportion and every value the card gives from the same source lies within
  0-1 with at least one strictly between (the card writes fractions): the note says so;
* reported by: a source of :data:`KNOWN_SOURCES` is independent; otherwise the publisher where
  the card is the watched publisher's own repository, else independent (the card's owner);
* source: the row's source address, else the card's page; date: the card revision's date
  (its last modification, else the repository's creation, else when it was first seen).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.keys import variant_key
from catalog.models import ModelVariant, ReleaseCandidate
from evaluations.choices import Metric, ReportedBy
from evaluations.models import Benchmark, Result
from evaluations.services import ResultInputError, result_build

RESULTS_FIELD = "results"  # the review form's field of results

# Dataset types and names of model cards (lowercased) to the registry's benchmark slug and
# benchmark version; ``None`` where the registry has no such benchmark (left unmatched). Slugs
# from evaluations/data/benchmarks.yaml (a test checks each exists there). Sources: the
# datasets' Hub ids, and the names the Open LLM Leaderboard's bot writes into cards (v1:
# ARC, HellaSwag, MMLU, TruthfulQA, Winogrande, GSM8k; v2: IFEval, BBH, MATH Lvl 5, GPQA,
# MuSR, MMLU-PRO).
_MATH_LEVEL_5 = ("math", "Level 5")
BENCHMARK_ALIASES: dict[str, tuple[str | None, str]] = {
    "mmlu": ("mmlu", ""),
    "cais/mmlu": ("mmlu", ""),
    "hendrycks_test": ("mmlu", ""),
    "openai_humaneval": ("humaneval", ""),
    "openai/openai_humaneval": ("humaneval", ""),
    "humaneval": ("humaneval", ""),
    "gsm8k": ("gsm8k", ""),
    "openai/gsm8k": ("gsm8k", ""),
    "hellaswag": ("hellaswag", ""),
    "rowan/hellaswag": ("hellaswag", ""),
    "winogrande": ("winogrande", ""),
    "allenai/winogrande": ("winogrande", ""),
    "ai2 reasoning challenge": ("arc-challenge", ""),
    "arc-challenge": ("arc-challenge", ""),
    "arc challenge": ("arc-challenge", ""),
    "truthful_qa": (None, ""),
    "truthfulqa": (None, ""),
    "truthfulqa/truthful_qa": (None, ""),
    "ifeval": ("ifeval", ""),
    "huggingfaceh4/ifeval": ("ifeval", ""),
    "google/ifeval": ("ifeval", ""),
    "bbh": ("bbh", ""),
    "lukaemon/bbh": ("bbh", ""),
    "big-bench hard": ("bbh", ""),
    "math": ("math", ""),
    "hendrycks_math": ("math", ""),
    "hendrycks/competition_math": ("math", ""),
    "lighteval/math": ("math", ""),
    "math lvl 5": _MATH_LEVEL_5,
    "math lvl5": _MATH_LEVEL_5,
    "lighteval/math-hard": _MATH_LEVEL_5,
    "gpqa": ("gpqa", ""),
    "idavidrein/gpqa": ("gpqa", ""),
    "musr": (None, ""),
    "taur-lab/musr": (None, ""),
    "mmlu-pro": ("mmlu-pro", ""),
    "tiger-lab/mmlu-pro": ("mmlu-pro", ""),
}
# Datasets whose configs are different benchmarks: (type, config), lowercased.
CONFIG_ALIASES: dict[tuple[str, str], tuple[str | None, str]] = {
    ("ai2_arc", "arc-challenge"): ("arc-challenge", ""),
    ("allenai/ai2_arc", "arc-challenge"): ("arc-challenge", ""),
    ("ai2_arc", "arc-easy"): (None, ""),
    ("allenai/ai2_arc", "arc-easy"): (None, ""),
}
# Metric types and names of model cards (lowercased) to the registry's metric. Sources: the
# Hub's metric ids and lm-evaluation-harness's metric names as the leaderboard writes them.
METRIC_ALIASES: dict[str, str] = {
    "acc": Metric.ACCURACY,
    "accuracy": Metric.ACCURACY,
    "acc_norm": Metric.ACCURACY,
    "normalized accuracy": Metric.ACCURACY,
    "inst_level_strict_acc and prompt_level_strict_acc": Metric.ACCURACY,
    "prompt_level_strict_acc": Metric.ACCURACY,
    "inst_level_strict_acc": Metric.ACCURACY,
    "strict accuracy": Metric.ACCURACY,
    "exact_match": Metric.EXACT_MATCH,
    "exact match": Metric.EXACT_MATCH,
    "em": Metric.EXACT_MATCH,
    "f1": Metric.F1,
}
_PASS_AT_K = re.compile(r"^pass@(\d{1,4})$")
# Metrics whose values are proportions: a card may write them as fractions of 1.
PROPORTION_METRICS = (
    Metric.ACCURACY,
    Metric.EXACT_MATCH,
    Metric.PASS_AT_K,
    Metric.CONS_AT_K,
    Metric.F1,
    Metric.RESOLVED_RATE,
)


@dataclass(frozen=True)
class KnownSource:
    """A source that reports results on the cards of other parties' models."""

    url_prefix: str
    reporter: str
    # Reports scores normalised to its own scale (recorded as metric "score"), not the
    # benchmark's metric.
    normalised: bool


# Open LLM Leaderboard v2 (June 2024 on) subtracts each task's random baseline and rescales to
# 0-100 (https://huggingface.co/docs/leaderboards/open_llm_leaderboard/normalization); v1, at
# HuggingFaceH4 and later open-llm-leaderboard-old, reported raw scores.
KNOWN_SOURCES = (
    KnownSource(
        "https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard",
        "Open LLM Leaderboard",
        normalised=True,
    ),
    KnownSource(
        "https://huggingface.co/spaces/huggingfaceh4/open_llm_leaderboard",
        "Open LLM Leaderboard",
        normalised=False,
    ),
    KnownSource(
        "https://huggingface.co/spaces/open-llm-leaderboard-old/open_llm_leaderboard",
        "Open LLM Leaderboard",
        normalised=False,
    ),
)

# Messages editors see; tests assert on them.
UNREADABLE = _("The card's entry cannot be read: %(problem)s")
UNKNOWN_BENCHMARK = _("No benchmark of the registry matches the card's dataset %(dataset)s.")
UNKNOWN_METRIC = _("The registry has no metric for the card's metric %(metric)s.")
UNKNOWN_SETTING = _("The card states settings the registry cannot record: %(names)s.")
NOT_A_NUMBER = _("The card's value %(value)s is not a number.")
REPEATS = _("Repeats the result of %(where)s: same benchmark, setting and source.")
ALREADY_RECORDED = _("Already recorded: same variant, benchmark, setting and source.")
NOT_ACCEPTABLE = _("%(where)s cannot be accepted: %(error)s")
UNKNOWN_RESULTS = _("Not proposed by this candidate: %(results)s.")
# The note every recorded result carries, and its additions.
FROM_CARD_NOTE = _(
    "From the model card's model-index (%(where)s) at revision %(revision)s: dataset "
    "%(dataset)s, metric %(metric)s."
)
FRACTION_NOTE = _(
    "The card gives %(written)s, a fraction; recorded as %(value)s on the benchmark's 0-100 scale."
)
NORMALISED_NOTE = _(
    "%(reporter)s publishes normalised scores (its random baseline subtracted, rescaled to "
    "0-100), not the benchmark's own metric."
)
VERIFIED_NOTE = _("The Hub marks the value as verified (evaluated by the Hub).")
CARD_TITLE = _("Model card of %(repository)s")


class CardResultError(ValueError):
    """Accepted results cannot be recorded; ``errors`` holds one message per row at fault."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class CardResultRow:
    """One proposed result: the card's row (``card``), the values it would record (the
    ``RESULT_FIELDS`` of :mod:`evaluations.services`, less the variant) and, where it cannot
    be accepted, why (``error``, naming ``error_field`` where a result field is at fault)."""

    key: str
    card: Mapping[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    error_field: str | None = None
    recorded: bool = False

    @property
    def acceptable(self) -> bool:
        return not self.error


def _lower(value: Any) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


_SHOTS_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


def card_benchmark(card: Mapping[str, Any]) -> tuple[str | None, str]:
    """The benchmark slug (``None``: unmatched) and benchmark version a card row names."""
    dataset_type, config = _lower(card.get("dataset_type")), _lower(card.get("dataset_config"))
    name = _SHOTS_SUFFIX.sub("", _lower(card.get("dataset_name")))
    by_name = BENCHMARK_ALIASES.get(name)
    if (dataset_type, config) in CONFIG_ALIASES:
        return CONFIG_ALIASES[(dataset_type, config)]
    if dataset_type in BENCHMARK_ALIASES:
        slug, version = BENCHMARK_ALIASES[dataset_type]
        if by_name is not None and by_name[0] == slug and by_name[1]:
            version = by_name[1]  # "MATH Lvl 5" of hendrycks/competition_math: a subset
        return slug, version
    return by_name if by_name is not None else (None, "")


def _metric(card: Mapping[str, Any]) -> tuple[str | None, int | None]:
    for text in (_lower(card.get("metric_type")), _lower(card.get("metric_name"))):
        if text in METRIC_ALIASES:
            return METRIC_ALIASES[text], None
        found = _PASS_AT_K.match(text)
        if found and int(found.group(1)) > 0:
            return Metric.PASS_AT_K, int(found.group(1))
    return None, None


def known_source(url: Any) -> KnownSource | None:
    text = _lower(url)
    for source in KNOWN_SOURCES:
        if text == source.url_prefix or text.startswith(
            (f"{source.url_prefix}?", f"{source.url_prefix}/")
        ):
            return source
    return None


def _decimal(text: Any) -> decimal.Decimal | None:
    try:
        number = decimal.Decimal(str(text))
    except (decimal.InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _shown(number: decimal.Decimal) -> str:
    return format(number.normalize(), "f")  # 74.23, not 7.423E+1


def _candidate_date(candidate: ReleaseCandidate) -> datetime.date:
    for name in ("last_modified", "created_at"):
        text = candidate.facts.get(name) if isinstance(candidate.facts, dict) else None
        if isinstance(text, str):
            try:
                return datetime.datetime.fromisoformat(text).date()
            except ValueError:
                continue
    return candidate.first_seen_at.date()


def _is_http(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def _reporter(candidate: ReleaseCandidate, card: Mapping[str, Any]) -> tuple[str, str]:
    source = known_source(card.get("source_url"))
    if source is not None:
        return ReportedBy.INDEPENDENT, source.reporter
    owner = candidate.upstream_id.split("/", 1)[0]
    publisher = candidate.publisher
    if (
        publisher is not None
        and publisher.source == candidate.source
        and publisher.author.lower() == owner.lower()
    ):
        organization = publisher.organization
        return ReportedBy.PUBLISHER, organization.name if organization is not None else owner
    return ReportedBy.INDEPENDENT, str(card.get("source_name") or owner)[:200]


def _dataset_text(card: Mapping[str, Any]) -> str:
    name, dataset_type = card.get("dataset_name") or "", card.get("dataset_type") or ""
    parts = [f'"{name}"'] if name else []
    details = [dataset_type] if dataset_type and dataset_type != name else []
    for key, label in (
        ("dataset_config", "config"),
        ("dataset_split", "split"),
        ("dataset_revision", "revision"),
    ):
        if card.get(key):
            details.append(f"{label} {card[key]}")
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts) or "—"


def _metric_text(card: Mapping[str, Any]) -> str:
    metric_type, name = card.get("metric_type") or "", card.get("metric_name") or ""
    if name and name != metric_type:
        return f'{metric_type} "{name}"' if metric_type else f'"{name}"'
    return metric_type or "—"


def _fraction_groups(rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """The sources (name, address) whose values the card writes as fractions of 1: every
    value within 0-1 and at least one strictly between."""
    values: dict[tuple[str, str], list[decimal.Decimal]] = {}
    for card in rows:
        number = _decimal(card.get("value")) if not card.get("problem") else None
        if number is not None:
            group = (str(card.get("source_name") or ""), str(card.get("source_url") or ""))
            values.setdefault(group, []).append(number)
    return {
        group
        for group, numbers in values.items()
        if all(0 <= n <= 1 for n in numbers) and any(0 < n < 1 for n in numbers)
    }


class _Mapper:
    """Maps the rows of one candidate, with the benchmarks they name read in one query."""

    def __init__(self, candidate: ReleaseCandidate, benchmarks: Mapping[str, Benchmark]):
        self.candidate = candidate
        self.benchmarks = benchmarks
        self.rows = [
            row
            for row in candidate.proposed_results
            if isinstance(row, dict) and isinstance(row.get("key"), str)
        ]
        self.fractions = _fraction_groups(self.rows)
        self.date = _candidate_date(candidate)

    def row(self, card: Mapping[str, Any]) -> CardResultRow:
        key = card["key"]
        if card.get("problem"):
            return CardResultRow(key, card, error=str(UNREADABLE % {"problem": card["problem"]}))
        slug, version = card_benchmark(card)
        values = self._values(card, slug, version)
        benchmark = self.benchmarks.get(slug) if slug else None
        if benchmark is None:
            error = UNKNOWN_BENCHMARK % {"dataset": _dataset_text(card)}
            return CardResultRow(key, card, values, str(error), "benchmark")
        if not values["metric"]:
            error = UNKNOWN_METRIC % {"metric": _metric_text(card)}
            return CardResultRow(key, card, values, str(error), "metric")
        unknown = card.get("unknown_args") or []
        if unknown:
            error = UNKNOWN_SETTING % {"names": ", ".join(str(name) for name in unknown)}
            return CardResultRow(key, card, values, str(error), None)
        number = _decimal(card.get("value"))
        if number is None:
            error = NOT_A_NUMBER % {"value": card.get("value")}
            return CardResultRow(key, card, values, str(error), "value")
        self._scale(card, benchmark, number, values)
        problem = _checked(values, benchmark)
        if problem is not None:
            return CardResultRow(key, card, values, problem[1], problem[0])
        return CardResultRow(key, card, values)

    def _values(self, card: Mapping[str, Any], slug: str | None, version: str) -> dict[str, Any]:
        candidate = self.candidate
        metric, pass_k = _metric(card)
        source = known_source(card.get("source_url"))
        if source is not None and source.normalised and metric is not None:
            metric, pass_k = Metric.SCORE, None
        reported_by, reporter = _reporter(candidate, card)
        source_url = card.get("source_url") if _is_http(card.get("source_url")) else ""
        if not source_url and _is_http(candidate.upstream_url):
            source_url = candidate.upstream_url
        title = str(card.get("source_name") or "") or str(
            CARD_TITLE % {"repository": candidate.upstream_id}
        )
        notes = [
            str(
                FROM_CARD_NOTE
                % {
                    "where": card.get("where", ""),
                    "revision": candidate.revision,
                    "dataset": _dataset_text(card),
                    "metric": _metric_text(card),
                }
            )
        ]
        if source is not None and source.normalised:
            notes.append(str(NORMALISED_NOTE % {"reporter": source.reporter}))
        if card.get("verified") is True:
            notes.append(str(VERIFIED_NOTE))
        return {
            "benchmark": slug or "",
            "benchmark_version": version,
            "value": card.get("value", ""),
            "metric": metric or "",
            "shots": card.get("shots"),
            "pass_k": pass_k,
            "reported_by": reported_by,
            "reporter": reporter,
            "date": self.date.isoformat(),
            "source_url": str(source_url)[:500],
            "source_title": title[:300],
            "source_locator": str(card.get("where", ""))[:300],
            "note": " ".join(notes),
        }

    def _scale(
        self,
        card: Mapping[str, Any],
        benchmark: Benchmark,
        number: decimal.Decimal,
        values: dict[str, Any],
    ) -> None:
        """A fraction of 1 on a 0-100 benchmark, to percent, where the card clearly writes
        fractions (the module docstring)."""
        group = (str(card.get("source_name") or ""), str(card.get("source_url") or ""))
        if (
            group in self.fractions
            and values["metric"] in PROPORTION_METRICS
            and benchmark.scale_min == 0
            and benchmark.scale_max == 100
            and 0 <= number <= 1
        ):
            percent = _shown(number * 100)
            values["value"] = percent
            values["note"] += " " + str(
                FRACTION_NOTE % {"written": card.get("value"), "value": percent}
            )

    def rows_with_repeats(self, recorded: set[tuple]) -> list[CardResultRow]:
        mapped = [self.row(card) for card in self.rows]
        seen: dict[tuple, str] = {}
        out = []
        for row in mapped:
            if row.acceptable:
                claim = _claim(row.values, self.benchmarks[row.values["benchmark"]])
                if claim in recorded:
                    row = CardResultRow(
                        row.key, row.card, row.values, str(ALREADY_RECORDED), None, True
                    )
                elif claim in seen:
                    error = REPEATS % {"where": seen[claim]}
                    row = CardResultRow(row.key, row.card, row.values, str(error), None)
                else:
                    seen[claim] = str(row.card.get("where", ""))
            out.append(row)
        return out


def _result(values: Mapping[str, Any], benchmark: Benchmark) -> Result:
    result = Result(benchmark=benchmark)
    for name, value in values.items():
        if name != "benchmark":
            setattr(result, name, "" if value is None and name in _TEXT_FIELDS else value)
    return result


_TEXT_FIELDS = ("benchmark_version", "source_url", "source_title", "source_locator", "note")


def _checked(values: Mapping[str, Any], benchmark: Benchmark) -> tuple[str | None, str] | None:
    """The first field at fault and its message, by the rules of a result, without a query
    (the variant is checked when the result is built at approval)."""
    result = _result(values, benchmark)
    try:
        result.clean_fields(
            exclude=["variant", "benchmark", "created_by", "comparable_key", "catalog_digest"]
        )
        result.clean()
    except ValidationError as exc:
        name, errors = next(iter(exc.error_dict.items()))
        message = " ".join(m for e in errors for m in e.messages)
        return (None if name == "__all__" else name), message
    return None


def _claim(values: Mapping[str, Any], benchmark: Benchmark) -> tuple:
    """What makes a result the same claim (the unique constraint of ``Result``)."""
    result = _result(values, benchmark)
    result.clean_fields(
        exclude=["variant", "benchmark", "created_by", "comparable_key", "catalog_digest"]
    )
    return (
        result.compute_comparable_key(),
        result.sampling,
        result.checkpoint,
        result.source_url,
        result.source_title,
        result.date,
    )


def _benchmarks(candidate: ReleaseCandidate) -> dict[str, Benchmark]:
    slugs = {card_benchmark(row)[0] for row in candidate.proposed_results if isinstance(row, dict)}
    return {b.slug: b for b in Benchmark.objects.filter(slug__in=[s for s in slugs if s])}


def _recorded(variant_id: int | None, benchmarks: Mapping[str, Benchmark]) -> set[tuple]:
    if variant_id is None or not benchmarks:
        return set()
    return set(
        Result.objects.filter(
            variant_id=variant_id, benchmark__in=list(benchmarks.values())
        ).values_list(
            "comparable_key", "sampling", "checkpoint", "source_url", "source_title", "date"
        )
    )


def card_result_rows(
    *, candidate: ReleaseCandidate, variant: ModelVariant | None = None
) -> list[CardResultRow]:
    """Each proposed result of ``candidate`` with the values it would record for ``variant``
    (default: the candidate's matching variant) or why it cannot be accepted. Two queries
    (the benchmarks named, the variant's results already recorded), whatever the number of
    rows; reads ``candidate.publisher`` and its organisation (select them with it)."""
    benchmarks = _benchmarks(candidate)
    variant_id = variant.pk if variant is not None else candidate.variant_id
    mapper = _Mapper(candidate, benchmarks)
    return mapper.rows_with_repeats(_recorded(variant_id, benchmarks))


def card_results_build(
    *,
    candidate: ReleaseCandidate,
    variant: ModelVariant,
    accepted: Iterable[str],
    user=None,
) -> list[Result]:
    """The validated, unsaved results of the ``accepted`` rows (keys) of ``candidate`` for
    ``variant`` (saved), built by ``result_build``. Raises :class:`CardResultError` naming
    every accepted row that is not proposed or cannot be recorded."""
    accepted = list(dict.fromkeys(accepted))
    rows = {row.key: row for row in card_result_rows(candidate=candidate, variant=variant)}
    unknown = [key for key in accepted if key not in rows]
    if unknown:
        raise CardResultError([str(UNKNOWN_RESULTS % {"results": ", ".join(unknown)})])
    key = variant_key(variant)
    benchmarks = {
        b.slug: b
        for b in Benchmark.objects.filter(
            slug__in=[rows[k].values.get("benchmark") for k in accepted]
        )
    }
    errors: list[str] = []
    built: list[Result] = []
    for row_key in accepted:
        row = rows[row_key]
        where = row.card.get("where", row_key)
        if not row.acceptable:
            errors.append(str(NOT_ACCEPTABLE % {"where": where, "error": row.error}))
            continue
        try:
            result = result_build(
                values={**row.values, "variant": key},
                variants={key: variant},
                benchmarks=benchmarks,
                user=user,
            )
        except ResultInputError as exc:
            errors.append(str(NOT_ACCEPTABLE % {"where": where, "error": exc.message}))
            continue
        built.append(result)
    if errors:
        raise CardResultError(errors)
    return built
