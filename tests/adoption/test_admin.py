"""The adoption admin: approvers decide on their own page, editors propose and cannot decide,
bad input is shown on its field and writes nothing, and the lists people work from (review
queue, re-review due, endpoints down, failing webhooks) find what they promise."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from adoption.admin.approvals import ApprovalAdmin
from adoption.choices import ApprovalStatus, DeliveryStatus, EventKind, Health
from adoption.models import Approval, ArtifactFile, Delivery
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.models.artifacts import NOT_HEX
from adoption.services import approvals as services
from adoption.services.approvals import DECISION_NEEDS_APPROVER
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


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
    use_case = factories.UseCaseFactory()
    return services.approval_propose(use_case=use_case, variant=variant, user=editor)


def _decide_url(approval) -> str:
    return reverse("admin:adoption_approval_decide", args=[approval.pk])


def _change_url(approval) -> str:
    return reverse("admin:adoption_approval_change", args=[approval.pk])


def test_an_approver_decides_with_conditions_on_the_decide_page(client, approver, proposal):
    client.force_login(approver)
    assert _decide_url(proposal) in client.get(_change_url(proposal)).content.decode()

    response = client.post(
        _decide_url(proposal),
        {
            "status": ApprovalStatus.APPROVED_WITH_CONDITIONS,
            "conditions": "Internal users only.",
            "risk_notes": "",
            "decided_on": timezone.localdate().isoformat(),
            "expires_on": (timezone.localdate() + datetime.timedelta(days=365)).isoformat(),
        },
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.APPROVED_WITH_CONDITIONS
    assert proposal.conditions == "Internal users only."
    assert proposal.reviewer == approver
    assert proposal.license_answers
    page = client.get(_change_url(proposal)).content.decode()
    assert "frozen-licence-answers" in page


def test_an_editor_has_no_decide_button_and_the_decide_page_refuses_them(client, editor, proposal):
    client.force_login(editor)

    assert _decide_url(proposal) not in client.get(_change_url(proposal)).content.decode()
    assert client.get(_decide_url(proposal)).status_code == 403
    response = client.post(
        _decide_url(proposal), {"status": ApprovalStatus.APPROVED, "decided_on": ""}
    )

    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.PROPOSED


def test_an_editor_choosing_a_decision_on_the_change_form_gets_an_error_on_status(
    client, editor, proposal
):
    client.force_login(editor)

    response = client.post(
        _change_url(proposal),
        {"status": ApprovalStatus.APPROVED, "conditions": "changed", "risk_notes": ""},
    )

    assert response.status_code == 200
    message = str(DECISION_NEEDS_APPROVER % {"status": ApprovalStatus.APPROVED.label})
    assert response.context["adminform"].form.errors["status"] == [message]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.conditions) == (ApprovalStatus.PROPOSED, "")


def test_an_editor_moves_a_proposal_under_review_through_the_service(client, editor, proposal):
    client.force_login(editor)

    response = client.post(
        _change_url(proposal),
        {"status": ApprovalStatus.UNDER_REVIEW, "conditions": "", "risk_notes": "Check logs."},
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.risk_notes) == (ApprovalStatus.UNDER_REVIEW, "Check logs.")


def test_an_editor_proposes_a_draft_and_sees_the_error_on_the_variant(client, editor):
    client.force_login(editor)
    variant = factories.VariantFactory(status="draft")
    use_case = factories.UseCaseFactory()

    response = client.post(
        reverse("admin:adoption_approval_add"),
        {"use_case": use_case.pk, "variant": variant.pk, "conditions": "", "risk_notes": ""},
    )

    assert response.status_code == 200
    assert "variant" in response.context["adminform"].form.errors
    assert not Approval.objects.exists()


def test_an_editor_proposes_through_the_add_form(client, editor):
    client.force_login(editor)
    variant = factories.VariantFactory()
    use_case = factories.UseCaseFactory()

    response = client.post(
        reverse("admin:adoption_approval_add"),
        {"use_case": use_case.pk, "variant": variant.pk, "conditions": "", "risk_notes": ""},
    )

    assert response.status_code == 302
    approval = Approval.objects.get()
    assert (approval.status, approval.proposed_by) == (ApprovalStatus.PROPOSED, editor)


def test_an_expiry_before_the_decision_is_an_error_on_the_field_and_nothing_is_written(
    client, approver, proposal
):
    client.force_login(approver)

    response = client.post(
        _decide_url(proposal),
        {
            "status": ApprovalStatus.APPROVED,
            "conditions": "",
            "risk_notes": "",
            "decided_on": "2026-06-01",
            "expires_on": "2026-05-01",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["expires_on"] == [str(EXPIRY_BEFORE_DECISION)]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_on, proposal.expires_on) == (
        ApprovalStatus.PROPOSED,
        None,
        None,
    )


def test_conditions_are_required_for_an_approval_with_conditions(client, approver, proposal):
    client.force_login(approver)

    response = client.post(
        _decide_url(proposal),
        {"status": ApprovalStatus.APPROVED_WITH_CONDITIONS, "conditions": "", "risk_notes": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["conditions"] == [str(services.CONDITIONS_NEEDED)]
    proposal.refresh_from_db()
    assert proposal.status == ApprovalStatus.PROPOSED


def _approved(expires_on, **kwargs):
    return factories.ApprovalFactory(
        status=ApprovalStatus.APPROVED,
        decided_on=expires_on - datetime.timedelta(days=365),
        expires_on=expires_on,
        **kwargs,
    )


def test_an_approval_past_its_expiry_shows_re_review_due(admin_client):
    due = _approved(timezone.localdate() - datetime.timedelta(days=1))
    _approved(timezone.localdate() + datetime.timedelta(days=100))
    url = reverse("admin:adoption_approval_changelist")

    response = admin_client.get(url + "?review_due=yes")

    assert [a.pk for a in response.context["cl"].result_list] == [due.pk]
    assert response.context["cl"].result_list[0].review_due is True
    assert ApprovalAdmin.review_due_flag(None, response.context["cl"].result_list[0]) is True


def test_the_expiring_filter_lists_approvals_expiring_within_30_days(admin_client):
    soon = _approved(timezone.localdate() + datetime.timedelta(days=10))
    _approved(timezone.localdate() + datetime.timedelta(days=100))
    url = reverse("admin:adoption_approval_changelist")

    response = admin_client.get(url + "?expiring=30")

    assert [a.pk for a in response.context["cl"].result_list] == [soon.pk]


def test_the_review_queue_lists_open_approvals_oldest_first_and_re_reviews_due(client, approver):
    older = factories.ApprovalFactory(status=ApprovalStatus.UNDER_REVIEW)
    newer = factories.ApprovalFactory(status=ApprovalStatus.PROPOSED)
    Approval.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(9))
    due = _approved(timezone.localdate() - datetime.timedelta(days=3))
    _approved(timezone.localdate() + datetime.timedelta(days=300))
    client.force_login(approver)

    response = client.get(reverse("admin:adoption_approval_review_queue"))

    assert response.status_code == 200
    assert [a.pk for a in response.context["awaiting"]] == [older.pk, newer.pk]
    assert [a.pk for a in response.context["due"]] == [due.pk]
    assert _decide_url(older) in response.content.decode()


def test_the_review_queue_queries_do_not_grow_with_rows(admin_client):
    url = reverse("admin:adoption_approval_review_queue")
    factories.ApprovalFactory()
    _approved(timezone.localdate() - datetime.timedelta(days=3))
    one = count_queries(lambda: admin_client.get(url))
    factories.ApprovalFactory.create_batch(4)
    for _ in range(4):
        _approved(timezone.localdate() - datetime.timedelta(days=3))
    many = count_queries(lambda: admin_client.get(url))
    assert_same_query_count(one, many, "review queue")


def test_the_adoption_index_links_the_queue_the_expiring_approvals_and_endpoints_down(
    admin_client,
):
    page = admin_client.get(reverse("admin:app_list", args=["adoption"])).content.decode()

    assert reverse("admin:adoption_approval_review_queue") in page
    assert "?expiring=30" in page
    assert "?down=yes" in page


def test_the_endpoints_down_filter_lists_active_deployments_that_are_down(admin_client):
    down = factories.DeploymentFactory(health=Health.DOWN, last_error="connection refused")
    factories.DeploymentFactory(health=Health.DOWN, status="retired")
    factories.DeploymentFactory(health=Health.UP)
    url = reverse("admin:adoption_deployment_changelist")

    response = admin_client.get(url + "?down=yes")

    assert [d.pk for d in response.context["cl"].result_list] == [down.pk]
    assert "connection refused" in response.content.decode()


def test_check_now_records_what_the_endpoint_answered(admin_client, httpserver):
    httpserver.expect_request("/v1/models").respond_with_json({"data": [{"id": "served"}]})
    deployment = factories.DeploymentFactory(endpoint_url=httpserver.url_for("/").rstrip("/"))

    response = admin_client.post(
        reverse("admin:adoption_deployment_changelist"),
        {"action": "check_now", "_selected_action": [deployment.pk]},
    )

    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.health == Health.UP


def _artifact_post(artifact, files):
    data = {
        "variant": artifact.variant_id,
        "uri": artifact.uri,
        "format": artifact.format,
        "quantization": "",
        "upstream_revision": "",
        "note": "",
        "files-TOTAL_FORMS": str(len(files)),
        "files-INITIAL_FORMS": "0",
        "files-MIN_NUM_FORMS": "0",
        "files-MAX_NUM_FORMS": "1000",
    }
    for index, (path, size, sha) in enumerate(files):
        data.update(
            {
                f"files-{index}-path": path,
                f"files-{index}-size_bytes": str(size),
                f"files-{index}-sha256": sha,
                f"files-{index}-artifact": str(artifact.pk),
            }
        )
    return data


def test_a_non_hex_checksum_in_the_files_is_an_error_on_the_field_and_nothing_is_written(
    client, editor
):
    artifact = factories.ArtifactFactory()
    client.force_login(editor)
    url = reverse("admin:adoption_artifact_change", args=[artifact.pk])

    response = client.post(url, _artifact_post(artifact, [("model.safetensors", 10, "z" * 64)]))

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[0]["sha256"] == [str(NOT_HEX)]
    assert not ArtifactFile.objects.exists()


def test_files_saved_in_the_admin_go_through_the_service_and_reset_the_verification(client, editor):
    artifact = factories.ArtifactFactory(verification="verified")
    client.force_login(editor)
    url = reverse("admin:adoption_artifact_change", args=[artifact.pk])

    response = client.post(url, _artifact_post(artifact, [("model.safetensors", 10, SHA.upper())]))

    assert response.status_code == 302
    artifact.refresh_from_db()
    assert artifact.verification == "unverified"
    assert list(artifact.files.values_list("path", "sha256")) == [("model.safetensors", SHA)]


def test_a_manifest_verifies_the_artifact_and_the_report_is_a_table(client, editor):
    artifact = factories.ArtifactFactory()
    factories.ArtifactFileFactory(artifact=artifact, path="a.safetensors", sha256=SHA)
    client.force_login(editor)
    url = reverse("admin:adoption_artifact_verify_manifest", args=[artifact.pk])

    response = client.post(url, {"manifest_text": f"{SHA}  a.safetensors\n"})

    assert response.status_code == 302
    artifact.refresh_from_db()
    assert artifact.verification == "verified"
    page = client.get(reverse("admin:adoption_artifact_change", args=[artifact.pk]))
    assert "verification-report" in page.content.decode()
    assert page.context["report"][0]["status"] == "ok"


def test_a_bad_manifest_line_is_named_in_a_message_and_nothing_is_written(client, editor):
    artifact = factories.ArtifactFactory()
    factories.ArtifactFileFactory(artifact=artifact, path="a.safetensors", sha256=SHA)
    client.force_login(editor)
    url = reverse("admin:adoption_artifact_verify_manifest", args=[artifact.pk])

    response = client.post(url, {"manifest_text": f"{SHA}  a\nnope  b\n"})

    assert response.status_code == 400
    shown = [str(m) for m in response.context["messages"]]
    assert any("line 2" in message for message in shown)
    artifact.refresh_from_db()
    assert artifact.verification == "unverified"


def test_send_test_queues_a_delivery_to_the_webhook(client, editor):
    webhook = factories.WebhookFactory()
    client.force_login(editor)
    url = reverse("admin:adoption_webhook_send_test", args=[webhook.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)

    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.event.kind == EventKind.TEST
    assert delivery.status == DeliveryStatus.PENDING
    assert any("Test queued" in str(m) for m in response.context["messages"])


def test_send_test_is_refused_to_viewers(client):
    webhook = factories.WebhookFactory()
    client.force_login(factories.make_staff("viewer-user", "viewer"))

    response = client.post(reverse("admin:adoption_webhook_send_test", args=[webhook.pk]))

    assert response.status_code == 403
    assert not Delivery.objects.exists()


def test_webhooks_list_masks_the_secret_and_flags_failing_ones(admin_client):
    factories.WebhookFactory(secret="a-very-secret-value", failing_since=timezone.now())
    factories.WebhookFactory()
    url = reverse("admin:adoption_webhook_changelist")

    page = admin_client.get(url).content.decode()
    failing = admin_client.get(url + "?failing=yes")

    assert "a-very-secret-value" not in page
    assert "••••ue" in page
    assert failing.context["cl"].result_count == 1


def test_the_delivery_and_event_logs_are_read_only(client, editor):
    delivery = factories.DeliveryFactory()
    client.force_login(editor)

    assert client.get(reverse("admin:adoption_delivery_changelist")).status_code == 200
    assert client.get(reverse("admin:adoption_delivery_add")).status_code == 403
    change = reverse("admin:adoption_delivery_change", args=[delivery.pk])
    assert client.post(change, {}).status_code == 403
    assert client.get(reverse("admin:adoption_event_add")).status_code == 403


def test_a_subscription_takes_event_kinds_from_the_choices(client, editor):
    webhook = factories.WebhookFactory()
    client.force_login(editor)

    response = client.post(
        reverse("admin:adoption_subscription_add"),
        {"webhook": webhook.pk, "kinds": [EventKind.ENDPOINT_DOWN, EventKind.NEW_RELEASE]},
    )

    assert response.status_code == 302
    assert webhook.subscriptions.get().kinds == ["endpoint_down", "new_release"]


def test_every_tracked_adoption_record_shows_its_history(admin_client, proposal):
    url = reverse("admin:adoption_approval_history", args=[proposal.pk])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["entries"]
    assert response.context["can_restore"] is False


def test_a_viewer_reads_a_webhook_without_its_secret(client):
    webhook = factories.WebhookFactory(secret="the-shared-secret-value")
    client.force_login(factories.make_staff("webhook-viewer", "viewer"))
    response = client.get(reverse("admin:adoption_webhook_change", args=[webhook.pk]))
    assert response.status_code == 200
    assert "the-shared-secret-value" not in response.content.decode()
