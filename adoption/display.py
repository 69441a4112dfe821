"""The adoption layer's records in words, for every interface that shows them (pages, admin,
API, MCP): the licence checker's answers frozen with an approval's decision."""

from __future__ import annotations

from dataclasses import dataclass

from adoption.models import Approval
from adoption.services.approvals import answers_thawed
from licenses.models import License
from licenses.terms import ShownAnswer, shown_answer


@dataclass(frozen=True)
class FrozenReason:
    """One reason of a frozen answer: its code, its sentence and the licence term behind it."""

    reason: str
    message: str
    term: str


@dataclass(frozen=True)
class FrozenAnswer:
    """A licence answer frozen with a decision: the question and verdict as codes and in words,
    and its reasons."""

    question: str
    question_text: str
    verdict: str
    verdict_text: str
    reasons: tuple[FrozenReason, ...]


def frozen_answers_shown(approval: Approval, license: License | None) -> list[ShownAnswer]:
    """The answers frozen with ``approval``'s decision in words, each reason with the clauses
    of ``license`` (the licence they were frozen on) behind it; none before a decision or
    without that licence."""
    if license is None or not approval.license_answers:
        return []
    use = approval.use_case.intended_use()
    return [shown_answer(a, license, use) for a in answers_thawed(approval.license_answers)]


def frozen_answers_in_words(approval: Approval, license: License | None) -> list[FrozenAnswer]:
    """The answers frozen with ``approval``'s decision, in words (the current language) under
    ``license``, the licence they were frozen on; codes in place of words when that licence is
    gone (``None``)."""
    answers = answers_thawed(approval.license_answers)
    if license is None:
        return [
            FrozenAnswer(
                question=str(answer.question),
                question_text=str(answer.question),
                verdict=str(answer.verdict),
                verdict_text=str(answer.verdict),
                reasons=tuple(
                    FrozenReason(reason=str(f.reason), message=str(f.reason), term=f.clause_key)
                    for f in answer.findings
                ),
            )
            for answer in answers
        ]
    rows = []
    for answer, shown in zip(answers, frozen_answers_shown(approval, license), strict=True):
        rows.append(
            FrozenAnswer(
                question=str(shown.question),
                question_text=str(shown.text),
                verdict=str(shown.verdict),
                verdict_text=str(shown.verdict_text),
                reasons=tuple(
                    FrozenReason(
                        reason=str(found.reason),
                        message=str(shown_finding.message),
                        term=shown_finding.clause_key,
                    )
                    for found, shown_finding in zip(answer.findings, shown.findings, strict=True)
                ),
            )
        )
    return rows
