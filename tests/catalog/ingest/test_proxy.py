"""Ingestion requests go through INGEST_PROXY when one is set (a local fake proxy here)."""

from pytest_httpserver import HTTPServer

from catalog.ingest.sources import FeedSource


def test_a_feed_url_is_fetched_through_the_proxy(httpserver: HTTPServer):
    document = {"format": "llmregistry-catalog", "format_version": 1}
    httpserver.expect_request("/api/v1/export/").respond_with_json(document)
    # The proxy sees the absolute address of a host that does not resolve: only a proxy can
    # answer for it.
    source = FeedSource(
        location="http://registry.invalid/api/v1/export/",
        proxy=httpserver.url_for("/").rstrip("/"),
        timeout_seconds=5,
        max_retries=0,
    )
    try:
        [(label, fetched)] = list(source.documents())
    finally:
        source.close()

    assert fetched == document
    assert "registry.invalid" in label
    request, _response = httpserver.log[0]
    assert request.host == "registry.invalid"
