"""Whole responses are cached (public pages for anonymous visitors, API reads for everyone),
keyed by the catalog generation, which every committed write bumps: a save shows at once and
nothing stale is served. ETags come from the generation, so a 304 renders nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import ModelFamily, Organization
from core.generation import TRIGGER_NAME, current_generation, tracked_tables
from core.models import ApiToken
from core.response_cache import HEADER, LocalResponses, etag_generation
from tests import factories
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def response_cache(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60
    # The bump runs at commit; a test never commits, so run it at each statement instead.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _as_if_a_new_transaction():
    # The bump happens once per transaction; a test is one transaction, a request is another.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE llmregistry_cataloggeneration SET last_transaction = 0")


def _viewer(username: str = "viewer-user"):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name="viewer"))
    return user


def _token_client(user) -> APIClient:
    _, plaintext = ApiToken.issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    return client


# --- Pages --------------------------------------------------------------------------------------


def test_a_second_visit_is_served_from_the_cache_with_one_query(response_cache):
    factories.FamilyFactory.create_batch(3)
    client = Client()
    url = reverse("catalog:family_list")
    first = client.get(url)
    assert first[HEADER] == "miss"
    queries, sql = count_queries(lambda: client.get(url))
    second = client.get(url)
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert queries == 1, sql  # the generation
    assert "'self'" in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["ETag"] == first["ETag"]
    assert etag_generation(second["ETag"]) == current_generation()
    assert second["Cache-Control"] == "no-cache"


def test_a_committed_change_is_visible_at_once(response_cache):
    family = factories.FamilyFactory(name="Before")
    client = Client()
    url = reverse("catalog:family_detail", args=[family.slug])
    assert "Before" in client.get(url).content.decode()
    _as_if_a_new_transaction()
    before = current_generation()
    ModelFamily.objects.filter(pk=family.pk).update(name="After")  # any write path bumps
    assert current_generation() == before + 1
    response = client.get(url)
    assert response[HEADER] == "miss"
    assert "After" in response.content.decode()


def test_languages_and_htmx_fragments_are_cached_apart(response_cache):
    factories.VariantFactory()
    client = Client()
    url = reverse("catalog:variant_list")
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    chinese = client.get("/zh-hans" + url)
    assert b"<html" in page.content
    assert b"<html" not in fragment.content
    assert b'lang="zh-hans"' in chinese.content
    again = client.get(url, headers={"HX-Request": "true"})
    assert again[HEADER] == "hit"
    assert again.content == fragment.content


def test_signed_in_visitors_are_never_served_a_cached_page(response_cache, client):
    factories.FamilyFactory()
    url = reverse("catalog:family_list")
    Client().get(url)
    client.force_login(factories.make_editor())
    response = client.get(url)
    assert HEADER not in response


def test_pages_with_a_form_token_are_not_cached(response_cache):
    client = Client()
    url = reverse("hardware:fit_config")
    client.get(url)
    assert HEADER not in client.get(url)


def test_the_admin_is_never_cached_in_any_language(response_cache):
    for url in ("/admin/login/", "/zh-hans/admin/login/"):
        Client().get(url)
        assert HEADER not in Client().get(url)


def test_a_broken_cache_only_costs_rendering(response_cache, settings):
    # Nothing listens on port 1.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    factories.FamilyFactory()
    for url in (reverse("catalog:family_list"), reverse("family-list")):
        response = Client().get(url)
        assert response.status_code == 200
        assert HEADER not in response


# --- API ----------------------------------------------------------------------------------------


def test_an_api_read_is_served_from_the_cache_with_one_query(response_cache):
    factories.VariantFactory.create_batch(3)
    client = APIClient()
    url = reverse("variant-list")
    first = client.get(url)
    assert first[HEADER] == "miss"
    queries, sql = count_queries(lambda: client.get(url))
    second = client.get(url)
    assert second[HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Accept" in second["Vary"]
    assert queries == 1, sql  # the generation


@pytest.mark.parametrize(
    "name",
    ["family-list", "variant-list", "license-list", "recommendation-list", "api-export"],
)
def test_lists_and_the_export_are_cached(response_cache, name):
    factories.RecommendationFactory()
    client = APIClient()
    client.get(reverse(name))
    assert client.get(reverse(name))[HEADER] == "hit"


def test_details_and_lineage_are_cached(response_cache):
    edge = factories.LineageFactory()
    variant = edge.child
    key = f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"
    client = APIClient()
    for url in (reverse("variant-detail", args=[key]), reverse("variant-lineage", args=[key])):
        assert client.get(url)[HEADER] == "miss"
        assert client.get(url)[HEADER] == "hit"


def test_json_csv_and_the_browsable_api_are_cached_apart(response_cache):
    factories.FamilyFactory.create_batch(2)
    client = APIClient()
    url = reverse("family-list")
    json_body = client.get(url).content
    csv_first = client.get(url, {"format": "csv"})
    csv_again = client.get(url, {"format": "csv"})
    assert csv_first["Content-Type"].startswith("text/csv")
    assert (csv_first[HEADER], csv_again[HEADER]) == ("miss", "hit")
    assert csv_again.content == csv_first.content != json_body
    by_accept = client.get(url, HTTP_ACCEPT="text/csv")
    assert by_accept[HEADER] == "miss"  # another Accept, another entry
    assert by_accept["Content-Type"].startswith("text/csv")
    for _ in range(2):
        browsable = client.get(url, HTTP_ACCEPT="text/html")
        assert browsable["Content-Type"].startswith("text/html")
        assert HEADER not in browsable
    assert client.get(url)[HEADER] == "hit"
    assert client.get(url).content == json_body


def test_parameter_order_does_not_split_entries(response_cache):
    factories.FamilyFactory.create_batch(3)
    client = APIClient()
    url = reverse("family-list")
    first = client.get(url + "?ordering=-name&page_size=2")
    assert first[HEADER] == "miss"
    reordered = client.get(url + "?page_size=2&ordering=-name")
    assert reordered[HEADER] == "hit"
    assert reordered.content == first.content
    assert client.get(url + "?page_size=2&ordering=name")[HEADER] == "miss"


def test_an_api_save_through_the_orm_is_visible_on_the_next_read(response_cache):
    organization = factories.OrganizationFactory(name="Before")
    client = APIClient()
    url = reverse("organization-detail", args=[organization.slug])
    client.get(url)
    assert client.get(url)[HEADER] == "hit"
    _as_if_a_new_transaction()
    Organization.objects.filter(pk=organization.pk).update(name="After")
    response = client.get(url)
    assert response[HEADER] == "miss"
    assert response.json()["name"] == "After"


@pytest.mark.django_db(transaction=True)
def test_a_committed_api_write_is_visible_on_the_next_read(settings):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60
    organization = factories.OrganizationFactory(name="Before")
    # Transactional tests flush the groups migrations made: a superuser needs none.
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", PASSWORD)
    writer = _token_client(admin)
    reader = APIClient()
    url = reverse("organization-detail", args=[organization.slug])
    reader.get(url)
    assert reader.get(url)[HEADER] == "hit"
    assert writer.patch(url, {"name": "After"}, format="json").status_code == 200
    response = reader.get(url)
    assert response[HEADER] == "miss"
    assert response.json()["name"] == "After"


def test_drafts_a_viewer_sees_never_reach_anonymous_callers(response_cache, client):
    factories.VariantFactory(status="draft")
    url = reverse("variant-list")
    viewer = _viewer()
    by_token = _token_client(viewer)
    assert by_token.get(url).json()["count"] == 1
    assert by_token.get(url)[HEADER] == "hit"
    client.force_login(viewer)
    by_session = client.get(url)
    assert (by_session.json()["count"], by_session[HEADER]) == (1, "hit")
    assert by_session["Cache-Control"] == "private, no-cache"
    anonymous = APIClient().get(url)
    assert (anonymous.json()["count"], anonymous[HEADER]) == (0, "miss")
    assert anonymous["Cache-Control"] == "no-cache"
    assert anonymous["ETag"] != by_session["ETag"]
    # Editors hold the same view permissions as viewers: they see, and share, the same answer.
    assert _token_client(factories.make_editor()).get(url)[HEADER] == "hit"


def test_signed_in_callers_without_view_permissions_share_the_public_entry(response_cache):
    factories.VariantFactory(status="draft")
    url = reverse("variant-list")
    APIClient().get(url)
    plain = get_user_model().objects.create_user(username="plain", password=PASSWORD)
    response = _token_client(plain).get(url)
    assert (response.json()["count"], response[HEADER]) == (0, "hit")
    assert response["Cache-Control"] == "private, no-cache"


def test_a_hit_costs_the_generation_and_what_authentication_needs(response_cache, client):
    factories.FamilyFactory.create_batch(2)
    url = reverse("family-list")
    viewer = _viewer()
    by_token = _token_client(viewer)
    by_token.get(url)
    queries, sql = count_queries(lambda: by_token.get(url))
    # The token, the user's and the groups' permissions, the generation.
    assert queries == 4, sql
    client.force_login(viewer)
    client.get(url)
    queries, sql = count_queries(lambda: client.get(url))
    # The session, the user, the two permission reads, the generation.
    assert queries == 5, sql


def test_a_bad_token_is_refused_not_served_from_the_cache(response_cache):
    factories.FamilyFactory()
    url = reverse("family-list")
    APIClient().get(url)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get(url)
    assert response.status_code == 401
    assert HEADER not in response


def test_with_public_read_off_anonymous_callers_never_get_a_cached_answer(response_cache, settings):
    factories.FamilyFactory()
    api_url, page_url = reverse("family-list"), reverse("catalog:family_list")
    APIClient().get(api_url)
    Client().get(page_url)
    settings.REGISTRY_PUBLIC_READ = False
    for _ in range(2):
        api = APIClient().get(api_url)
        assert api.status_code in (401, 403)
        assert HEADER not in api
        page = Client().get(page_url)
        assert page.status_code == 302
        assert HEADER not in page
    viewer = _token_client(_viewer())
    viewer.get(api_url)
    assert viewer.get(api_url)[HEADER] == "hit"


# --- ETags --------------------------------------------------------------------------------------


def test_a_matching_if_none_match_is_304_without_reading_the_cache(response_cache, settings):
    settings.REGISTRY_RESPONSE_CACHE_LOCAL_MB = 0  # the shared cache only, to see it unread
    factories.FamilyFactory()
    client = APIClient()
    url = reverse("family-list")
    etag = client.get(url)["ETag"]
    assert etag.startswith('W/"')
    cache.clear()  # a 304 needs the key only
    answers = []
    queries, sql = count_queries(lambda: answers.append(client.get(url, HTTP_IF_NONE_MATCH=etag)))
    response = answers[0]
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert queries == 1, sql
    assert client.get(url)[HEADER] == "miss"  # the cache was not refilled by the 304

    _as_if_a_new_transaction()
    factories.FamilyFactory()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_page_revalidates_to_304(response_cache):
    factories.FamilyFactory()
    client = Client()
    url = reverse("catalog:family_list")
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_if_match_with_the_etag_of_a_cached_read_allows_a_write(response_cache):
    organization = factories.OrganizationFactory()
    editor = _token_client(factories.make_editor())
    url = reverse("organization-detail", args=[organization.slug])
    etag = editor.get(url)["ETag"]
    assert etag_generation(etag) == current_generation()
    response = editor.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200


def test_if_match_with_an_etag_older_than_a_committed_write_is_412(response_cache):
    organization = factories.OrganizationFactory()
    editor = _token_client(factories.make_editor())
    url = reverse("organization-detail", args=[organization.slug])
    etag = editor.get(url)["ETag"]
    _as_if_a_new_transaction()
    Organization.objects.filter(pk=organization.pk).update(name="Changed elsewhere")
    response = editor.patch(url, {"name": "Mine"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    fresh = editor.get(url)["ETag"]
    response = editor.delete(url, HTTP_IF_MATCH=fresh)
    assert response.status_code == 204


# --- The generation -----------------------------------------------------------------------------


def test_every_catalog_table_bumps_the_generation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [TRIGGER_NAME],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    missing = set(tracked_tables()) - triggered
    # A new catalog model needs `RunPython(install_triggers)` in its migration.
    assert missing == set()


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_once_per_committed_transaction():
    before = current_generation()
    with transaction.atomic():
        factories.FamilyFactory.create_batch(3)
        assert current_generation() == before  # not before commit
    assert current_generation() == before + 1


# --- Each process's own copies ------------------------------------------------------------------


def test_a_process_keeps_the_answers_it_served_in_front_of_the_shared_cache(response_cache):
    family = factories.FamilyFactory(name="Kept")
    client = Client()
    url = reverse("family-list")
    assert client.get(url)[HEADER] == "miss"
    cache.clear()  # the shared cache forgets; this process's copy is still right
    queries, sql = count_queries(lambda: client.get(url))
    again = client.get(url)
    assert again[HEADER] == "hit"
    assert queries == 1, sql  # the generation only
    _as_if_a_new_transaction()
    family.name = "Changed"
    family.save()
    fresh = client.get(url)
    assert fresh[HEADER] == "miss"
    assert "Changed" in fresh.text


def test_local_copies_stay_within_their_memory_bound():
    local = LocalResponses(max_bytes=100)
    for key in ("a", "b", "c"):
        local.put(key, (200, {}, b"x" * 40))
    assert local.get("a") is None  # the least recently used went first
    assert local.get("b") is not None
    local.put("d", (200, {}, b"x" * 40))
    assert local.get("c") is None  # "b" was used more recently than "c"
    assert local.get("b") is not None
    local.put("huge", (200, {}, b"x" * 101))
    assert local.get("huge") is None
    assert local.size <= 100


def test_local_copies_can_be_turned_off(response_cache, settings):
    settings.REGISTRY_RESPONSE_CACHE_LOCAL_MB = 0
    factories.FamilyFactory()
    client = Client()
    url = reverse("family-list")
    assert client.get(url)[HEADER] == "miss"
    cache.clear()
    assert client.get(url)[HEADER] == "miss"
