"""Ingestion runs over export feeds on the real database: candidates, idempotency, the lock,
bad entries, rejected values, and the conflicts editors see on variant pages."""

import copy
import json

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from catalog.ingest.services import INTERRUPTED, RUN_LOCK_KEY, IngestOptions, ingest_run_execute
from catalog.models import IngestRun, ModelVariant, ReleaseCandidate
from curation.services.export import catalog_export
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def export_document(curated_catalog, django_db_blocker):
    with django_db_blocker.unblock():
        return catalog_export()


def _variant_entry(document: dict, slug: str) -> dict:
    return next(v for v in document["variants"] if v["slug"] == slug)


def _new_variant(document: dict, slug: str = "qwen2-5-7b-new") -> dict:
    document = copy.deepcopy(document)
    new = copy.deepcopy(_variant_entry(document, "qwen2-5-7b"))
    new.update(slug=slug, name=slug.title(), hf_repo_id=f"example-org/{slug}")
    document["variants"].append(new)
    return document


def _write(tmp_path, document, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _ingest(location: str) -> IngestRun:
    return ingest_run_execute(
        trigger=IngestRun.Trigger.COMMAND,
        options=IngestOptions(sources=("feed",), file=location),
    )


def test_this_registrys_own_export_proposes_nothing(curated_catalog, export_document, tmp_path):
    run = _ingest(_write(tmp_path, export_document))

    result = run.results.get()
    assert run.status == IngestRun.Status.SUCCEEDED
    assert result.seen == len(export_document["variants"])
    assert (result.created, result.updated, result.failed) == (0, 0, 0)
    assert result.skipped == result.seen
    assert not ReleaseCandidate.objects.exists()


def test_one_new_variant_becomes_one_pending_candidate_in_its_version(
    curated_catalog, export_document, tmp_path
):
    run = _ingest(_write(tmp_path, _new_variant(export_document)))

    assert run.results.get().created == 1
    candidate = ReleaseCandidate.objects.get()
    assert candidate.upstream_id == "qwen/qwen2-5/qwen2-5-7b-new"
    assert candidate.status == ReleaseCandidate.Status.PENDING
    assert candidate.variant is None
    assert (candidate.version.family.slug, candidate.version.slug) == ("qwen", "qwen2-5")
    assert candidate.diff["name"] == {"current": None, "upstream": "Qwen2-5-7B-New"}
    assert candidate.diff["total_parameters"]["upstream"] == 7615616512
    assert candidate.payload["variant"]["slug"] == "qwen2-5-7b-new"
    assert candidate.last_run == run


def test_the_same_feed_twice_writes_nothing_the_second_time(
    curated_catalog, export_document, tmp_path
):
    location = _write(tmp_path, _new_variant(export_document))
    _ingest(location)
    before = ReleaseCandidate.objects.values_list("pk", "updated_at").get()

    _queries, statements = count_queries(lambda: _ingest(location))

    assert ReleaseCandidate.objects.values_list("pk", "updated_at").get() == before
    second = IngestRun.objects.first().results.get()
    assert (second.created, second.updated) == (0, 0)
    writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    # Only the run's own bookkeeping: the run, its source result, and finishing the run.
    assert all("catalog_ingest" in s for s in writes), writes


def test_the_upstream_identity_is_unique_in_the_database():
    factories.ReleaseCandidateFactory(source="feed", upstream_id="a/b/c")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReleaseCandidateFactory(source="feed", upstream_id="a/b/c")


def test_a_changed_curated_value_becomes_a_conflict_only_editors_see(
    curated_catalog, export_document, tmp_path, client, admin_client
):
    document = copy.deepcopy(export_document)
    _variant_entry(document, "qwen2-5-7b")["total_parameters"] = 7_000_000_000
    _ingest(_write(tmp_path, document))

    candidate = ReleaseCandidate.objects.get()
    variant = ModelVariant.objects.get(slug="qwen2-5-7b")
    assert candidate.variant == variant
    assert candidate.diff == {"total_parameters": {"current": 7615616512, "upstream": 7000000000}}
    url = reverse("catalog:variant_detail", args=["qwen", "qwen2-5", "qwen2-5-7b"])
    editor_page = admin_client.get(url).content.decode()
    assert 'id="variant-upstream-conflicts"' in editor_page
    assert "7,000,000,000" in editor_page
    assert 'id="variant-upstream-conflicts"' not in client.get(url).content.decode()


def test_a_malformed_entry_is_recorded_and_the_rest_of_the_run_goes_on(
    curated_catalog, export_document, tmp_path
):
    document = _new_variant(export_document)
    _variant_entry(document, "qwen2-5-14b")["total_parameters"] = "lots"

    run = _ingest(_write(tmp_path, document))

    result = run.results.get()
    assert run.status == IngestRun.Status.PARTIAL
    assert (result.created, result.failed) == (1, 1)
    error = result.errors[0]
    assert "qwen2-5-14b" in error["entry"]
    assert "total_parameters" in error["field"]
    assert ReleaseCandidate.objects.get().upstream_id.endswith("qwen2-5-7b-new")


def test_an_unreadable_feed_is_an_error_of_its_source_not_of_the_run(tmp_path):
    run = _ingest(str(tmp_path / "missing.json"))

    result = run.results.get()
    assert run.status == IngestRun.Status.PARTIAL
    assert result.failed == 1
    assert "missing.json" in result.errors[0]["message"]


def test_a_feed_that_is_not_an_export_is_an_error_naming_the_field(tmp_path):
    run = _ingest(_write(tmp_path, {"format": "something-else", "variants": []}))

    error = run.results.get().errors[0]
    assert error["field"] == "format"


def test_a_run_started_while_another_holds_the_lock_is_skipped():
    # Django's own connection parameters: the embedded server is reached by a socket directory.
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [RUN_LOCK_KEY])
        run = ingest_run_execute(trigger=IngestRun.Trigger.COMMAND, options=IngestOptions())
        other.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK_KEY])

    assert run.status == IngestRun.Status.SKIPPED
    assert not run.results.exists()
    after = ingest_run_execute(trigger=IngestRun.Trigger.COMMAND, options=IngestOptions())
    assert after.status == IngestRun.Status.SUCCEEDED


def test_upstream_changing_a_reviewed_candidate_reopens_it(
    curated_catalog, export_document, tmp_path, admin_user
):
    from curation.services.review import release_candidate_reject

    document = copy.deepcopy(export_document)
    _variant_entry(document, "qwen2-5-7b")["total_parameters"] = 7_000_000_000
    _ingest(_write(tmp_path, document))
    candidate = ReleaseCandidate.objects.get()
    release_candidate_reject(candidate=candidate, editor=admin_user)

    _ingest(_write(tmp_path, document))  # the same upstream value again: stays rejected
    candidate.refresh_from_db()
    assert candidate.status == ReleaseCandidate.Status.REJECTED

    _variant_entry(document, "qwen2-5-7b")["total_parameters"] = 7_100_000_000
    _ingest(_write(tmp_path, document))
    candidate.refresh_from_db()
    assert candidate.status == ReleaseCandidate.Status.PENDING
    assert candidate.diff["total_parameters"]["upstream"] == 7_100_000_000


def test_a_rejected_value_is_not_proposed_again_while_another_change_is(
    curated_catalog, export_document, tmp_path, admin_user
):
    from curation.services.review import release_candidate_reject

    document = copy.deepcopy(export_document)
    entry = _variant_entry(document, "qwen2-5-7b")
    entry["total_parameters"] = 7_000_000_000
    _ingest(_write(tmp_path, document))
    release_candidate_reject(candidate=ReleaseCandidate.objects.get(), editor=admin_user)

    entry["description"] = "A new description upstream."
    _ingest(_write(tmp_path, document))

    candidate = ReleaseCandidate.objects.get()
    assert candidate.status == ReleaseCandidate.Status.PENDING
    assert set(candidate.diff) == {"description"}


def test_a_run_left_running_by_a_killed_process_is_marked_failed_by_the_next():
    killed = IngestRun.objects.create(trigger=IngestRun.Trigger.SCHEDULE)

    ingest_run_execute(trigger=IngestRun.Trigger.COMMAND, options=IngestOptions())

    killed.refresh_from_db()
    assert killed.status == IngestRun.Status.FAILED
    assert killed.error == INTERRUPTED
