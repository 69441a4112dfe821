"""Single sign-on: the whole authorization-code flow against a local OpenID Connect provider
(tests/oidc_provider.py), with the provider's groups mapped to the registry's roles."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from tests.oidc_provider import OIDCProvider

pytestmark = pytest.mark.django_db

BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ops.sso.RegistryOIDCBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ALICE = {
    "sub": "0f3c-alice",
    "email": "alice@example.com",
    "email_verified": True,
    "preferred_username": "alice",
    "given_name": "Alice",
    "family_name": "Liddell",
}


@pytest.fixture
def provider(httpserver, settings):
    provider = OIDCProvider(httpserver)
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    return provider


def sign_in(client: Client, provider: OIDCProvider, next_url: str | None = None):
    """What a browser does: ask the registry to sign in, visit the provider, come back."""
    start = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert start.status_code == 302
    assert start["Location"].startswith(provider.server.url_for("/authorize"))
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/oidc/callback/"
    return client.get(back.path, parse_qs(back.query))


def signed_in_user(client: Client):
    return get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_an_editor_at_the_provider_signs_in_as_an_editor(provider, settings):
    provider.claims = {**ALICE, "groups": ["staff", "registry-editors"]}
    client = Client()
    answer = sign_in(client, provider)
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/"
    user = signed_in_user(client)
    assert user.username == "alice"
    assert user.email == "alice@example.com"
    assert (user.first_name, user.last_name) == ("Alice", "Liddell")
    assert user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["editor"]
    assert user.has_perm("catalog.change_modelvariant")
    assert client.get("/admin/").status_code == 200


def test_the_sign_in_uses_pkce_and_the_client_secret(provider):
    provider.claims = {**ALICE, "groups": ["registry-viewers"]}
    sign_in(Client(), provider)
    (token_request,) = provider.token_requests
    assert token_request["grant_type"] == "authorization_code"
    assert token_request["code_verifier"]
    assert token_request["redirect_uri"] == "http://testserver/oidc/callback/"


def test_an_admin_at_the_provider_is_a_superuser(provider):
    provider.claims = {**ALICE, "groups": ["registry-admins", "registry-editors"]}
    client = Client()
    sign_in(client, provider)
    user = signed_in_user(client)
    assert user.is_superuser
    assert user.is_staff
    assert not user.groups.exists()
    assert client.get("/admin/auth/user/").status_code == 200


def test_a_user_in_no_mapped_group_may_read_but_not_enter_the_admin(provider, settings):
    settings.REGISTRY_PUBLIC_READ = False
    provider.claims = {**ALICE, "groups": ["finance"]}
    client = Client()
    sign_in(client, provider)
    user = signed_in_user(client)
    assert user is not None
    assert not user.is_staff
    assert client.get("/models/").status_code == 200
    assert client.get("/api/v1/variants/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_roles_follow_the_provider_at_every_sign_in(provider):
    provider.claims = {**ALICE, "groups": ["ml-platform"]}
    sign_in(Client(), provider)
    provider.claims = {**ALICE, "groups": ["registry-viewers"]}
    client = Client()
    sign_in(client, provider)
    user = signed_in_user(client)
    assert list(user.groups.values_list("name", flat=True)) == ["viewer"]
    assert not user.has_perm("catalog.change_modelvariant")
    provider.claims = {**ALICE, "groups": []}
    sign_in(client, provider)
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.groups.exists()
    assert get_user_model().objects.filter(email="alice@example.com").count() == 1


def test_an_existing_account_is_matched_by_email_and_keeps_its_name(provider):
    existing = get_user_model().objects.create_user("a.liddell", email="ALICE@example.com")
    existing.groups.add(Group.objects.get(name="editor"))
    provider.claims = {**ALICE, "groups": ["registry-viewers"]}
    client = Client()
    sign_in(client, provider)
    assert signed_in_user(client) == existing
    existing.refresh_from_db()
    assert existing.username == "a.liddell"
    assert list(existing.groups.values_list("name", flat=True)) == ["viewer"]


def test_a_taken_preferred_username_falls_back_to_a_stable_hash(provider):
    get_user_model().objects.create_user("alice", email="another-alice@example.com")
    provider.claims = {**ALICE, "groups": ["registry-viewers"]}
    client = Client()
    sign_in(client, provider)
    user = signed_in_user(client)
    assert user.username not in ("alice", "")
    assert user.email == "alice@example.com"


def test_the_next_address_is_kept_when_it_is_on_this_site(provider):
    provider.claims = {**ALICE, "groups": ["registry-editors"]}
    answer = sign_in(Client(), provider, next_url="/admin/catalog/modelvariant/")
    assert answer["Location"] == "/admin/catalog/modelvariant/"
    answer = sign_in(Client(), provider, next_url="https://elsewhere.example/")
    assert answer["Location"] == "/admin/"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda p: setattr(p, "forge_signature", True), "a key the provider does not publish"),
        (lambda p: setattr(p, "wrong_nonce", True), "a nonce the client did not send"),
        (lambda p: p.claims.update(email_verified=False), "an unverified e-mail"),
        (lambda p: p.claims.pop("email"), "no e-mail"),
    ],
)
def test_an_answer_that_does_not_verify_signs_no_one_in(provider, tamper, reason):
    provider.claims = {**ALICE, "groups": ["registry-admins"]}
    tamper(provider)
    client = Client()
    answer = sign_in(client, provider)
    assert answer.status_code == 302, reason
    assert answer["Location"] == "/admin/login/?sso=failed", reason
    assert signed_in_user(client) is None, reason
    assert not get_user_model().objects.exists(), reason


def test_a_replayed_callback_signs_no_one_in(provider):
    provider.claims = {**ALICE, "groups": ["registry-editors"]}
    client = Client()
    start = client.get("/oidc/authenticate/")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["Location"])
    assert client.get(back.path, parse_qs(back.query))["Location"] == "/admin/"
    other = Client()
    replay = other.get(back.path, parse_qs(back.query))
    assert replay["Location"] == "/admin/login/?sso=failed"
    assert signed_in_user(other) is None


def test_a_provider_that_is_down_sends_the_user_back_with_a_message(provider, settings):
    provider.claims = {**ALICE, "groups": ["registry-editors"]}
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"  # discard port: refused
    client = Client()
    answer = sign_in(client, provider)
    assert answer["Location"] == "/admin/login/?sso=failed"
    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert "Single sign-on did not complete" in page.text


def test_the_sign_in_page_offers_the_provider(provider):
    page = Client().get("/admin/login/?next=/admin/")
    assert "Sign in with Example SSO" in page.text
    assert 'href="/oidc/authenticate/?next=/admin/"' in page.text


def test_single_sign_on_is_absent_until_configured(settings):
    assert settings.OIDC_ENABLED is False
    assert "ops.sso.RegistryOIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    client = Client()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
    assert "Sign in with" not in client.get("/admin/login/").text


def test_password_sign_in_still_works_beside_it(provider):
    get_user_model().objects.create_user(
        "local-admin", password="a long local passphrase", is_staff=True
    )
    client = Client()
    answer = client.post(
        "/admin/login/", {"username": "local-admin", "password": "a long local passphrase"}
    )
    assert answer.status_code == 302
    assert signed_in_user(client).username == "local-admin"
