"""Every read of the adoption layer. Internal data: each selector is for signed-in staff with
the adoption view permissions (:func:`can_see_adoption`); views and the API check it first."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from adoption.choices import ALLOWING, DeploymentStatus, Health
from adoption.models import Approval, Artifact, ArtifactFile, Deployment, Subscription, UseCase
from catalog.models import ModelFamily, ModelVariant
from catalog.selectors.visibility import VARIANT_PARENTS, visible
from licenses.checker import Answer, check
from licenses.models import License
from licenses.selectors import license_detail
from licenses.terms import license_terms

VIEW_PERMISSION = "adoption.view_approval"


def can_see_adoption(user) -> bool:
    """Signed-in staff of a role that reads the adoption layer (viewer, editor, approver)."""
    return bool(user is not None and user.is_authenticated and user.has_perm(VIEW_PERMISSION))


def review_due_expression() -> Case:
    """True for an allowing approval whose expiry date has come (re-review due)."""
    return Case(
        When(
            status__in=list(ALLOWING),
            expires_on__lte=timezone.localdate(),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def use_case_list() -> QuerySet[UseCase]:
    return UseCase.objects.all()


def approval_list() -> QuerySet[Approval]:
    """Approvals with their use case, subject, people and the re-review flag."""
    return (
        Approval.objects.select_related(
            "use_case",
            "variant__version__family",
            "version__family",
            "reviewer",
            "proposed_by",
        )
        .prefetch_related(Prefetch("results", queryset=_results()))
        .annotate(review_due=review_due_expression())
    )


def _results():
    from evaluations.models import Result

    return Result.objects.select_related("benchmark").order_by("benchmark__name", "pk")


def approvals_for_variant(variant: ModelVariant) -> QuerySet[Approval]:
    """The approvals that cover ``variant``: its own and its version's."""
    return approval_list().filter(Q(variant=variant) | Q(version_id=variant.version_id))


def attach_licenses(approvals, user) -> None:
    """Give each approval the licence its answers were frozen on (``license_at_decision``),
    with its quoted clauses: two queries for any number of approvals, none without one."""
    slugs = {approval.license_slug for approval in approvals if approval.license_slug}
    found = {}
    if slugs:
        found = {lic.slug: lic for lic in license_detail(user=user).filter(slug__in=slugs)}
    for approval in approvals:
        approval.license_at_decision = found.get(approval.license_slug)


def license_at_decision(approval: Approval) -> License | None:
    """The licence ``approval``'s answers were frozen on (any publication status: the admin's
    record of the decision), or None before a decision or when that licence is gone."""
    if not approval.license_answers or not approval.license_slug:
        return None
    return License.objects.filter(slug=approval.license_slug).first()


def families_with_approvals() -> QuerySet[ModelFamily]:
    """The families some approval covers, for the list's family filter (one query)."""
    return (
        ModelFamily.objects.filter(
            Q(versions__approvals__isnull=False) | Q(versions__variants__approvals__isnull=False)
        )
        .distinct()
        .order_by("name", "pk")
        .only("slug", "name", "name_zh")
    )


def followable_families(user) -> QuerySet[ModelFamily]:
    """The families ``user`` may follow: those they may see, by name (one query)."""
    return (
        visible(ModelFamily.objects.all(), user)
        .order_by("name", "pk")
        .only("slug", "name", "name_zh")
    )


def subscriptions_of(user) -> QuerySet[Subscription]:
    """``user``'s own subscriptions with what each follows, oldest first (one query)."""
    return (
        Subscription.objects.filter(user=user)
        .select_related("family", "use_case", "deployment")
        .order_by("pk")
    )


def deployment_list() -> QuerySet[Deployment]:
    return Deployment.objects.select_related("variant__version__family", "profile")


def deployments_down() -> QuerySet[Deployment]:
    return deployment_list().filter(status=DeploymentStatus.ACTIVE, health=Health.DOWN)


def artifact_list() -> QuerySet[Artifact]:
    files = ArtifactFile.objects.order_by("path", "pk")
    return Artifact.objects.select_related(
        "variant__version__family", "verified_by"
    ).prefetch_related(Prefetch("files", queryset=files))


@dataclass
class VariantAdoption:
    """What the company knows of one variant (the variant page's staff section)."""

    approvals: list[Approval] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.approvals or self.deployments or self.artifacts)


def variant_adoption(variant: ModelVariant) -> VariantAdoption:
    """Approvals, deployments and artifacts of ``variant``, in three queries plus prefetches."""
    return VariantAdoption(
        approvals=list(approvals_for_variant(variant)),
        deployments=list(deployment_list().filter(variant=variant)),
        artifacts=list(artifact_list().filter(variant=variant)),
    )


def variant_for_answer(key: str, user) -> ModelVariant | None:
    """The variant of ``key`` (``family/version/variant``) that ``user`` may see, with both
    licences and their quoted clauses (three queries); None for a key that names none."""
    parts = key.strip().strip("/").split("/")
    if len(parts) != 3:
        return None
    family, version, slug = parts
    return (
        visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
        .filter(version__family__slug=family, version__slug=version, slug=slug)
        .select_related("version__family", "license", "version__license")
        .prefetch_related("license__citations__source", "version__license__citations__source")
        .first()
    )


@dataclass(frozen=True)
class UseDecision:
    """The answer to "may we use this variant for this use case?": our decision first (the
    variant's own approval, else its version's), then the licence's answers today."""

    variant: ModelVariant
    use_case: UseCase
    approval: Approval | None
    license: License | None
    license_answers: tuple[Answer, ...]

    @property
    def allowed_by_us(self) -> bool | None:
        """True approved, False rejected or revoked, None not decided."""
        if self.approval is None or self.approval.decided_on is None:
            return None
        return self.approval.status in ALLOWING


def may_we_use(variant: ModelVariant, use_case: UseCase) -> UseDecision:
    approvals = sorted(
        approvals_for_variant(variant).filter(use_case=use_case),
        key=lambda a: 0 if a.variant_id else 1,  # the variant's own decision wins
    )
    license = variant.license or variant.version.license
    answers = check(license_terms(license), use_case.intended_use()) if license else ()
    return UseDecision(
        variant=variant,
        use_case=use_case,
        approval=approvals[0] if approvals else None,
        license=license,
        license_answers=tuple(answers),
    )
