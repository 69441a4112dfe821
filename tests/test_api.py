"""The REST API contract, resource by resource."""

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from pghistory.models import Events
from rest_framework.test import APIClient

from catalog.models import ModelVariant, Organization
from core.models import ApiToken
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db


ANONYMOUS = "anonymous"
# A signed-in reader's session and user (2) and permissions (2), before the list's own queries.
SIGNED_IN_QUERIES = 4


@dataclass(frozen=True)
class Resource:
    basename: str
    factory: Any
    key: Any  # record -> lookup in the URL
    new: Any  # () -> JSON body of a valid create
    change: dict  # a valid partial update
    writable: bool = True
    # Who reads it: anonymous callers, or a signed-in member of this role group (the company's
    # own records, which anonymous callers never see: tests/adoption/test_api.py).
    reader: str = ANONYMOUS
    # The most queries a list of 5 rows may run (a signed-in reader's session, user and
    # permissions add theirs).
    list_queries: int = 4

    @property
    def internal(self) -> bool:
        return self.reader != ANONYMOUS


def _version_key(v):
    return f"{v.family.slug}/{v.slug}"


def _variant_key(v):
    return f"{v.version.family.slug}/{v.version.slug}/{v.slug}"


RESOURCES = [
    Resource(
        "organization",
        factories.OrganizationFactory,
        lambda r: r.slug,
        lambda: {"slug": "new-org", "name": "New org", "country": "FR"},
        {"name": "Renamed"},
    ),
    Resource(
        "family",
        factories.FamilyFactory,
        lambda r: r.slug,
        lambda: {
            "slug": "new-family",
            "name": "New family",
            "organization": factories.OrganizationFactory().slug,
        },
        {"name": "Renamed"},
    ),
    Resource(
        "version",
        factories.VersionFactory,
        _version_key,
        lambda: {
            "slug": "v1",
            "name": "V1",
            "family": factories.FamilyFactory().slug,
            "release_date": "2024-05-01",
        },
        {"name": "Renamed"},
    ),
    Resource(
        "variant",
        factories.VariantFactory,
        _variant_key,
        lambda: {
            "slug": "new-7b",
            "name": "New-7B",
            "kind": "base",
            "version": _version_key(factories.VersionFactory()),
            "total_parameters": 6_738_415_616,
        },
        {"name": "Renamed"},
    ),
    Resource(
        "feature",
        factories.FeatureFactory,
        lambda r: r.slug,
        lambda: {"slug": "new-feature", "name": "New feature", "category": "attention"},
        {"name": "Renamed"},
    ),
    Resource(
        "license",
        factories.LicenseFactory,
        lambda r: r.slug,
        lambda: {
            "slug": "new-license",
            "name": "New licence",
            "kind": "permissive",
            "commercial_use": "allowed",
        },
        {"name": "Renamed"},
    ),
    Resource(
        "accelerator",
        factories.AcceleratorFactory,
        lambda r: r.slug,
        lambda: {
            "slug": "new-gpu",
            "vendor": "ACME",
            "name": "G1",
            "form": "datacenter",
            "memory": "48",
            "memory_bandwidth_gbps": "900",
        },
        {"name": "Renamed"},
    ),
    Resource(
        "profile",
        factories.ProfileFactory,
        lambda r: r.slug,
        lambda: {
            "slug": "2x-new",
            "name": "2 × new",
            "accelerator": factories.AcceleratorFactory().slug,
            "count": 2,
        },
        {"name": "Renamed"},
    ),
    Resource(
        "sizetier",
        factories.SizeTierFactory,
        lambda r: r.slug,
        lambda: {"slug": "9b", "label": "9B", "parameters_billion": "9"},
        {"label": "9 B"},
    ),
    Resource(
        "benchmark",
        factories.BenchmarkFactory,
        lambda r: r.slug,
        lambda: {
            "slug": "our-triage",
            "name": "Our support-ticket triage",
            "category": "instruction_following",
            "metric": "accuracy",
            "private": True,
        },
        {"name": "Renamed"},
    ),
    Resource(
        "evaluation",
        factories.ResultFactory,
        lambda r: r.pk,
        lambda: {
            "variant": _variant_key(factories.VariantFactory()),
            "benchmark": factories.BenchmarkFactory().slug,
            "value": 61.5,
            "metric": "accuracy",
            "shots": 0,
            "reported_by": "internal",
            "reporter": "Applied ML team",
            "date": "2026-11-30",
            "source_title": "Triage run 2026-11-30",
        },
        {"value": 62.25},
    ),
    Resource(
        "recommendation",
        factories.RecommendationFactory,
        lambda r: r.pk,
        lambda: {},
        {},
        writable=False,
    ),
    Resource(
        "usecase",
        factories.UseCaseFactory,
        lambda r: r.slug,
        lambda: {"slug": "support-chat", "name": "Support chat", "owner": "Support"},
        {"name": "Renamed"},
        reader="viewer",
        list_queries=SIGNED_IN_QUERIES + 3,
    ),
    Resource(
        "approval",
        factories.ApprovalFactory,
        lambda r: r.pk,
        lambda: {
            "use_case": factories.UseCaseFactory().slug,
            "variant": _variant_key(factories.VariantFactory()),
        },
        {"conditions": "Internal users only."},
        reader="viewer",
        list_queries=SIGNED_IN_QUERIES + 4,
    ),
    Resource(
        "deployment",
        factories.DeploymentFactory,
        lambda r: r.pk,
        lambda: {
            "name": "chat-prod",
            "variant": _variant_key(factories.VariantFactory()),
            "environment": "production",
            "engine": "vllm",
            "owner_team": "Platform",
        },
        {"owner_team": "Renamed"},
        reader="viewer",
        list_queries=SIGNED_IN_QUERIES + 3,
    ),
    Resource(
        "artifact",
        factories.ArtifactFactory,
        lambda r: r.pk,
        lambda: {
            "variant": _variant_key(factories.VariantFactory()),
            "uri": "s3://models/new/",
            "format": "gguf",
            "files": [{"path": "model.gguf", "size_bytes": 1024, "sha256": "a" * 64}],
        },
        {"note": "Mirrored from the publisher."},
        reader="viewer",
        list_queries=SIGNED_IN_QUERIES + 4,
    ),
]
IDS = [r.basename for r in RESOURCES]


def _list_url(resource):
    return reverse(f"{resource.basename}-list")


def _detail_url(resource, record):
    return reverse(f"{resource.basename}-detail", args=[resource.key(record)])


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def reader(resource):
    """A client that may read ``resource``: anonymous, or signed in with the reader's role."""
    client = APIClient()
    if resource.internal:
        client.force_login(factories.make_staff(f"{resource.reader}-reader", resource.reader))
    return client


@pytest.fixture
def editor_token():
    editor = factories.make_editor()
    _, plaintext = ApiToken.issue(user=editor, name="test")
    return editor, plaintext


@pytest.fixture
def editor(editor_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token[1]}")
    return client


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_list_and_detail(reader, resource):
    record = resource.factory()
    listed = reader.get(_list_url(resource))
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    detail = reader.get(_detail_url(resource, record))
    assert detail.status_code == 200


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_unknown_key_is_404(reader, resource):
    record = resource.factory()
    url = _detail_url(resource, record)
    missing = url.replace(str(resource.key(record)).split("/")[-1], "no-such-record")
    if isinstance(resource.key(record), int):
        missing = reverse(f"{resource.basename}-detail", args=[record.pk + 1000])
    assert reader.get(missing).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_anonymous_write_is_refused(anonymous, resource):
    record = resource.factory()
    # The company's own records do not exist for anonymous callers, even to write: 404, or
    # the API's 401 with public read off.
    refused = (401, 404) if resource.internal else (401, 403, 405)
    assert anonymous.post(_list_url(resource), {}, format="json").status_code in refused
    response = anonymous.patch(_detail_url(resource, record), {}, format="json")
    assert response.status_code in refused


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.writable], ids=lambda r: r.basename)
def test_editor_writes_go_through_services_and_history(editor, editor_token, resource):
    created = editor.post(_list_url(resource), resource.new(), format="json")
    assert created.status_code == 201, created.json()
    model = resource.factory._meta.model
    record = model.objects.order_by("-pk").first()
    changed = editor.patch(_detail_url(resource, record), resource.change, format="json")
    assert changed.status_code == 200, changed.json()
    update = Events.objects.tracks(record).filter(pgh_label="update").first()
    assert update is not None
    assert update.pgh_context["user"] == editor_token[0].pk


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.writable], ids=lambda r: r.basename)
def test_invalid_write_is_400_with_field_errors(editor, resource):
    response = editor.post(_list_url(resource), {"slug": "Not A Slug!"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_csv_and_json_agree(reader, resource):
    resource.factory.create_batch(3)
    data = reader.get(_list_url(resource)).json()["results"]
    rows = list(
        csv.DictReader(
            io.StringIO(reader.get(_list_url(resource), {"format": "csv"}).content.decode())
        )
    )
    assert len(rows) == len(data) == 3
    first_key = "key" if "key" in data[0] else ("slug" if "slug" in data[0] else "id")
    assert [str(r[first_key]) for r in rows] == [str(d[first_key]) for d in data]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_an_empty_csv_list_is_csv_with_its_header_row(reader, resource):
    # An empty body lost its Content-Type (DRF drops it): clients could not tell what it was.
    response = reader.get(_list_url(resource), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    [header] = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == sorted(header)
    assert {"id", "key", "slug"} & set(header)


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_etag_and_304(reader, resource):
    record = resource.factory()
    for url in (_list_url(resource), _detail_url(resource, record)):
        first = reader.get(url)
        etag = first.headers["ETag"]
        assert reader.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_list_queries_do_not_grow_with_rows(reader, resource):
    url = _list_url(resource)
    resource.factory()
    one = count_queries(lambda: reader.get(url))
    resource.factory.create_batch(4)
    many = count_queries(lambda: reader.get(url))
    assert_same_query_count(one, many, f"{resource.basename} list")
    assert many[0] <= resource.list_queries, many[1]


@pytest.mark.parametrize("resource", RESOURCES, ids=IDS)
def test_detail_queries_are_constant(reader, resource):
    first, second = resource.factory(), resource.factory()
    factories.CitationFactory.create_batch(3, record=second) if resource.basename not in (
        "recommendation",
    ) else None
    one = count_queries(lambda: reader.get(_detail_url(resource, first)))
    many = count_queries(lambda: reader.get(_detail_url(resource, second)))
    assert_same_query_count(one, many, f"{resource.basename} detail")


def test_drafts_are_invisible_to_anonymous_users_and_visible_to_editors(anonymous, editor):
    factories.VariantFactory(status="draft")
    assert anonymous.get(reverse("variant-list")).json()["count"] == 0
    assert editor.get(reverse("variant-list")).json()["count"] == 1


def test_published_variants_of_a_draft_family_stay_hidden_with_it(anonymous, editor):
    draft_family = factories.FamilyFactory(status="draft")
    hidden = factories.VariantFactory(version__family=draft_family, slug="under-draft-family")
    edge = factories.LineageFactory(child=hidden)  # its published parent keeps its page
    factories.RecommendationFactory(variant=hidden)
    variant_url = _detail_url(RESOURCES[3], hidden)

    listed = anonymous.get(reverse("variant-list")).json()["results"]
    assert [v["slug"] for v in listed] == [edge.parent.slug]
    assert anonymous.get(variant_url).status_code == 404
    lineage = anonymous.get(reverse("variant-lineage", args=[_variant_key(edge.parent)])).json()
    assert lineage["descendants"] == []
    assert anonymous.get(reverse("recommendation-list")).json()["count"] == 0
    estimate = anonymous.post(
        reverse("api-estimate"), {"variant": hidden.slug}, format="json"
    ).json()
    assert list(estimate) == ["variant"]

    assert editor.get(reverse("variant-list")).json()["count"] == 2
    assert editor.get(variant_url).status_code == 200
    assert editor.get(reverse("recommendation-list")).json()["count"] == 1


def test_variants_carry_version_family_organization_and_licence_in_brief(anonymous):
    variant = factories.VariantFactory()
    data = anonymous.get(_detail_url(RESOURCES[3], variant)).json()
    assert data["version"]["key"] == _version_key(variant.version)
    assert data["family"]["slug"] == variant.version.family.slug
    assert data["organization"]["slug"] == variant.version.family.organization.slug
    assert data["license"] is None  # no override
    assert data["effective_license"]["slug"] == variant.version.license.slug
    assert "sources" in data


def test_lineage_lists_ancestors_and_descendants(anonymous):
    edge = factories.LineageFactory()
    grandchild = factories.LineageFactory(parent=edge.child).child
    url = reverse("variant-lineage", args=[_variant_key(edge.child)])
    data = anonymous.get(url).json()
    assert [e["parent"]["slug"] for e in data["ancestors"]] == [edge.parent.slug]
    assert [e["child"]["slug"] for e in data["descendants"]] == [grandchild.slug]


def test_deleting_a_referenced_record_is_409_naming_the_referrer(editor):
    family = factories.FamilyFactory()
    response = editor.delete(reverse("organization-detail", args=[family.organization.slug]))
    assert response.status_code == 409
    assert any(family.name in name for name in response.json()["referenced_by"])


def test_stale_if_match_is_412(editor):
    organization = factories.OrganizationFactory()
    url = reverse("organization-detail", args=[organization.slug])
    etag = editor.get(url).headers["ETag"]
    Organization.objects.filter(pk=organization.pk).update(name="Changed elsewhere")
    response = editor.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    fresh = editor.get(url).headers["ETag"]
    assert (
        editor.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    )


def test_read_only_token_cannot_write(editor_token):
    _, plaintext = ApiToken.issue(user=editor_token[0], name="ro", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert client.get(reverse("organization-list")).status_code == 200
    response = client.post(reverse("organization-list"), {"slug": "x", "name": "X"}, format="json")
    assert response.status_code == 403


def test_expired_or_revoked_tokens_are_refused(editor_token):
    from django.utils import timezone

    token = ApiToken.objects.get(user=editor_token[0])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token[1]}")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert client.get(reverse("organization-list")).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None, revoked_at=timezone.now())
    assert client.get(reverse("organization-list")).status_code == 401


def test_tokens_are_stored_hashed_and_record_last_use(editor, editor_token):
    token = ApiToken.objects.get(user=editor_token[0])
    assert editor_token[1] not in (token.token_hash, token.prefix)
    editor.get(reverse("organization-list"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_public_read_can_be_switched_off(anonymous, settings):
    settings.REGISTRY_PUBLIC_READ = False
    assert anonymous.get(reverse("variant-list")).status_code in (401, 403)


def test_session_writes_need_csrf(client):
    editor = factories.make_editor("session-editor")
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(editor)
    response = api.post(reverse("organization-list"), {"slug": "x", "name": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_schema_and_local_docs(anonymous):
    schema = anonymous.get(reverse("api-schema"))
    assert schema.status_code == 200
    page = anonymous.get(reverse("api-swagger")).content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()
    assert "<style>" not in page
    assert anonymous.get(reverse("api-redoc"))["Location"] == reverse("api-swagger")


def test_variant_lookup_is_by_full_key(anonymous):
    variant = factories.VariantFactory()
    other = factories.VariantFactory(slug=variant.slug)
    data = anonymous.get(_detail_url(RESOURCES[3], other)).json()
    assert data["key"] == _variant_key(other)
    assert ModelVariant.objects.filter(slug=variant.slug).count() == 2


def test_anonymous_throttling_holds_when_the_cache_is_down(anonymous, settings):
    # Nothing listens on port 1: every cache call fails (Django resets the cache handlers
    # when the CACHES setting changes).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert anonymous.get(reverse("organization-list")).status_code == 200


def test_anonymous_clients_are_throttled(anonymous, monkeypatch):
    from core.api.throttling import ResilientAnonRateThrottle

    monkeypatch.setattr(ResilientAnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    statuses = [anonymous.get(reverse("organization-list")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_json_nested_past_the_recursion_limit_is_a_400_on_every_write(editor):
    body = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = editor.post(reverse("organization-list"), body, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_an_error_in_one_list_item_is_a_400_keyed_by_its_index(editor):
    organization = factories.OrganizationFactory()
    response = editor.post(
        reverse("family-list"),
        {
            "slug": "indexed",
            "name": "Indexed",
            "organization": organization.slug,
            "aliases": ["fine", None],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "1" in response.json()["aliases"]
