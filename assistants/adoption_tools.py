"""The company's own layer over MCP: our approvals of models for our use cases, and serving
recipes. Internal: the acting user must be signed-in staff of an adoption role
(``adoption.selectors.can_see_adoption``); anyone else gets one error that does not say
whether anything exists."""

from typing import Annotated, Literal

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from adoption import selectors
from adoption.choices import ApprovalStatus
from adoption.display import frozen_answers_in_words
from adoption.filters import ApprovalFilterSet
from adoption.services.recipes import RecipeInputError, recipe_build
from assistants.common import acting_user, argument_error, find_variant, form_errors
from assistants.schemas import (
    FrozenAnswer,
    OurApproval,
    OurApprovals,
    OurDecision,
    ServingRecipe,
)
from catalog.keys import variant_key, version_key
from hardware.models import HardwareProfile

MAX_APPROVALS = 50
STAFF_ONLY = _(
    "The company's decisions are visible to signed-in staff only: use a token of a viewer, "
    "an editor or an approver."
)
NO_PROFILE = _("no hardware profile “%(slug)s”; list_hardware gives the profile slugs.")
APPROVALS_NOTE = _(
    "Our decisions come first: a model approved for a use case may be used for it under its "
    "conditions until its expiry date; review_due means it must be reviewed again. A "
    "variant's own approval takes precedence over its version's."
)
# The tool's argument names for the recipe service's fields.
RECIPE_ARGUMENTS = {"variant": "model", "context_tokens": "context"}
RECIPE_ENGINES = Literal["vllm", "sglang", "llama_cpp", "ollama"]


def _require_staff():
    user = acting_user()
    if not selectors.can_see_adoption(user):
        raise ToolError(str(STAFF_ONLY))
    return user


def _subject(approval) -> str:
    if approval.variant_id:
        return variant_key(approval.variant)
    return version_key(approval.version)


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def our_decision(approval) -> OurDecision:
    """An approval of ``adoption.selectors.approval_list`` (with ``review_due``)."""
    return OurDecision(
        use_case=approval.use_case.slug,
        use_case_name=approval.use_case.name,
        subject=_subject(approval),
        status=approval.status,
        conditions=approval.conditions,
        decided_on=_iso(approval.decided_on),
        expires_on=_iso(approval.expires_on),
        review_due=bool(approval.review_due),
    )


def decisions_for_variant(variant) -> list[OurDecision]:
    """The approvals covering ``variant`` (its own and its version's) for the acting user,
    empty when they may not see the adoption layer."""
    if not selectors.can_see_adoption(acting_user()):
        return []
    return [our_decision(a) for a in selectors.approvals_for_variant(variant)]


def _frozen(approval) -> list[FrozenAnswer]:
    """The answers of an approval given its licence by ``selectors.attach_licenses``."""
    answers = frozen_answers_in_words(approval, approval.license_at_decision)
    return [
        FrozenAnswer(
            question=answer.question,
            question_text=answer.question_text,
            verdict=answer.verdict,
            verdict_text=answer.verdict_text,
            reasons=[reason.message for reason in answer.reasons],
        )
        for answer in answers
    ]


def our_approvals(
    model: Annotated[
        str | None,
        Field(description="a model, family/version/variant: the approvals covering it"),
    ] = None,
    use_case: Annotated[
        str | None, Field(max_length=100, description="a use case's slug: its approvals")
    ] = None,
    status: Annotated[
        Literal[tuple(ApprovalStatus.values)] | None,
        Field(description="approvals with this status only"),
    ] = None,
) -> OurApprovals:
    """The company's own approvals of models for its use cases (signed-in staff only): each
    with its status, conditions, decision and expiry dates, whether re-review is due, the
    reviewer, and the licence checker's answers frozen when it was decided. Check these before
    recommending a model for one of our uses: they take precedence over the licence's answers
    (the REST API's GET /api/v1/approvals/)."""
    user = _require_staff()
    query = QueryDict(mutable=True)
    if use_case:
        query["use_case"] = use_case
    if status:
        query["status"] = status
    filterset = ApprovalFilterSet(query, queryset=selectors.approval_list())
    if not filterset.is_valid():
        raise form_errors(filterset.errors)
    queryset = filterset.qs
    if model:
        variant = find_variant(model, argument="model")
        queryset = queryset.filter(pk__in=selectors.approvals_for_variant(variant).values("pk"))
    count = queryset.count()
    approvals = list(queryset[:MAX_APPROVALS])
    selectors.attach_licenses(approvals, user)
    return OurApprovals(
        count=count,
        results=[
            OurApproval(
                **our_decision(approval).model_dump(),
                id=approval.pk,
                model_name=(approval.variant or approval.version).name,
                risk_notes=approval.risk_notes,
                reviewer=approval.reviewer.get_username() if approval.reviewer else None,
                license=approval.license_slug,
                license_answers=_frozen(approval),
                evaluations=[result.pk for result in approval.results.all()],
            )
            for approval in approvals
        ],
        note=str(APPROVALS_NOTE),
    )


def serving_recipe(
    model: Annotated[str, Field(description="the model to serve, family/version/variant")],
    profile: Annotated[
        str, Field(max_length=100, description="a hardware profile slug (list_hardware)")
    ],
    precision: Annotated[
        str, Field(max_length=40, description="a precision key: bf16, fp8, awq-int4, q4_k_m…")
    ],
    context: Annotated[int, Field(ge=1, description="the context to serve, in tokens")],
    engine: Annotated[RECIPE_ENGINES, Field(description="the serving engine")],
) -> ServingRecipe:
    """The command that serves a model on one of our hardware profiles with vLLM, SGLang,
    llama.cpp or Ollama (and Ollama's Modelfile), sized by the memory estimate, with notes on
    its choices (signed-in staff only). A combination the engine cannot serve, or that does not
    fit the profile, is an error naming the argument (the REST API's GET /api/v1/recipes/)."""
    _require_staff()
    variant = find_variant(model, argument="model")
    found = HardwareProfile.objects.select_related("accelerator").filter(slug=profile).first()
    if found is None:
        raise argument_error("profile", NO_PROFILE % {"slug": profile})
    try:
        recipe = recipe_build(
            variant=variant,
            profile=found,
            precision=precision,
            context_tokens=context,
            engine=engine,
        )
    except RecipeInputError as exc:
        raise ToolError(
            "; ".join(
                f"{RECIPE_ARGUMENTS.get(name, name)}: {message}"
                for name, message in exc.errors.items()
            )
        ) from None
    return ServingRecipe(**recipe)
