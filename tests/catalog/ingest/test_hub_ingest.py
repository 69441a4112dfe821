"""A watched Hub publisher ingested end to end against a local fake Hub (recorded answers):
listing, include patterns, model info and config.json, the candidate with its guessed version
and parameter note; a rerun fetches nothing it has seen; a failing Hub is one source's error."""

import pytest

from catalog.ingest.services import IngestOptions, ingest_run_execute
from catalog.models import IngestRun, ReleaseCandidate
from tests import factories
from tests.catalog.ingest.test_sources import (
    LLAMA,
    LLAMA_SHA,
    config_file,
    requests_to,
    serve_hub_listing,
    serve_llama_info,
    upstream,  # noqa: F401 - fixture
    upstream_server,  # noqa: F401 - fixture
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub_settings(settings, upstream):  # noqa: F811 - the fixture imported above
    settings.HF_ENDPOINT = upstream.url_for("").rstrip("/")
    settings.INGEST_MAX_RETRIES = 1
    settings.INGEST_TIMEOUT_SECONDS = 2
    return settings.HF_ENDPOINT


@pytest.fixture
def llama_publisher():
    family = factories.FamilyFactory(slug="llama", name="Llama")
    version = factories.VersionFactory(
        family=family, slug="llama-3", name="Llama 3", license=factories.LicenseFactory()
    )
    factories.LicenseFactory(slug="llama-3-community")
    publisher = factories.WatchedPublisherFactory(
        source="hf",
        author="meta-llama",
        organization=family.organization,
        default_family=family,
        include_patterns=["Meta-Llama-3-*"],
    )
    return publisher, version


def _run(**options) -> IngestRun:
    return ingest_run_execute(trigger=IngestRun.Trigger.COMMAND, options=IngestOptions(**options))


def test_a_new_hub_repository_becomes_a_candidate_in_its_guessed_version(
    upstream,  # noqa: F811
    hub_settings,
    llama_publisher,
):
    publisher, version = llama_publisher
    serve_hub_listing(upstream, hub_settings)
    serve_llama_info(upstream, hub_settings)
    upstream.expect_request(f"/{LLAMA}/resolve/{LLAMA_SHA}/config.json").respond_with_data(
        config_file("meta-llama__Meta-Llama-3-8B.json"), content_type="application/json"
    )

    run = _run(sources=("hf",))

    result = run.results.get()
    assert (result.seen, result.created, result.skipped, result.failed) == (5, 1, 4, 0)
    candidate = ReleaseCandidate.objects.get()
    assert candidate.upstream_id == LLAMA
    assert candidate.revision == LLAMA_SHA
    assert candidate.version == version
    assert candidate.publisher == publisher
    assert candidate.diff["total_parameters"]["upstream"] == 8030261248
    assert candidate.diff["hf_repo_id"]["upstream"] == LLAMA
    assert candidate.diff["num_kv_heads"]["upstream"] == 8
    # The Hub's "llama3" is the catalog's Llama 3 licence, not the version's (a factory's).
    assert candidate.diff["license"]["upstream"] == "llama-3-community"
    assert {note["code"] for note in candidate.facts["notes"]} >= {"parameters_equal"}
    assert candidate.payload["config"]["model_type"] == "llama"
    publisher.refresh_from_db()
    assert publisher.last_checked_at == run.started_at

    second = _run(sources=("hf",))

    assert second.results.get().created == 0
    assert len(requests_to(upstream, f"/api/models/{LLAMA}")) == 1  # not fetched again


def test_a_failing_hub_is_an_error_of_that_publisher_and_the_feed_still_runs(
    upstream,  # noqa: F811
    hub_settings,
    llama_publisher,
    tmp_path,
):
    upstream.expect_request("/api/models").respond_with_data("down", status=503)
    feed = tmp_path / "feed"
    feed.mkdir()
    factories.WatchedPublisherFactory(source="feed", author="peer", feed_location=str(feed))

    run = _run()

    results = {r.source: r for r in run.results.all()}
    assert run.status == IngestRun.Status.PARTIAL
    assert results["hf"].failed == 1
    assert "503" in results["hf"].errors[0]["message"]
    assert results["feed"].failed == 0
