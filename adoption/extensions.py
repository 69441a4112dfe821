"""What the adoption layer adds to the catalog's variant page, registered in
``AdoptionConfig.ready()`` through core.extensions: the company's approvals covering the
variant, its deployments, its mirrored artifacts and a serving recipe.

Internal data: the provider adds nothing unless :func:`adoption.selectors.can_see_adoption`
holds for the visitor, so an anonymous reader's page (the one the response cache may store,
``core/response_cache.py``: pages are cached for anonymous visitors only) never carries any of
it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from adoption import recipes
from adoption.choices import ApprovalStatus, DeploymentStatus, Engine, Verification
from adoption.models import Approval, Deployment
from adoption.selectors import can_see_adoption, variant_adoption
from adoption.services.recipes import RecipeInputError, recipe_build
from catalog.precision_labels import precision_label
from core.extensions import add_page_context
from estimator import PRECISIONS
from hardware import selectors as hardware_selectors
from hardware.models import Workload

# The recipe form's GET parameters on the variant page (prefixed: the page has others).
RECIPE_PARAMETERS = {
    "engine": "recipe_engine",
    "profile": "recipe_profile",
    "precision": "recipe_precision",
    "context_tokens": "recipe_context",
}
# Used when neither a deployment nor a recommendation says otherwise: the estimator's key for
# the published 16-bit weights (estimator/precision.py) and vLLM, the most common engine here.
DEFAULT_PRECISION = "bf16"
DEFAULT_ENGINE = recipes.VLLM
DEFAULT_CONTEXT_TOKENS = 8192

# Error messages users see (constants: the tests assert on them).
UNKNOWN_PROFILE = gettext_lazy("Unknown hardware profile “%(value)s”: choose one from the list.")
NOT_A_CONTEXT = gettext_lazy("Enter the context as a whole number of tokens.")
NO_PROFILE = gettext_lazy(
    "Choose a hardware profile: no deployment or recommendation names one for this model."
)

# Status -> badge class (static/css/app.css: .badge.ok, .badge.warn, .badge.bad).
STATUS_BADGES = {
    ApprovalStatus.APPROVED: "ok",
    ApprovalStatus.APPROVED_WITH_CONDITIONS: "warn",
    ApprovalStatus.REJECTED: "bad",
    ApprovalStatus.REVOKED: "bad",
}
HEALTH_BADGES = {"up": "ok", "down": "bad"}
VERIFICATION_BADGES = {Verification.VERIFIED: "ok", Verification.MISMATCH: "bad"}


def admin_url(name: str, *args: Any) -> str:
    """An admin page's address, or "" where the admin does not register the model."""
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@dataclass
class ApprovalRow:
    """One approval as the pages show it: its badge and, for staff, where to change it."""

    approval: Approval
    badge: str
    review_due: bool
    covers_version: bool
    change_url: str


def approval_rows(approvals) -> list[ApprovalRow]:
    """Rows of approvals from :func:`adoption.selectors.approval_list` (their ``review_due``
    annotation read, no query)."""
    return [
        ApprovalRow(
            approval=approval,
            badge=status_badge(approval.status),
            review_due=bool(getattr(approval, "review_due", False)),
            covers_version=approval.version_id is not None,
            change_url=admin_url("adoption_approval_change", approval.pk),
        )
        for approval in approvals
    ]


@dataclass
class RecipeForm:
    """The recipe form bound to the request: choices, the values shown, and the answer."""

    engines: list[tuple[str, str]]
    profiles: list[tuple[str, str]]
    precisions: list[tuple[str, str]]
    engine: str
    profile: str
    precision: str
    context_tokens: str
    asked: bool
    recipe: dict | None = None
    errors: list[str] = field(default_factory=list)
    parameters: dict[str, str] = field(default_factory=lambda: dict(RECIPE_PARAMETERS))


def _defaults(variant, deployments: list[Deployment]) -> dict[str, Any]:
    """The recipe asked for when the form is not: the first active deployment with a profile
    (its engine, profile, precision and context), else the smallest profile the stored
    inference recommendations found (one query, only then)."""
    for deployment in deployments:
        if deployment.status != DeploymentStatus.ACTIVE or deployment.profile is None:
            continue
        return {
            "engine": deployment.engine if deployment.engine in recipes.ENGINES else None,
            "profile": deployment.profile.slug,
            "precision": deployment.precision if deployment.precision in PRECISIONS else None,
            "context_tokens": deployment.max_context_tokens,
        }
    for recommendation in hardware_selectors.variant_recommendations(variant).filter(
        workload=Workload.INFERENCE, smallest_profile__isnull=False
    )[:1]:
        return {
            "engine": None,
            "profile": recommendation.smallest_profile.slug,
            "precision": recommendation.precision,
            "context_tokens": recommendation.context_tokens,
        }
    return {}


def recipe_form(request, variant, deployments: list[Deployment]) -> RecipeForm:
    """The recipe of the GET parameters (``RECIPE_PARAMETERS``), else of the defaults; bad
    input and a model that does not fit are messages on the form, never an error page.

    Queries: the visible profiles (1), the defaults' recommendation (1, only without an active
    deployment and without asked parameters), and what :func:`recipe_build` reads (a GGUF copy
    for llama.cpp and Ollama).
    """
    profiles = list(hardware_selectors.profile_list(user=request.user).order_by("name", "pk"))
    by_slug = {profile.slug: profile for profile in profiles}
    asked = any(name in request.GET for name in RECIPE_PARAMETERS.values())
    given = {key: request.GET.get(name, "").strip() for key, name in RECIPE_PARAMETERS.items()}
    defaults = {} if asked else _defaults(variant, deployments)
    engine = given["engine"] or defaults.get("engine") or DEFAULT_ENGINE
    precision = given["precision"] or defaults.get("precision") or DEFAULT_PRECISION
    profile_slug = given["profile"] or defaults.get("profile") or ""
    context = given["context_tokens"] or str(
        defaults.get("context_tokens") or DEFAULT_CONTEXT_TOKENS
    )
    labels = dict(Engine.choices)
    form = RecipeForm(
        engines=[(key, str(labels.get(key, key))) for key in recipes.ENGINES],
        profiles=[(p.slug, p.localized("name")) for p in profiles],
        precisions=[(key, str(precision_label(key))) for key in PRECISIONS],
        engine=engine,
        profile=profile_slug,
        precision=precision,
        context_tokens=context,
        asked=asked,
    )
    profile = by_slug.get(profile_slug)
    if not profile_slug:
        if asked:
            form.errors.append(str(NO_PROFILE))
        return form
    if profile is None:
        form.errors.append(str(UNKNOWN_PROFILE % {"value": profile_slug}))
    try:
        context_tokens = int(context.replace(",", "").replace("_", ""))
    except ValueError:
        form.errors.append(str(NOT_A_CONTEXT))
        context_tokens = None
    if form.errors or profile is None or context_tokens is None:
        return form
    try:
        form.recipe = recipe_build(
            variant=variant,
            profile=profile,
            precision=precision,
            context_tokens=context_tokens,
            engine=engine,
        )
    except RecipeInputError as exc:
        form.errors.extend(_messages(exc))
    return form


def _messages(exc: RecipeInputError) -> list[str]:
    messages = []
    for value in exc.errors.values():
        if isinstance(value, list | tuple):
            messages.extend(str(item) for item in value)
        else:
            messages.append(str(value))
    return messages


def variant_adoption_section(request, *, variant) -> dict:
    """The variant page's staff section: our approvals covering the variant (its own and its
    version's), deployments, artifacts with their files, and a serving recipe. Nothing at all
    for a visitor who may not read the adoption layer.

    Queries for staff: three for the records and two prefetches (approval results, artifact
    files), plus :func:`recipe_form`'s.
    """
    if not can_see_adoption(request.user):
        return {}
    adoption = variant_adoption(variant)
    propose_url = admin_url("adoption_approval_add")
    if propose_url:
        propose_url += f"?variant={variant.pk}"
    return {
        "adoption_section": True,
        "adoption_approvals": approval_rows(adoption.approvals),
        "adoption_deployments": adoption.deployments,
        "adoption_artifacts": adoption.artifacts,
        "adoption_recipe": recipe_form(request, variant, adoption.deployments),
        "adoption_propose_url": propose_url,
        "adoption_health_badges": HEALTH_BADGES,
        "adoption_verification_badges": VERIFICATION_BADGES,
    }


def register() -> None:
    """Called once the apps are loaded (``AdoptionConfig.ready()``); registering again adds
    nothing."""
    add_page_context("variant_detail", variant_adoption_section)
