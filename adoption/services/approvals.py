"""The write paths of use cases and approvals. Editors keep use cases and propose approvals;
approvers (permission ``adoption.decide_approval``) decide them. Each decision freezes the
licence checker's answers for the use case, and each change is an event (feeds, webhooks)
and a history row (database triggers)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.choices import ALLOWING, DECISIONS, OPEN, ApprovalStatus, EventKind
from adoption.models import Approval, UseCase
from adoption.services.events import event_record
from catalog.models import ModelVariant, ModelVersion
from core.choices import PublicationStatus
from licenses.checker import Answer, Finding, Question, Reason, Verdict, check
from licenses.models import License
from licenses.terms import license_terms

DRAFT_SUBJECT = _("%(name)s is not published: publish it before it is approved for a use.")
NOT_AN_APPROVER = _("Only an approver (legal or compliance) decides an approval.")
NOT_A_DECISION = _(
    "“%(status)s” is not a decision: choose approved, approved with conditions, "
    "rejected or revoked."
)
DECISION_NEEDS_APPROVER = _("Setting the status to “%(status)s” is an approver's decision.")
CONDITIONS_NEEDED = _("Approved with conditions: write the conditions.")
REVOKE_ONLY_ALLOWED = _("Only an approved model can be revoked.")
NO_LICENSE = _("%(name)s has no licence recorded: the licence questions cannot be answered.")
RESULT_OF_OTHER_MODEL = _("Result %(id)s is not of the approved model.")

EDITABLE_FIELDS = ("conditions", "risk_notes")


class ApprovalInputError(ValidationError):
    """Bad input to an approval or a use case; ``message_dict`` maps fields to messages."""


def _errors(errors: dict[str, object]) -> ApprovalInputError:
    return ApprovalInputError({key: [str(value)] for key, value in errors.items()})


# -- use cases -----------------------------------------------------------------------------------

# The licence questions a use case answers (``UseCase.intended_use``), and every field an
# editor writes.
USE_CASE_QUESTION_FIELDS = (
    "commercial_product",
    "monthly_users",
    "hosted_service",
    "publish_finetune",
    "train_other_models",
    "territory",
)
USE_CASE_FIELDS = (
    "slug",
    "name",
    "description",
    "owner",
    "owner_contact",
    *USE_CASE_QUESTION_FIELDS,
)


def use_case_upsert(*, use_case: UseCase | None = None, **fields) -> UseCase:
    """Create a use case, or change ``use_case``; ``fields`` are model fields by name.

    Raises :class:`ValidationError` naming each bad field; nothing is written then.
    """
    unknown = set(fields) - set(USE_CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown use case fields: {sorted(unknown)}")
    use_case = use_case or UseCase()
    for name, value in fields.items():
        setattr(use_case, name, value)
    use_case.full_clean()
    use_case.save()
    return use_case


# -- approvals -------------------------------------------------------------------------------------


def subject_of(approval: Approval) -> ModelVariant | ModelVersion:
    subject = approval.variant if approval.variant_id else approval.version
    assert subject is not None  # the one_subject constraint
    return subject


def effective_license(subject: ModelVariant | ModelVersion) -> License | None:
    if isinstance(subject, ModelVariant):
        return subject.license or subject.version.license
    return subject.license


def _check_published(
    *, variant: ModelVariant | None, version: ModelVersion | None
) -> dict[str, object]:
    errors: dict[str, object] = {}
    if variant is not None and (
        variant.status != PublicationStatus.PUBLISHED
        or variant.version.status != PublicationStatus.PUBLISHED
    ):
        errors["variant"] = DRAFT_SUBJECT % {"name": variant.name}
    if version is not None and version.status != PublicationStatus.PUBLISHED:
        errors["version"] = DRAFT_SUBJECT % {"name": version.name}
    return errors


def _check_results(approval: Approval, results: Iterable) -> list:
    results = list(results)
    for result in results:
        variant = result.variant
        if approval.variant_id and result.variant_id != approval.variant_id:
            raise _errors({"results": RESULT_OF_OTHER_MODEL % {"id": result.pk}})
        if approval.version_id and variant.version_id != approval.version_id:
            raise _errors({"results": RESULT_OF_OTHER_MODEL % {"id": result.pk}})
    return results


def approval_propose(
    *,
    use_case: UseCase,
    variant: ModelVariant | None = None,
    version: ModelVersion | None = None,
    conditions: str = "",
    risk_notes: str = "",
    results: Iterable = (),
    user=None,
) -> Approval:
    """Propose ``variant`` (or every variant of ``version``) for ``use_case``.

    Raises :class:`ValidationError` naming the field: a draft subject, both or neither
    subject, an approval that already exists for the pair.
    """
    errors = _check_published(variant=variant, version=version)
    if errors:
        raise _errors(errors)
    approval = Approval(
        use_case=use_case,
        variant=variant,
        version=version,
        conditions=conditions,
        risk_notes=risk_notes,
        status=ApprovalStatus.PROPOSED,
        proposed_by=user if user is not None and user.is_authenticated else None,
    )
    with transaction.atomic():
        approval.full_clean()
        approval.save()
        if results:
            approval.results.set(_check_results(approval, results))
        _approval_event(approval, previous=None)
    return approval


def approval_update(
    *,
    approval: Approval,
    user,
    status: str | None = None,
    results: Iterable | None = None,
    **fields,
) -> Approval:
    """Change an approval's notes, evaluations or its open status (proposed, under review).

    A decision (approved, rejected, revoked…) goes through :func:`approval_decide`; asking for
    one here raises :class:`ValidationError` on ``status``.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown approval fields: {sorted(unknown)}")
    previous = approval.status
    if status is not None and status != previous:
        if status in DECISIONS:
            raise _errors({"status": DECISION_NEEDS_APPROVER % {"status": _label(status)}})
        if status not in OPEN:
            raise _errors({"status": NOT_A_DECISION % {"status": status}})
        approval.status = status
    for name, value in fields.items():
        setattr(approval, name, value)
    with transaction.atomic():
        approval.full_clean()
        approval.save()
        if results is not None:
            approval.results.set(_check_results(approval, results))
        if approval.status != previous:
            _approval_event(approval, previous=previous)
    return approval


def can_decide(user) -> bool:
    return bool(user is not None and user.has_perm("adoption.decide_approval"))


def approval_decide(
    *,
    approval: Approval,
    status: str,
    user,
    conditions: str | None = None,
    risk_notes: str | None = None,
    decided_on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
) -> Approval:
    """An approver's decision: approved, approved with conditions, rejected or revoked.

    Freezes the licence checker's answers for the use case on the subject's effective licence,
    records the reviewer and the dates, and records an event.

    Raises :class:`PermissionDenied` when ``user`` is not an approver, and
    :class:`ValidationError` naming the field for a bad decision (no conditions, an expiry
    before the decision, a draft subject, revoking what was never approved); nothing is
    written then.
    """
    if not can_decide(user):
        raise PermissionDenied(NOT_AN_APPROVER)
    previous = approval.status
    errors: dict[str, object] = {}
    if status not in DECISIONS:
        errors["status"] = NOT_A_DECISION % {"status": status}
    elif status == ApprovalStatus.REVOKED and previous not in ALLOWING:
        errors["status"] = REVOKE_ONLY_ALLOWED
    if conditions is not None:
        approval.conditions = conditions
    if risk_notes is not None:
        approval.risk_notes = risk_notes
    if status == ApprovalStatus.APPROVED_WITH_CONDITIONS and not approval.conditions.strip():
        errors["conditions"] = CONDITIONS_NEEDED
    subject = subject_of(approval)
    if status in ALLOWING:
        errors.update(
            _check_published(
                variant=approval.variant if approval.variant_id else None,
                version=approval.version if approval.version_id else None,
            )
        )
    if errors:
        raise _errors(errors)
    approval.status = status
    approval.reviewer = user
    approval.decided_on = decided_on or timezone.localdate()
    approval.expires_on = expires_on
    license = effective_license(subject)
    approval.license_slug = license.slug if license is not None else ""
    approval.license_answers = (
        answers_frozen(license, approval.use_case) if license is not None else []
    )
    with transaction.atomic():
        approval.full_clean()
        approval.save()
        _approval_event(approval, previous=previous)
    return approval


def answers_frozen(license: License, use_case: UseCase) -> list[dict]:
    """The checker's answers for a use case as stored with a decision: codes, not words, so
    they read in either language later (:func:`answers_thawed`)."""
    return [
        {
            "question": str(answer.question),
            "verdict": str(answer.verdict),
            "findings": [
                {"reason": str(f.reason), "clause_key": f.clause_key} for f in answer.findings
            ],
        }
        for answer in check(license_terms(license), use_case.intended_use())
    ]


def answers_thawed(stored: list[dict]) -> list[Answer]:
    """Stored answers back as the checker's (unknown codes are skipped, not raised)."""
    answers = []
    for item in stored or []:
        try:
            answers.append(
                Answer(
                    question=Question(item["question"]),
                    verdict=Verdict(item["verdict"]),
                    findings=tuple(
                        Finding(reason=Reason(f["reason"]), clause_key=f["clause_key"])
                        for f in item.get("findings", [])
                    ),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return answers


def _label(status: str) -> str:
    try:
        return str(ApprovalStatus(status).label)
    except ValueError:
        return status


def _approval_event(approval: Approval, *, previous: str | None) -> None:
    subject = subject_of(approval)
    version = subject if isinstance(subject, ModelVersion) else subject.version
    title = f"{subject.name} · {approval.use_case.name}: {_label(approval.status)}"
    event_record(
        kind=EventKind.APPROVAL_CHANGED,
        title=title,
        summary=approval.conditions,
        path=subject.get_absolute_url(),
        payload={
            "status": approval.status,
            "previous_status": previous,
            "expires_on": approval.expires_on.isoformat() if approval.expires_on else None,
        },
        family=version.family,
        version=version,
        variant=approval.variant if approval.variant_id else None,
        use_case=approval.use_case,
        approval=approval,
    )
