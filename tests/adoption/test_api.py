"""The adoption layer's API: who reads and writes what, the approver's decision, and the refusals
that name the field and write nothing."""

import datetime

import pytest
from django.urls import reverse
from pghistory.models import Events
from rest_framework.test import APIClient

from adoption.api.views import NOT_AN_EDITOR_VERIFY
from adoption.models import Approval, Artifact, ArtifactFile, Deployment, Event, UseCase
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.models.artifacts import NOT_HEX
from adoption.services.approvals import DRAFT_SUBJECT, NOT_AN_APPROVER
from catalog.keys import variant_key
from tests import factories
from tests.factories import token_client

pytestmark = pytest.mark.django_db

LISTS = ["usecase-list", "approval-list", "deployment-list", "artifact-list"]
SHA_A = "a" * 64
SHA_B = "b" * 64


@pytest.fixture
def editor():
    return token_client(factories.make_editor())


@pytest.fixture
def approver():
    return token_client(factories.make_approver())


@pytest.fixture
def viewer():
    return token_client(factories.make_staff("viewer", "viewer"))


@pytest.fixture
def one_of_each():
    approval = factories.ApprovalFactory()
    factories.DeploymentFactory(variant=approval.variant)
    factories.ArtifactFileFactory(artifact__variant=approval.variant)
    return approval


def _detail_urls(approval) -> list[str]:
    return [
        reverse("usecase-detail", args=[approval.use_case.slug]),
        reverse("approval-detail", args=[approval.pk]),
        reverse("deployment-detail", args=[Deployment.objects.get().pk]),
        reverse("artifact-detail", args=[Artifact.objects.get().pk]),
    ]


def _every_address(approval) -> list[str]:
    recipe = reverse("api-recipes") + "?" + f"variant={variant_key(approval.variant)}"
    return [*(reverse(name) for name in LISTS), *_detail_urls(approval), recipe]


@pytest.mark.parametrize("role", ["viewer", "editor", "approver"])
def test_every_adoption_role_reads_every_resource(one_of_each, role):
    client = token_client(factories.make_staff(f"{role}-reader", role))
    for name in LISTS:
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.content)
        assert response.json()["count"] == 1
    for url in _detail_urls(one_of_each):
        assert client.get(url).status_code == 200, url


def test_anonymous_readers_see_nothing_with_public_read_on(one_of_each, settings):
    settings.REGISTRY_PUBLIC_READ = True
    anonymous = APIClient()
    for url in _every_address(one_of_each):
        response = anonymous.get(url)
        assert response.status_code == 404, url
        assert one_of_each.use_case.name not in response.content.decode()
    # Not even a write reveals that the resource exists.
    assert anonymous.post(reverse("approval-list"), {}, format="json").status_code == 404
    decide = reverse("approval-decide", args=[one_of_each.pk])
    assert anonymous.post(decide, {"status": "approved"}, format="json").status_code == 404


def test_the_api_index_lists_the_internal_resources_only_to_their_readers(viewer, settings):
    settings.REGISTRY_PUBLIC_READ = True
    internal = {"use-cases", "approvals", "deployments", "artifacts"}
    assert not internal & set(APIClient().get("/api/v1/").json())
    response = viewer.get("/api/v1/")
    assert internal <= set(response.json())
    assert "private" in response["Cache-Control"]


def test_the_hidden_404_is_the_404_of_a_path_that_does_not_exist(one_of_each, settings):
    settings.REGISTRY_PUBLIC_READ = True
    anonymous = APIClient()
    nothing = anonymous.get("/api/v1/no-such-resource/")
    for url in _every_address(one_of_each):
        hidden = anonymous.get(url)
        assert (hidden.status_code, hidden.content) == (nothing.status_code, nothing.content)
        assert sorted(hidden.headers) == sorted(nothing.headers), url


def test_anonymous_readers_are_asked_to_sign_in_with_public_read_off(one_of_each, settings):
    settings.REGISTRY_PUBLIC_READ = False
    anonymous = APIClient()
    for url in _every_address(one_of_each):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert one_of_each.use_case.name not in response.content.decode()


def test_signed_in_users_without_an_adoption_role_see_nothing(one_of_each):
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.create_user(username="outsider", password="x-long-pw")
    client = token_client(outsider)
    for url in _every_address(one_of_each):
        assert client.get(url).status_code == 404, url


def test_answers_are_private_so_the_shared_response_cache_never_keeps_them(one_of_each, viewer):
    response = viewer.get(reverse("approval-list"))
    assert "private" in response["Cache-Control"]
    assert "X-Page-Cache" not in response


def test_an_editor_proposes_with_a_token_and_the_history_names_them(editor):
    variant = factories.VariantFactory()
    use_case = factories.UseCaseFactory()
    result = factories.ResultFactory(variant=variant)
    response = editor.post(
        reverse("approval-list"),
        {
            "use_case": use_case.slug,
            "variant": variant_key(variant),
            "risk_notes": "Customer data leaves the EU? No.",
            "evaluations": [result.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "proposed"
    assert data["proposed_by"] == "editor"
    assert data["evaluations"] == [result.pk]
    assert data["review_due"] is False
    approval = Approval.objects.get()
    insert = Events.objects.tracks(approval).filter(pgh_label="insert").get()
    assert insert.pgh_context["user"] == approval.proposed_by_id


def test_an_approver_decides_with_conditions_and_the_licence_answers_are_frozen_in_words(
    approver,
):
    approval = factories.ApprovalFactory()
    response = approver.post(
        reverse("approval-decide", args=[approval.pk]),
        {
            "status": "approved_with_conditions",
            "conditions": "Internal users only; no fine-tune published.",
            "risk_notes": "Low.",
            "decided_on": "2026-12-01",
            "expires_on": "2027-06-01",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "approved_with_conditions"
    assert data["conditions"] == "Internal users only; no fine-tune published."
    assert data["reviewer"] == "approver"
    assert (data["decided_on"], data["expires_on"]) == ("2026-12-01", "2027-06-01")
    assert data["license"] == approval.variant.version.license.slug
    assert data["license_answers"], "the checker's answers, frozen with the decision"
    for answer in data["license_answers"]:
        assert answer["question_text"] != answer["question"]  # words, not codes
        assert answer["verdict"] in ("yes", "no", "conditional", "unknown")
    approval.refresh_from_db()
    assert approval.status == "approved_with_conditions"


def test_an_expired_decision_is_due_for_re_review(viewer):
    factories.ApprovalFactory(
        status="approved",
        decided_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2025, 6, 1),
    )
    factories.ApprovalFactory(status="approved", decided_on=datetime.date(2025, 1, 1))
    listed = viewer.get(reverse("approval-list"), {"review_due": "true"}).json()
    assert listed["count"] == 1
    assert listed["results"][0]["review_due"] is True
    assert viewer.get(reverse("approval-list"), {"review_due": "false"}).json()["count"] == 1


def test_an_editor_cannot_decide(editor):
    approval = factories.ApprovalFactory()
    response = editor.post(
        reverse("approval-decide", args=[approval.pk]), {"status": "approved"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == str(NOT_AN_APPROVER)
    approval.refresh_from_db()
    assert approval.status == "proposed"


def test_a_read_only_token_cannot_decide(approver):
    approval = factories.ApprovalFactory()
    client = token_client(factories.make_approver("read-only-approver"), read_only=True)
    response = client.post(
        reverse("approval-decide", args=[approval.pk]), {"status": "approved"}, format="json"
    )
    assert response.status_code == 403


def test_an_expiry_before_the_decision_is_400_naming_expires_on_and_writes_nothing(approver):
    approval = factories.ApprovalFactory()
    events = Event.objects.count()
    response = approver.post(
        reverse("approval-decide", args=[approval.pk]),
        {"status": "approved", "decided_on": "2026-12-01", "expires_on": "2026-11-30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"expires_on": [str(EXPIRY_BEFORE_DECISION)]}
    approval.refresh_from_db()
    assert (approval.status, approval.decided_on, approval.reviewer_id) == ("proposed", None, None)
    assert Event.objects.count() == events


def test_approving_a_draft_variant_is_400_naming_variant(editor, approver):
    draft = factories.VariantFactory(status="draft")
    use_case = factories.UseCaseFactory()
    response = editor.post(
        reverse("approval-list"),
        {"use_case": use_case.slug, "variant": variant_key(draft)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"variant": [str(DRAFT_SUBJECT % {"name": draft.name})]}
    assert not Approval.objects.exists()
    # Proposed while published, decided after it went back to draft: refused the same way.
    approval = factories.ApprovalFactory()
    approval.variant.status = "draft"
    approval.variant.save()
    response = approver.post(
        reverse("approval-decide", args=[approval.pk]), {"status": "approved"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["variant"]


def test_an_editor_moves_an_open_approval_but_cannot_approve_it(editor):
    approval = factories.ApprovalFactory()
    url = reverse("approval-detail", args=[approval.pk])
    moved = editor.patch(url, {"status": "under_review", "conditions": "Draft"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "under_review"
    refused = editor.patch(url, {"status": "approved"}, format="json")
    assert refused.status_code == 400
    assert "status" in refused.json()


def test_viewers_and_approvers_cannot_write_use_cases(viewer, approver):
    body = {"slug": "chat", "name": "Chat", "owner": "Support"}
    assert viewer.post(reverse("usecase-list"), body, format="json").status_code == 403
    assert approver.post(reverse("usecase-list"), body, format="json").status_code == 403
    assert not UseCase.objects.exists()


def test_an_editor_writes_a_use_case_and_a_bad_territory_is_named(editor):
    body = {"slug": "chat", "name": "Chat", "owner": "Support", "territory": "XX"}
    refused = editor.post(reverse("usecase-list"), body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["territory"]
    created = editor.post(reverse("usecase-list"), {**body, "territory": "de"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["territory"] == "DE"


def test_an_editor_records_a_deployment_and_cannot_set_its_health(editor):
    variant = factories.VariantFactory()
    body = {
        "name": "chat-prod",
        "variant": variant_key(variant),
        "environment": "production",
        "engine": "vllm",
        "owner_team": "Platform",
        "profile": factories.ProfileFactory().slug,
    }
    refused = editor.post(reverse("deployment-list"), {**body, "health": "up"}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == ["health"]
    created = editor.post(reverse("deployment-list"), body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["health"] == "unknown"
    assert Deployment.objects.get().variant == variant


def test_an_editor_records_an_artifact_with_its_files(editor, viewer):
    variant = factories.VariantFactory()
    response = editor.post(
        reverse("artifact-list"),
        {
            "variant": variant_key(variant),
            "uri": "s3://models/chat/",
            "format": "safetensors",
            "files": [
                {"path": "model-00001.safetensors", "size_bytes": 10, "sha256": SHA_A.upper()},
                {"path": "model-00002.safetensors", "size_bytes": 20, "sha256": SHA_B},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    files = response.json()["files"]
    assert [(f["path"], f["size_bytes"], f["sha256"], f["verified"]) for f in files] == [
        ("model-00001.safetensors", 10, SHA_A, None),
        ("model-00002.safetensors", 20, SHA_B, None),
    ]
    detail = viewer.get(reverse("artifact-detail", args=[response.json()["id"]])).json()
    assert detail["files"] == files
    assert detail["verification"] == "unverified"


def test_a_non_hex_checksum_is_400_naming_the_files_sha256_and_writes_nothing(editor):
    variant = factories.VariantFactory()
    response = editor.post(
        reverse("artifact-list"),
        {
            "variant": variant_key(variant),
            "uri": "s3://models/chat/",
            "format": "safetensors",
            "files": [
                {"path": "a.safetensors", "size_bytes": 10, "sha256": SHA_A},
                {"path": "b.safetensors", "size_bytes": 10, "sha256": "z" * 64},
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"files[1].sha256": [str(NOT_HEX)]}
    assert not Artifact.objects.exists()
    assert not ArtifactFile.objects.exists()


def test_an_editor_verifies_an_artifact_against_a_manifest_and_a_viewer_may_not(editor, viewer):
    artifact_file = factories.ArtifactFileFactory(sha256=SHA_A, size_bytes=10)
    url = reverse("artifact-verify", args=[artifact_file.artifact_id])
    manifest = f"{SHA_A}  {artifact_file.path}\n"
    refused = viewer.post(url, {"manifest": manifest}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == str(NOT_AN_EDITOR_VERIFY)
    verified = editor.post(url, {"manifest": manifest}, format="json")
    assert verified.status_code == 200, verified.json()
    assert verified.json()["verification"] == "verified"
    assert verified.json()["files"][0]["verified"] is True
    bad = editor.post(url, {"manifest": "not a checksum line"}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["manifest"]


@pytest.fixture
def recipe_variant():
    return factories.VariantFactory(hf_repo_id="meta-llama/Llama-2-7b-hf")


def _recipe(client, recipe_variant, recipe_profile, /, **params):
    query = {
        "variant": variant_key(recipe_variant),
        "profile": recipe_profile.slug,
        "precision": "bf16",
        "context": 4096,
        "engine": "vllm",
        **params,
    }
    return client.get(reverse("api-recipes"), query)


def test_a_recipe_that_fits_gives_the_command(viewer, recipe_variant):
    profile = factories.ProfileFactory(accelerator__memory=80)
    response = _recipe(viewer, recipe_variant, profile)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["command"].startswith("vllm serve meta-llama/Llama-2-7b-hf")
    assert data["profile"] == profile.slug
    assert "private" in response["Cache-Control"]


def test_a_recipe_that_does_not_fit_is_400_naming_profile(viewer, recipe_variant):
    profile = factories.ProfileFactory(accelerator__memory=8)
    response = _recipe(viewer, recipe_variant, profile)
    assert response.status_code == 400
    assert list(response.json()) == ["profile"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"engine": "tensorrt"}, "engine"),
        ({"context": "lots"}, "context"),
        ({"precision": "int3"}, "precision"),
        ({"variant": "no/such/model"}, "variant"),
        ({"profile": "no-such-profile"}, "profile"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_recipe_parameter_is_400_naming_it(viewer, recipe_variant, params, name):
    profile = factories.ProfileFactory(accelerator__memory=80)
    response = _recipe(viewer, recipe_variant, profile, **params)
    assert response.status_code == 400
    assert name in response.json(), response.json()


def test_filters_name_models_by_key_and_id_and_cover_a_version_s_approval(viewer):
    own = factories.ApprovalFactory(status="proposed")
    through_version = factories.ApprovalFactory(variant=None, version=own.variant.version)
    factories.ApprovalFactory()
    for params in ({"variant": variant_key(own.variant)}, {"variant_id": own.variant_id}):
        listed = viewer.get(reverse("approval-list"), params).json()
        assert {row["id"] for row in listed["results"]} == {own.pk, through_version.pk}
    by_use_case = viewer.get(reverse("approval-list"), {"use_case": own.use_case.slug}).json()
    assert [row["id"] for row in by_use_case["results"]] == [own.pk]
    bad = viewer.get(reverse("approval-list"), {"status": "maybe"})
    assert bad.status_code == 400
    assert "status" in bad.json()


def test_the_approval_filterset_serves_the_page_without_a_request():
    from django.http import QueryDict

    from adoption.filters import ApprovalFilterSet
    from adoption.selectors import approval_list

    approval = factories.ApprovalFactory(status="approved", decided_on=datetime.date(2026, 1, 1))
    query = QueryDict("status=approved&review_due=")
    filterset = ApprovalFilterSet(query, queryset=approval_list())
    assert filterset.is_valid()
    assert list(filterset.qs) == [approval]


def test_a_nul_in_a_write_or_a_recipe_parameter_is_a_400_naming_it(editor, viewer):
    response = editor.post(
        reverse("approval-list"), {"use_case": "chat\x00", "variant": "a/b/c"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["use_case"]
    response = viewer.get(reverse("api-recipes"), {"variant": "a/b/c\x00"})
    assert response.status_code == 400
    assert list(response.json()) == ["variant"]


def test_listing_decided_approvals_runs_the_same_queries_for_one_and_five():
    from adoption.services.approvals import approval_decide
    from tests.queries import assert_same_query_count, count_queries

    approver = factories.make_approver()
    # A session: a token's first use of the minute also records it (one more query).
    viewer = APIClient()
    viewer.force_login(factories.make_staff("session-viewer", "viewer"))

    def decided():
        approval = factories.ApprovalFactory(variant__version__license=factories.LicenseFactory())
        factories.ResultFactory(variant=approval.variant).approvals.add(approval)
        approval_decide(approval=approval, status="rejected", user=approver)

    decided()
    url = reverse("approval-list")
    one = count_queries(lambda: viewer.get(url))
    for _ in range(4):
        decided()
    many = count_queries(lambda: viewer.get(url))
    assert_same_query_count(one, many, "decided approvals")
    assert len(viewer.get(url).json()["results"]) == 5


def test_an_offset_postgresql_cannot_take_is_converted_not_a_server_error(one_of_each, viewer):
    # Python accepts offsets up to ±23:59, PostgreSQL only ±15:59 (found by the schema fuzz).
    for path, name in (
        ("/api/v1/artifacts/", "verified_at__gte"),
        ("/api/v1/deployments/", "last_checked_at__gte"),
    ):
        response = viewer.get(path, {name: "5608-11-16T15:27:17.565800+22:12"})
        assert response.status_code == 200, response.content
        response = viewer.get(path, {name: "9999-12-31T23:00:00-23:00"})
        assert response.status_code == 400
        assert name in response.json()
