"""Editors' review: approving field by field writes through the save services with history
naming the editor and the candidate; rejecting remembers; stale or invalid reviews write
nothing. Through the services and through the admin's review page."""

import copy
import json

import pghistory.models
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.ingest.services import IngestOptions, ingest_run_execute
from catalog.models import Citation, IngestRun, ModelVariant, ModelVersion, ReleaseCandidate
from curation.services.export import catalog_export
from curation.services.review import (
    NEEDS_VERSION,
    NOT_PENDING,
    UPSTREAM_CHANGED,
    NewVersion,
    ReviewError,
    release_candidate_approve,
    release_candidate_reject,
)
from hardware.models import RecomputeRun
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def export_document(curated_catalog, django_db_blocker):
    with django_db_blocker.unblock():
        return catalog_export()


def _entry(document, slug):
    return next(v for v in document["variants"] if v["slug"] == slug)


def _candidate(tmp_path, document) -> ReleaseCandidate:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    ingest_run_execute(
        trigger=IngestRun.Trigger.COMMAND, options=IngestOptions(sources=("feed",), file=str(path))
    )
    return ReleaseCandidate.objects.get()


@pytest.fixture
def new_variant_candidate(curated_catalog, export_document, tmp_path):
    document = copy.deepcopy(export_document)
    new = copy.deepcopy(_entry(document, "qwen2-5-7b"))
    new.update(slug="qwen2-5-7b-new", name="Qwen2.5-7B-New", hf_repo_id="example-org/new")
    document["variants"].append(new)
    document["lineage"].append(
        {
            "child": "qwen/qwen2-5/qwen2-5-7b-new",
            "parent": "qwen/qwen2-5/qwen2-5-7b",
            "kind": "finetune",
            "note": "",
            "sources": [],
        }
    )
    return _candidate(tmp_path, document)


@pytest.fixture
def conflict_candidate(curated_catalog, export_document, tmp_path):
    document = copy.deepcopy(export_document)
    entry = _entry(document, "qwen2-5-7b")
    entry["total_parameters"] = 7_000_000_000
    entry["description"] = "Upstream's new description."
    return _candidate(tmp_path, document)


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("editor", password="a long passphrase 1")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=[
                "view_releasecandidate",
                "change_releasecandidate",
                "add_modelvariant",
                "change_modelvariant",
                "view_modelvariant",
                "add_modelversion",
                "change_modelversion",
            ],
        )
    )
    return user


def test_approving_a_new_variant_publishes_it_with_history_citations_lineage_and_recompute(
    new_variant_candidate, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        variant = release_candidate_approve(
            candidate=new_variant_candidate,
            editor=editor,
            accepted=list(new_variant_candidate.diff),
        )

    variant.refresh_from_db()
    assert variant.status == "published"
    assert (variant.version.slug, variant.slug) == ("qwen2-5", "qwen2-5-7b-new")
    assert variant.total_parameters == 7615616512
    assert variant.origins.get().parent.slug == "qwen2-5-7b"
    assert Citation.objects.filter(object_id=variant.pk, content_type__model="modelvariant")
    event = pghistory.models.Events.objects.get(
        pgh_obj_model="catalog.ModelVariant", pgh_obj_id=str(variant.pk), pgh_label="insert"
    )
    assert event.pgh_context["user"] == editor.pk
    assert event.pgh_context["release_candidate"] == new_variant_candidate.pk
    assert callbacks, "the recommendation recompute is enqueued after commit"
    assert RecomputeRun.objects.filter(scope=str(variant.pk)).exists()
    new_variant_candidate.refresh_from_db()
    assert new_variant_candidate.status == ReleaseCandidate.Status.APPROVED
    assert new_variant_candidate.reviewed_by == editor
    assert new_variant_candidate.variant == variant


def test_approving_some_fields_changes_only_those_and_remembers_the_others(
    conflict_candidate, editor
):
    variant = release_candidate_approve(
        candidate=conflict_candidate, editor=editor, accepted=["description"]
    )

    variant.refresh_from_db()
    assert variant.description == "Upstream's new description."
    assert variant.total_parameters == 7615616512  # curated value kept
    conflict_candidate.refresh_from_db()
    assert conflict_candidate.rejected_values == {"total_parameters": 7_000_000_000}


def test_a_new_variant_can_go_into_a_new_draft_version(new_variant_candidate, editor):
    variant = release_candidate_approve(
        candidate=new_variant_candidate,
        editor=editor,
        accepted=list(new_variant_candidate.diff),
        new_version=NewVersion(family_slug="qwen", slug="qwen9", name="Qwen9"),
        publish=False,
    )

    version = ModelVersion.objects.get(family__slug="qwen", slug="qwen9")
    assert variant.version == version
    assert (version.status, variant.status) == ("draft", "draft")


def test_a_new_variant_without_a_version_is_refused_and_nothing_is_written(
    new_variant_candidate, editor
):
    new_variant_candidate.version = None
    new_variant_candidate.save()
    count = ModelVariant.objects.count()

    with pytest.raises(ReviewError) as error:
        release_candidate_approve(
            candidate=new_variant_candidate,
            editor=editor,
            accepted=list(new_variant_candidate.diff),
        )

    assert error.value.errors == {"version": [str(NEEDS_VERSION)]}
    assert ModelVariant.objects.count() == count


def test_a_review_of_an_older_revision_is_refused(conflict_candidate, editor):
    with pytest.raises(ReviewError) as error:
        release_candidate_approve(
            candidate=conflict_candidate, editor=editor, accepted=["description"], revision="old"
        )
    assert error.value.errors == {None: [str(UPSTREAM_CHANGED)]}


def test_a_reviewed_candidate_cannot_be_reviewed_again(conflict_candidate, editor):
    release_candidate_reject(candidate=conflict_candidate, editor=editor)
    with pytest.raises(ReviewError) as error:
        release_candidate_approve(candidate=conflict_candidate, editor=editor, accepted=[])
    assert error.value.errors == {None: [str(NOT_PENDING)]}


def test_an_approval_that_fails_validation_writes_nothing(conflict_candidate, editor):
    conflict_candidate.diff["active_parameters"] = {"current": None, "upstream": 10**9}
    conflict_candidate.save()

    with pytest.raises(ReviewError) as error:
        release_candidate_approve(
            candidate=conflict_candidate,
            editor=editor,
            accepted=["description", "active_parameters"],
        )

    assert "active_parameters" in error.value.errors
    variant = ModelVariant.objects.get(slug="qwen2-5-7b")
    assert variant.description != "Upstream's new description."
    conflict_candidate.refresh_from_db()
    assert conflict_candidate.status == ReleaseCandidate.Status.PENDING


def test_the_review_page_shows_the_diff_and_approves_through_the_form(
    conflict_candidate, editor, client
):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[conflict_candidate.pk])

    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "7,000,000,000" in content
    assert "7,615,616,512" in content
    response = client.post(
        url,
        {
            "revision": conflict_candidate.revision,
            "fields": ["total_parameters"],
            "action": "approve",
        },
    )

    assert response.status_code == 302
    assert ModelVariant.objects.get(slug="qwen2-5-7b").total_parameters == 7_000_000_000


def test_the_review_form_shows_errors_instead_of_saving(new_variant_candidate, editor, client):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[new_variant_candidate.pk])

    response = client.post(
        url,
        {
            "revision": new_variant_candidate.revision,
            "fields": list(new_variant_candidate.diff),
            "target": "new",
            "action": "approve",
        },
    )

    assert response.status_code == 200
    assert "A new version needs its family, slug and name." in response.content.decode()
    assert not ModelVariant.objects.filter(slug="qwen2-5-7b-new").exists()


def test_rejecting_through_the_form_writes_nothing_to_the_catalog(
    conflict_candidate, editor, client
):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[conflict_candidate.pk])

    response = client.post(url, {"revision": conflict_candidate.revision, "action": "reject"})

    assert response.status_code == 302
    conflict_candidate.refresh_from_db()
    assert conflict_candidate.status == ReleaseCandidate.Status.REJECTED
    assert ModelVariant.objects.get(slug="qwen2-5-7b").total_parameters == 7615616512


def test_someone_who_may_only_view_candidates_cannot_review_them(conflict_candidate, client):
    viewer = get_user_model().objects.create_user("viewer", password="a long passphrase 2")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_releasecandidate"))
    client.force_login(viewer)
    url = reverse("admin:catalog_releasecandidate_change", args=[conflict_candidate.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"revision": conflict_candidate.revision, "action": "reject"})
    assert response.status_code == 403


def test_the_review_page_queries_do_not_grow_with_the_diff(admin_client):
    candidate = factories.ReleaseCandidateFactory()
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    one = count_queries(lambda: admin_client.get(url))
    candidate.diff = {
        name: {"current": None, "upstream": 1}
        for name in ("num_layers", "hidden_size", "num_attention_heads", "vocab_size", "name")
    }
    candidate.save()
    many = count_queries(lambda: admin_client.get(url))
    assert_same_query_count(one, many, "candidate review page")


def test_markup_in_upstream_values_is_escaped_on_the_review_page(
    curated_catalog, export_document, tmp_path, admin_client
):
    document = copy.deepcopy(export_document)
    new = copy.deepcopy(_entry(document, "qwen2-5-7b"))
    new.update(slug="qwen2-5-7b-x", name="<script>alert(1)</script>", hf_repo_id="x/y")
    new["description"] = '<img src=x onerror="alert(2)">'
    document["variants"].append(new)
    candidate = _candidate(tmp_path, document)

    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    content = admin_client.get(url).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<img src=x" not in content
