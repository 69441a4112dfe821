"""Evaluation results a Hub model card states in its metadata: ``cardData["model-index"]``.

The Hub's model-index (https://huggingface.co/docs/hub/model-cards#evaluation-results) is a
list of models, each with ``results``; a result names its ``task`` {type, name}, its
``dataset`` {name, type, config, split, revision, args}, its ``metrics``
[{type, value, name, args, verified}] and optionally its ``source`` {name, url}. Each metric
becomes one :class:`CardResult`: what the card says, verbatim, with the number of shots read
from ``num_few_shot`` in the dataset's or the metric's args. Mapping a row onto a benchmark of
the registry, and deciding whether it can be recorded, is the review's work, not the parser's.

A malformed entry does not fail the release: its row carries the parser's ``problem`` (the
field and the message) and the other rows stand. A model-index that is not a list, or holds
more than :data:`MAX_CARD_RESULTS` rows, is explained by a note instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from catalog.ingest.parse.checks import (
    _bool,
    _list,
    _object,
    _optional_object,
    _shown,
    _text,
    _whole,
    canonical_json,
)
from catalog.ingest.parse.common import MISSING, NOT_A_NUMBER, Note, ParseError

# Where the Hub payload holds the card's metadata; a payload without cardData's copy may carry
# the Hub's own top-level "model-index".
MODEL_INDEX_FIELD = "cardData.model-index"
# Bounds, far above real cards (the Open LLM Leaderboard's bot writes 6 to 7 results of one
# metric each; the longest cards seen list a few dozen).
MAX_MODEL_INDEX_ENTRIES = 100
MAX_RESULTS_PER_ENTRY = 500
MAX_METRICS_PER_RESULT = 100
MAX_CARD_RESULTS = 500
MAX_CARD_TEXT_CHARS = 300  # dataset, task and metric names and types
MAX_SOURCE_URL_CHARS = 500  # Result.source_url
MAX_VALUE_CHARS = 40
MAX_SHOTS = 1000  # more shots than any published evaluation uses
# The args that say how many examples the prompt held: "num_few_shot" in the Hub's
# specification and the Open LLM Leaderboard's cards, "num_fewshot" in lm-evaluation-harness.
SHOT_ARGS = ("num_few_shot", "num_fewshot")

# Error messages (constants: the tests assert on them).
CONFLICTING_SHOTS = "gives {value} shots; the dataset's args give {other}"
NOT_A_SHOT_COUNT = "must be a whole number of shots; got {value}"

_DECIMAL = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3})?$")
_DIGITS = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class CardResult:
    """One metric of one result of a card's model-index, as the card states it ("" where the
    card says nothing). ``key`` identifies the row by its content (not its position): a row
    an editor decided is not proposed again until the card changes it."""

    key: str
    where: str  # "cardData.model-index[0].results[2].metrics[0]"
    model_name: str = ""
    task_type: str = ""
    task_name: str = ""
    dataset_type: str = ""
    dataset_name: str = ""
    dataset_config: str = ""
    dataset_split: str = ""
    dataset_revision: str = ""
    metric_type: str = ""
    metric_name: str = ""
    value: str = ""  # the number as the card writes it: "65.32", "0.6532"
    shots: int | None = None
    unknown_args: tuple[str, ...] = ()  # args naming no setting the registry records
    verified: bool = False  # evaluated by the Hub itself
    source_name: str = ""
    source_url: str = ""
    problem: str = ""  # "field: message" where the entry cannot be read


def _key(row: CardResult) -> str:
    content = {k: v for k, v in asdict(row).items() if k not in ("key", "where")}
    if row.problem:  # an unreadable entry is known by where it is
        content["where"] = row.where
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()[:20]


def _card_text(value: Any, where: str, limit: int = MAX_CARD_TEXT_CHARS) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # a config or split such as 2024 written without quotes
    return _text(value, where, limit=limit).strip()


def _value(value: Any, where: str) -> str:
    if value is None:
        raise ParseError(where, MISSING)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)  # the shortest digits that give the card's number back
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ParseError(where, NOT_A_NUMBER.format(value=_shown(value)))
    if len(text) > MAX_VALUE_CHARS or not _DECIMAL.match(text):
        raise ParseError(where, NOT_A_NUMBER.format(value=_shown(value)))
    return text


def _shots(value: Any, where: str) -> int:
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(where, NOT_A_SHOT_COUNT.format(value=_shown(value)))
    return _whole(value, where, limit=MAX_SHOTS, positive=False)


def _args(value: Any, where: str) -> tuple[int | None, tuple[str, ...]]:
    """The shots an args object names, and its keys that name nothing we record."""
    args = _optional_object(value, where)
    shots = None
    unknown = []
    for name, item in args.items():
        if name in SHOT_ARGS:
            found = _shots(item, f"{where}.{name}")
            if shots is not None and found != shots:
                raise ParseError(
                    f"{where}.{name}", CONFLICTING_SHOTS.format(value=found, other=shots)
                )
            shots = found
        else:
            unknown.append(str(name)[:60])
    return shots, tuple(sorted(unknown))


@dataclass(frozen=True)
class _Context:
    """What a result says around its metrics."""

    model_name: str
    task_type: str = ""
    task_name: str = ""
    dataset_type: str = ""
    dataset_name: str = ""
    dataset_config: str = ""
    dataset_split: str = ""
    dataset_revision: str = ""
    shots: int | None = None
    unknown_args: tuple[str, ...] = ()
    source_name: str = ""
    source_url: str = ""


def _context(result: Any, where: str, model_name: str) -> _Context:
    result = _object(result, where)
    task = _optional_object(result.get("task"), f"{where}.task")
    dataset = _object(result.get("dataset"), f"{where}.dataset")
    source = _optional_object(result.get("source"), f"{where}.source")
    shots, unknown = _args(dataset.get("args"), f"{where}.dataset.args")
    return _Context(
        model_name=model_name,
        task_type=_card_text(task.get("type"), f"{where}.task.type"),
        task_name=_card_text(task.get("name"), f"{where}.task.name"),
        dataset_type=_card_text(dataset.get("type"), f"{where}.dataset.type"),
        dataset_name=_card_text(dataset.get("name"), f"{where}.dataset.name"),
        dataset_config=_card_text(dataset.get("config"), f"{where}.dataset.config"),
        dataset_split=_card_text(dataset.get("split"), f"{where}.dataset.split"),
        dataset_revision=_card_text(dataset.get("revision"), f"{where}.dataset.revision"),
        shots=shots,
        unknown_args=unknown,
        source_name=_card_text(source.get("name"), f"{where}.source.name"),
        source_url=_card_text(source.get("url"), f"{where}.source.url", limit=MAX_SOURCE_URL_CHARS),
    )


def _metric(metric: Any, where: str, context: _Context) -> CardResult:
    metric = _object(metric, where)
    shots, unknown = _args(metric.get("args"), f"{where}.args")
    if shots is not None and context.shots is not None and shots != context.shots:
        raise ParseError(
            f"{where}.args", CONFLICTING_SHOTS.format(value=shots, other=context.shots)
        )
    row = CardResult(
        key="",
        where=where,
        model_name=context.model_name,
        task_type=context.task_type,
        task_name=context.task_name,
        dataset_type=context.dataset_type,
        dataset_name=context.dataset_name,
        dataset_config=context.dataset_config,
        dataset_split=context.dataset_split,
        dataset_revision=context.dataset_revision,
        metric_type=_card_text(metric.get("type"), f"{where}.type"),
        metric_name=_card_text(metric.get("name"), f"{where}.name"),
        value=_value(metric.get("value"), f"{where}.value"),
        shots=shots if shots is not None else context.shots,
        unknown_args=tuple(sorted({*context.unknown_args, *unknown})),
        verified=_bool(metric.get("verified"), f"{where}.verified"),
        source_name=context.source_name,
        source_url=context.source_url,
    )
    return row


def _unreadable(where: str, error: ParseError, context: _Context | None = None) -> CardResult:
    context = context or _Context(model_name="")
    return CardResult(
        key="",
        where=where,
        model_name=context.model_name,
        dataset_type=context.dataset_type,
        dataset_name=context.dataset_name,
        source_name=context.source_name,
        source_url=context.source_url,
        problem=f"{error.field}: {error.message}",
    )


def _rows(model_index: list[Any], where: str) -> list[CardResult]:
    rows: list[CardResult] = []
    for i, entry in enumerate(model_index):
        entry_where = f"{where}[{i}]"
        try:
            entry = _object(entry, entry_where)
            model_name = _card_text(entry.get("name"), f"{entry_where}.name")
            results = _list(
                entry.get("results"), f"{entry_where}.results", limit=MAX_RESULTS_PER_ENTRY
            )
        except ParseError as exc:
            rows.append(_unreadable(entry_where, exc))
            continue
        for j, result in enumerate(results):
            result_where = f"{entry_where}.results[{j}]"
            try:
                context = _context(result, result_where, model_name)
                metrics = _list(
                    result.get("metrics"), f"{result_where}.metrics", limit=MAX_METRICS_PER_RESULT
                )
            except ParseError as exc:
                rows.append(_unreadable(result_where, exc))
                continue
            for k, metric in enumerate(metrics):
                metric_where = f"{result_where}.metrics[{k}]"
                try:
                    rows.append(_metric(metric, metric_where, context))
                except ParseError as exc:
                    rows.append(_unreadable(metric_where, exc, context))
    return rows


def parse_card_results(
    model_index: Any, *, where: str = MODEL_INDEX_FIELD
) -> tuple[tuple[CardResult, ...], tuple[Note, ...]]:
    """The rows of a card's model-index (``None`` when the card has none) and the notes that
    explain what was left out: ``model_index_unreadable`` {field, message} where it is not a
    list of entries, ``model_index_truncated`` {limit} past :data:`MAX_CARD_RESULTS` rows.
    A row repeated word for word is kept once. Never raises."""
    if model_index is None:
        return (), ()
    try:
        entries = _list(model_index, where, limit=MAX_MODEL_INDEX_ENTRIES)
    except ParseError as exc:
        return (), (Note("model_index_unreadable", {"field": exc.field, "message": exc.message}),)
    rows = _rows(entries, where)
    notes: list[Note] = []
    if len(rows) > MAX_CARD_RESULTS:
        rows = rows[:MAX_CARD_RESULTS]
        notes.append(Note("model_index_truncated", {"limit": MAX_CARD_RESULTS}))
    kept: dict[str, CardResult] = {}
    for row in rows:
        key = _key(row)
        kept.setdefault(key, CardResult(**{**asdict(row), "key": key}))
    return tuple(kept.values()), tuple(notes)


def card_model_index(info: Mapping[str, Any], card: Mapping[str, Any]) -> tuple[Any, str]:
    """The model-index of a Hub payload and where it was read: the card's own metadata, else
    the copy the Hub returns at the top level of the model info."""
    if card.get("model-index") is not None:
        return card.get("model-index"), MODEL_INDEX_FIELD
    return info.get("model-index"), "model-index"
