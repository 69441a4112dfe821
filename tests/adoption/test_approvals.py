"""Use cases and approvals through their services: editors propose, approvers decide, each
decision freezes the licence's answers, bad input names its field and writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pghistory.models import Events

from adoption.choices import ApprovalStatus, EventKind
from adoption.models import Approval, Delivery, Event
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.selectors import approval_list, may_we_use
from adoption.services import approvals as services
from adoption.services.approvals import answers_thawed
from licenses.checker import Question, Verdict
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def editor():
    return factories.make_editor()


@pytest.fixture
def approver():
    return factories.make_approver()


@pytest.fixture
def proposal(editor):
    license = factories.LicenseFactory(commercial_use="conditional", mau_threshold=700_000_000)
    variant = factories.VariantFactory(version__license=license)
    use_case = factories.UseCaseFactory(monthly_users=2_000_000, territory="DE")
    return services.approval_propose(use_case=use_case, variant=variant, user=editor)


def test_an_editor_proposes_and_the_change_is_an_event_and_history(proposal, editor):
    assert proposal.status == ApprovalStatus.PROPOSED
    assert proposal.proposed_by == editor
    event = Event.objects.get(approval=proposal)
    assert event.kind == EventKind.APPROVAL_CHANGED
    assert event.payload["status"] == "proposed"
    assert Events.objects.tracks(proposal).count() == 1


def test_an_approver_approves_with_conditions_and_the_licence_answers_are_frozen(
    proposal, approver
):
    decided = services.approval_decide(
        approval=proposal,
        status=ApprovalStatus.APPROVED_WITH_CONDITIONS,
        conditions="Internal users only; keep the acceptable use policy.",
        user=approver,
        decided_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=365),
    )
    decided.refresh_from_db()
    assert decided.reviewer == approver
    assert decided.license_slug == proposal.variant.version.license.slug
    answers = {a.question: a for a in answers_thawed(decided.license_answers)}
    assert answers[Question.COMMERCIAL_PRODUCT].verdict == Verdict.CONDITIONAL
    assert Question.TERRITORY in answers
    assert list(Event.objects.filter(approval=decided).values_list("payload__status", flat=True))
    assert Events.objects.tracks(decided).count() == 2


def test_an_editor_cannot_decide(proposal, editor):
    with pytest.raises(PermissionDenied):
        services.approval_decide(approval=proposal, status=ApprovalStatus.APPROVED, user=editor)
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.PROPOSED


def test_an_editor_asking_for_a_decision_in_an_update_gets_a_status_error(proposal, editor):
    with pytest.raises(ValidationError) as raised:
        services.approval_update(approval=proposal, user=editor, status=ApprovalStatus.APPROVED)
    assert list(raised.value.message_dict) == ["status"]
    services.approval_update(approval=proposal, user=editor, status=ApprovalStatus.UNDER_REVIEW)
    assert Approval.objects.get().status == ApprovalStatus.UNDER_REVIEW


def test_an_expiry_before_the_decision_names_the_field_and_writes_nothing(proposal, approver):
    events = Event.objects.count()
    with pytest.raises(ValidationError) as raised:
        services.approval_decide(
            approval=proposal,
            status=ApprovalStatus.APPROVED,
            user=approver,
            decided_on=TODAY,
            expires_on=TODAY - datetime.timedelta(days=1),
        )
    assert raised.value.message_dict == {"expires_on": [str(EXPIRY_BEFORE_DECISION)]}
    stored = Approval.objects.get()
    assert (stored.status, stored.decided_on, stored.license_answers) == ("proposed", None, [])
    assert Event.objects.count() == events


def test_conditions_are_required_to_approve_with_conditions(proposal, approver):
    with pytest.raises(ValidationError) as raised:
        services.approval_decide(
            approval=proposal, status=ApprovalStatus.APPROVED_WITH_CONDITIONS, user=approver
        )
    assert raised.value.message_dict == {"conditions": [str(services.CONDITIONS_NEEDED)]}


def test_a_draft_cannot_be_proposed_nor_approved(editor, approver):
    draft = factories.VariantFactory(status="draft")
    use_case = factories.UseCaseFactory()
    with pytest.raises(ValidationError) as raised:
        services.approval_propose(use_case=use_case, variant=draft, user=editor)
    assert list(raised.value.message_dict) == ["variant"]
    assert not Approval.objects.exists()
    approval = factories.ApprovalFactory(use_case=use_case, variant=draft)
    with pytest.raises(ValidationError) as raised:
        services.approval_decide(approval=approval, status=ApprovalStatus.APPROVED, user=approver)
    assert list(raised.value.message_dict) == ["variant"]


def test_only_an_approved_model_can_be_revoked(proposal, approver):
    with pytest.raises(ValidationError) as raised:
        services.approval_decide(approval=proposal, status=ApprovalStatus.REVOKED, user=approver)
    assert raised.value.message_dict == {"status": [str(services.REVOKE_ONLY_ALLOWED)]}
    services.approval_decide(approval=proposal, status=ApprovalStatus.APPROVED, user=approver)
    services.approval_decide(approval=proposal, status=ApprovalStatus.REVOKED, user=approver)
    assert Approval.objects.get().status == ApprovalStatus.REVOKED


def test_a_variant_and_a_version_at_once_is_refused_on_a_field(editor):
    variant = factories.VariantFactory()
    with pytest.raises(ValidationError) as raised:
        services.approval_propose(
            use_case=factories.UseCaseFactory(),
            variant=variant,
            version=variant.version,
            user=editor,
        )
    assert list(raised.value.message_dict) == ["version"]


def test_the_same_model_twice_for_a_use_case_is_refused(proposal, editor):
    with pytest.raises(ValidationError):
        services.approval_propose(use_case=proposal.use_case, variant=proposal.variant, user=editor)
    assert Approval.objects.count() == 1


def test_an_approval_past_its_expiry_is_due_for_re_review(proposal, approver):
    services.approval_decide(
        approval=proposal,
        status=ApprovalStatus.APPROVED,
        user=approver,
        decided_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2025, 12, 31),
    )
    listed = approval_list().get()
    assert listed.review_due is True
    assert listed.review_due == proposal.review_due_on()


def test_a_use_case_territory_must_be_a_country_code():
    with pytest.raises(ValidationError) as raised:
        services.use_case_upsert(slug="chat", name="Chat", owner="Team", territory="XX")
    assert list(raised.value.message_dict) == ["territory"]
    use_case = services.use_case_upsert(slug="chat", name="Chat", owner="Team", territory="eu")
    assert use_case.territory == "EU"


def test_may_we_use_answers_from_our_decision_first_then_the_licence(proposal, approver):
    decision = may_we_use(proposal.variant, proposal.use_case)
    assert decision.allowed_by_us is None
    assert decision.license_answers
    services.approval_decide(approval=proposal, status=ApprovalStatus.REJECTED, user=approver)
    assert may_we_use(proposal.variant, proposal.use_case).allowed_by_us is False


def test_a_version_approval_covers_its_variants_and_the_variants_own_wins(editor, approver):
    variant = factories.VariantFactory()
    use_case = factories.UseCaseFactory()
    whole = services.approval_propose(use_case=use_case, version=variant.version, user=editor)
    services.approval_decide(approval=whole, status=ApprovalStatus.APPROVED, user=approver)
    assert may_we_use(variant, use_case).approval == whole
    own = services.approval_propose(use_case=use_case, variant=variant, user=editor)
    services.approval_decide(approval=own, status=ApprovalStatus.REJECTED, user=approver)
    assert may_we_use(variant, use_case).allowed_by_us is False


def test_a_subscribed_team_webhook_gets_a_delivery_for_an_approval_change(editor):
    variant = factories.VariantFactory()
    use_case = factories.UseCaseFactory()
    hook = factories.WebhookFactory()
    factories.SubscriptionFactory(webhook=hook, use_case=use_case)
    factories.SubscriptionFactory(
        webhook=factories.WebhookFactory(), use_case=factories.UseCaseFactory()
    )
    services.approval_propose(use_case=use_case, variant=variant, user=editor)
    assert list(Delivery.objects.values_list("webhook_id", "status")) == [(hook.pk, "pending")]
