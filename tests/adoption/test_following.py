"""'What I follow' (``/our/following/``): a reader subscribes themselves to a family, a use
case, a deployment or everything, for chosen kinds of event, and stops; what they follow is
what their "mine" feed carries. Bad choices are named on their field, and nothing is written."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from adoption.choices import EventKind
from adoption.models import Subscription
from adoption.services.events import event_record, subscriptions_for
from adoption.services.subscriptions import (
    ALREADY_FOLLOWED,
    FOLLOWABLE_KINDS,
    NOT_FOLLOWABLE,
    ONE_SUBJECT,
    subscription_follow,
)
from tests import factories
from tests.queries import assert_same_query_count, count_queries

pytestmark = pytest.mark.django_db

URL = "/our/following/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def viewer(client):
    user = factories.make_staff("follower", "viewer")
    client.force_login(user)
    return user


def test_a_viewer_follows_a_family_and_its_releases_reach_their_feed(client, viewer):
    family = factories.FamilyFactory(name="Followed family")
    factories.FamilyFactory(name="Other family")

    response = client.post(URL, {"family": family.slug, "kinds": [EventKind.NEW_RELEASE]})

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.family, subscription.kinds) == (
        viewer,
        family,
        [EventKind.NEW_RELEASE],
    )
    page = client.get(URL).content.decode()
    assert "Followed: it is in your feed from now on." in page
    assert f'data-subscription="{subscription.pk}"' in page
    assert "Followed family" in page
    event = event_record(kind=EventKind.NEW_RELEASE, title="Release", family=family)
    assert list(subscriptions_for(event)) == [subscription]
    feed = client.get(reverse("adoption_feeds:mine")).content.decode()
    assert "Release" in feed


def test_nothing_chosen_follows_everything_and_every_kind_ticked_is_every_kind(client, viewer):
    response = client.post(URL, {"kinds": list(FOLLOWABLE_KINDS)})

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.kinds == []
    assert (subscription.family, subscription.use_case, subscription.deployment) == (None,) * 3
    assert "Everything" in client.get(URL).content.decode()


def test_two_subjects_at_once_are_refused_naming_the_second_and_nothing_is_written(client, viewer):
    family = factories.FamilyFactory()
    use_case = factories.UseCaseFactory()

    response = client.post(URL, {"family": family.slug, "use_case": use_case.slug})

    assert response.status_code == 400
    assert response.context["form"].errors == {"use_case": [str(ONE_SUBJECT)]}
    assert 'id="following-errors"' in response.content.decode()
    assert not Subscription.objects.exists()


def test_following_the_same_twice_is_refused(client, viewer):
    use_case = factories.UseCaseFactory()
    body = {"use_case": use_case.slug, "kinds": [EventKind.APPROVAL_CHANGED]}
    assert client.post(URL, body).status_code == 302

    again = client.post(URL, body)

    assert again.status_code == 400
    assert again.context["form"].errors == {"use_case": [str(ALREADY_FOLLOWED)]}
    assert Subscription.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("family", "no-such-family"), ("deployment", "999999"), ("kinds", EventKind.TEST)],
)
def test_an_unknown_choice_is_a_400_naming_its_field(client, viewer, field, value):
    response = client.post(URL, {field: value})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not Subscription.objects.exists()


def test_the_test_message_is_not_a_kind_a_reader_follows():
    with pytest.raises(ValidationError) as refused:
        subscription_follow(user=factories.make_staff("s", "viewer"), kinds=[EventKind.TEST])
    assert refused.value.message_dict == {"kinds": [NOT_FOLLOWABLE % {"value": "test"}]}


def test_a_reader_stops_their_own_subscription_and_no_one_elses(client, viewer):
    mine = Subscription.objects.create(user=viewer, kinds=[])
    someone_else = Subscription.objects.create(user=factories.make_editor(), kinds=[])
    team = Subscription.objects.create(webhook=factories.WebhookFactory(), kinds=[])

    for other in (someone_else, team):
        url = reverse("adoption:following_stop", args=[other.pk])
        assert client.post(url).status_code == 404
    assert client.get(reverse("adoption:following_stop", args=[mine.pk])).status_code == 405
    stopped = client.post(reverse("adoption:following_stop", args=[mine.pk]))

    assert stopped.status_code == 302
    assert set(Subscription.objects.values_list("pk", flat=True)) == {someone_else.pk, team.pk}
    assert "Stopped: it is no longer in your feed." in client.get(URL).content.decode()


def test_a_family_page_link_preselects_the_family(client, viewer):
    family = factories.FamilyFactory(name="Preselected")

    page = client.get(URL, {"family": family.slug}).content.decode()

    assert f'<option value="{family.slug}" selected>Preselected</option>' in page


def test_anonymous_and_outsiders_get_404_and_nothing_is_written(client):
    family = factories.FamilyFactory()
    assert client.get(URL).status_code == 404
    client.force_login(get_user_model().objects.create_user("outsider", is_staff=True))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"family": family.slug}).status_code == 404
    assert not Subscription.objects.exists()


def test_the_page_in_chinese(client, viewer):
    with translation.override("zh-hans"):
        page = client.get("/zh-hans" + URL).content.decode()
    assert "我关注的内容" in page


def test_the_page_queries_do_not_grow_with_subscriptions(client, viewer):
    def subscribe(**subject):
        Subscription.objects.create(user=viewer, kinds=[EventKind.NEW_RELEASE], **subject)

    subscribe(family=factories.FamilyFactory())
    one = count_queries(lambda: client.get(URL))
    subscribe(use_case=factories.UseCaseFactory())
    subscribe(deployment=factories.DeploymentFactory())
    subscribe(family=factories.FamilyFactory())
    subscribe()
    many = count_queries(lambda: client.get(URL))
    assert_same_query_count(one, many, URL)
