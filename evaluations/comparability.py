"""When two results may stand side by side, and the Pareto frontier of quality against memory.

Pure: the standard library only (a test parses the imports). Two results are comparable when
they measure the same benchmark, benchmark version and metric under the same setting: shots,
chain-of-thought, thinking mode, pass@k, samples per question, harness, harness version and
prompt template. Two fields of a setting do not decide it: the sampling description is free
text (publishers word the same temperature differently) and the checkpoint names what was
evaluated, not how. Both are shown next to every value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Stored with every result: a change of the rule below changes this and the keys are rebuilt
# (the migration that changes the rule rewrites ``comparable_key``).
COMPARABILITY_VERSION = 1


@dataclass(frozen=True)
class Setting:
    """How a result was obtained. ``None`` or "" where the source does not say."""

    shots: int | None = None
    chain_of_thought: bool | None = None
    thinking: bool | None = None
    pass_k: int | None = None
    samples: int | None = None
    harness: str = ""
    harness_version: str = ""
    prompt_template: str = ""


def _part(value: object) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value).strip().replace("|", "/")


def comparable_key(benchmark: str, benchmark_version: str, metric: str, setting: Setting) -> str:
    """A text equal for two results exactly when they are comparable. An unstated setting
    value ("?") matches only another unstated one: nothing is assumed."""
    parts = (
        benchmark,
        benchmark_version.strip().lower(),
        metric,
        setting.shots,
        setting.chain_of_thought,
        setting.thinking,
        setting.pass_k,
        setting.samples,
        setting.harness,
        setting.harness_version.strip().lower(),
        setting.prompt_template.strip().lower(),
    )
    return "|".join(_part(p) for p in parts)


@dataclass(frozen=True)
class Candidate:
    """A model on the chart: its memory need (bytes) and its score (higher is better)."""

    key: str
    memory_bytes: int
    score: float


def pareto_frontier(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates no other beats on both axes: none needs less or equal memory with a
    higher or equal score (one strictly better). Ordered by memory, smallest first; of equal
    candidates the first given is kept."""
    ordered = sorted(candidates, key=lambda c: (c.memory_bytes, -c.score))
    frontier: list[Candidate] = []
    best = float("-inf")
    for candidate in ordered:
        if candidate.score > best:
            frontier.append(candidate)
            best = candidate.score
    return frontier
