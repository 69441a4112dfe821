"""The Atom feeds: readable by a signed-in viewer or with an API token in the address whose user
may read events; 404 for everyone else; "mine" lists only what the reader follows."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from adoption.choices import EventKind
from core.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
RELEASES = "/our/feeds/releases.atom"
MINE = "/our/feeds/mine.atom"


def _titles(response) -> list[str]:
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer
    return [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]


@pytest.fixture
def viewer():
    return factories.make_staff("viewer-1", "viewer")


@pytest.fixture
def release():
    return factories.EventFactory(
        kind=EventKind.NEW_RELEASE, title="New in the registry: Qwen3", path="/families/q/q3/"
    )


def test_an_anonymous_reader_gets_404_not_403(client, release):
    assert client.get(RELEASES).status_code == 404
    assert client.get(RELEASES, {"token": "llmr_not-a-token"}).status_code == 404


def test_a_token_whose_user_may_read_events_opens_the_feed(client, viewer, release):
    _token, plaintext = ApiToken.issue(user=viewer, name="feed reader", read_only=True)

    response = client.get(RELEASES, {"token": plaintext})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert _titles(response) == ["New in the registry: Qwen3"]
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer
    entry = next(root.iter(f"{ATOM}entry"))
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/families/q/q3/"
    assert entry.findtext(f"{ATOM}id") == f"http://testserver/families/q/q3/#event-{release.pk}"
    assert root.findtext(f"{ATOM}title") == "New releases"


def test_a_token_of_a_user_without_the_permission_gets_404(client, release):
    user = get_user_model().objects.create_user(username="outsider", password="x" * 12)
    _token, plaintext = ApiToken.issue(user=user, name="feed reader")

    assert client.get(RELEASES, {"token": plaintext}).status_code == 404


def test_a_revoked_token_gets_404(client, viewer, release):
    token, plaintext = ApiToken.issue(user=viewer, name="feed reader")
    token.revoked_at = timezone.now()
    token.save()

    assert client.get(RELEASES, {"token": plaintext}).status_code == 404


def test_a_signed_in_viewer_reads_each_feed_with_its_own_kinds(client, viewer, release):
    factories.EventFactory(kind=EventKind.APPROVAL_CHANGED, title="Approved")
    factories.EventFactory(kind=EventKind.ENDPOINT_DOWN, title="Down")
    factories.EventFactory(kind=EventKind.TEST, title="Test message")
    client.force_login(viewer)

    assert _titles(client.get(RELEASES)) == ["New in the registry: Qwen3"]
    assert _titles(client.get("/our/feeds/approvals.atom")) == ["Approved"]
    assert _titles(client.get("/our/feeds/endpoints.atom")) == ["Down"]


def test_a_feed_holds_the_50_newest_events(client, viewer):
    now = timezone.now()
    for minutes in range(55):
        factories.EventFactory(
            kind=EventKind.APPROVAL_CHANGED,
            title=f"Change {minutes}",
            occurred_at=now - timezone.timedelta(minutes=minutes),
        )
    client.force_login(viewer)

    titles = _titles(client.get("/our/feeds/approvals.atom"))

    assert len(titles) == 50
    assert titles[0] == "Change 0"
    assert titles[-1] == "Change 49"


def test_a_feed_answer_is_never_cached_so_a_revoked_token_stops_at_once(
    client, viewer, release, settings
):
    settings.REGISTRY_PAGE_CACHE_SECONDS = 60
    token, plaintext = ApiToken.issue(user=viewer, name="feed reader")

    response = client.get(RELEASES, {"token": plaintext})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token.revoked_at = timezone.now()
    token.save()

    assert client.get(RELEASES, {"token": plaintext}).status_code == 404


def test_mine_lists_only_the_events_about_what_the_reader_follows(client, viewer):
    followed = factories.FamilyFactory()
    other = factories.FamilyFactory()
    use_case = factories.UseCaseFactory()
    factories.SubscriptionFactory(webhook=None, user=viewer, family=followed)
    factories.SubscriptionFactory(
        webhook=None, user=viewer, use_case=use_case, kinds=[EventKind.APPROVAL_CHANGED]
    )
    factories.EventFactory(kind=EventKind.NEW_RELEASE, title="Followed family", family=followed)
    factories.EventFactory(kind=EventKind.NEW_RELEASE, title="Other family", family=other)
    factories.EventFactory(kind=EventKind.APPROVAL_CHANGED, title="Use case", use_case=use_case)
    factories.EventFactory(kind=EventKind.ENDPOINT_DOWN, title="Use case down", use_case=use_case)
    factories.EventFactory(kind=EventKind.APPROVAL_CHANGED, title="No subject")
    client.force_login(viewer)

    assert sorted(_titles(client.get(MINE))) == ["Followed family", "Use case"]


def test_mine_follows_new_versions_of_a_family_and_everything_when_nothing_is_named(client, viewer):
    followed = factories.FamilyFactory()
    factories.EventFactory(kind=EventKind.NEW_RELEASE, title="Release", family=followed)
    factories.EventFactory(kind=EventKind.ENDPOINT_DOWN, title="Down")
    client.force_login(viewer)
    assert _titles(client.get(MINE)) == []

    factories.SubscriptionFactory(
        webhook=None, user=viewer, family=followed, kinds=[EventKind.NEW_VERSION]
    )
    assert _titles(client.get(MINE)) == ["Release"]

    factories.SubscriptionFactory(webhook=None, user=viewer)
    assert sorted(_titles(client.get(MINE))) == ["Down", "Release"]
