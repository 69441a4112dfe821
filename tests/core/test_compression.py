"""Pages and API answers go out gzip-compressed to clients that accept it (Django's
GZipMiddleware, with its BREACH padding), never to others; answers that carry a visitor's CSRF
token are left uncompressed; ETags and 304s keep working, with the response cache too."""

import gzip

import pytest
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Organization
from core.middleware import CompressionMiddleware
from core.models import ApiToken
from core.response_cache import HEADER
from tests import factories

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def variants():
    return factories.VariantFactory.create_batch(5)


@pytest.fixture
def response_cache(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/models/",
        "/zh-hans/models/",
        "/api/v1/variants/",
        "/api/v1/variants/?format=csv",
        "/api/schema/",
    ],
)
def test_pages_and_api_answers_are_gzipped_for_clients_that_accept_it(variants, url):
    client = Client()
    plain = client.get(url)
    compressed = client.get(url, headers=GZIP)
    assert plain.status_code == compressed.status_code == 200
    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content) / 2
    assert "accept-encoding" in _vary(plain)
    assert "accept-encoding" in _vary(compressed)
    assert gzip.decompress(compressed.content) == plain.content


def test_gzip_headers_are_padded_with_random_bytes_against_breach(variants):
    client = Client()
    lengths = {len(client.get("/api/v1/variants/", headers=GZIP).content) for _ in range(12)}
    assert len(lengths) > 1  # Heal the Breach: 0-99 random bytes in each gzip header


def test_a_page_carrying_a_csrf_token_is_not_compressed():
    response = Client().get(reverse("hardware:fit_config"), headers=GZIP)
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert "Content-Encoding" not in response


def test_event_streams_are_not_compressed():
    request = RequestFactory().get("/mcp/", headers=GZIP)
    answer = HttpResponse(b"data: {}\n\n" * 100, content_type="text/event-stream")
    response = CompressionMiddleware(lambda request: answer)(request)
    assert "Content-Encoding" not in response
    assert response.content == b"data: {}\n\n" * 100


def test_compression_is_djangos_gzip_with_its_breach_padding():
    assert issubclass(CompressionMiddleware, GZipMiddleware)
    assert CompressionMiddleware.max_random_bytes >= 100


@pytest.mark.parametrize("url", ["/models/", "/api/v1/variants/"])
def test_etag_and_304_still_work_when_compressed(variants, url):
    client = Client()
    first = client.get(url, headers=GZIP)
    assert first["Content-Encoding"] == "gzip"
    etag = first["ETag"]
    assert etag.startswith('W/"')  # a compressed body is not byte-identical to the plain one
    again = client.get(url, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert "accept-encoding" in _vary(again)
    # The same validator holds for a client that takes the plain body.
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("url", ["/models/", "/api/v1/variants/"])
def test_cached_answers_are_compressed_per_request_and_share_one_entry(
    response_cache, variants, url
):
    client = Client()
    first = client.get(url, headers=GZIP)
    assert first[HEADER] == "miss"
    assert first["Content-Encoding"] == "gzip"
    plain = client.get(url)
    assert plain[HEADER] == "hit"  # one entry for both encodings: it holds the plain body
    assert "Content-Encoding" not in plain
    assert gzip.decompress(first.content) == plain.content
    compressed = client.get(url, headers=GZIP)
    assert compressed[HEADER] == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert "accept-encoding" in _vary(compressed)
    assert compressed["ETag"] == plain["ETag"] == first["ETag"]
    not_modified = client.get(url, headers={**GZIP, "If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    assert "accept-encoding" in _vary(not_modified)


def test_the_etag_of_a_compressed_read_is_accepted_by_if_match():
    # Compression weakens the record's ETag (W/"<md5 of its JSON>"); it still names the JSON.
    organization = factories.OrganizationFactory(description="A long description. " * 20)
    _, plaintext = ApiToken.issue(user=factories.make_editor(), name="test")
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    url = reverse("organization-detail", args=[organization.slug])
    read = editor.get(url, headers=GZIP)
    assert read["Content-Encoding"] == "gzip"
    etag = read["ETag"]
    assert etag.startswith('W/"')
    written = editor.patch(url, {"name": "Mine"}, format="json", headers={"If-Match": etag})
    assert written.status_code == 200
    Organization.objects.filter(pk=organization.pk).update(name="Changed elsewhere")
    stale = editor.patch(url, {"name": "Again"}, format="json", headers={"If-Match": etag})
    assert stale.status_code == 412


def test_compression_can_be_turned_off_for_a_proxy_that_compresses(settings, variants):
    settings.REGISTRY_COMPRESSION = False
    response = Client().get("/models/", headers=GZIP)
    assert "Content-Encoding" not in response
