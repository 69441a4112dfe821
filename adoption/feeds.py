"""Atom feeds of the adoption layer's events: new releases, approval changes, endpoints down and
up, and "mine" (what the reader's own subscriptions follow).

Internal data: a reader is a signed-in user with ``adoption.view_event``, or a feed reader that
passes an API token as ``?token=`` (feed readers cannot send headers) whose user has it.
Anyone else gets 404, as if the feed did not exist. Answers are never cached: not by the
response cache (a revoked token stops working at once), not by proxies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.cache import add_never_cache_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed

from adoption.choices import EventKind
from adoption.models import Event, Subscription
from adoption.services.events import SUBJECTS
from core.authentication import HashedTokenAuthentication

# The permission that lets a user read the events.
VIEW_PERMISSION = "adoption.view_event"
# The query parameter a feed reader passes its API token in.
TOKEN_PARAMETER = "token"  # noqa: S105 - the parameter's name, not a token
ITEMS = 50


@dataclass(frozen=True)
class Reader:
    """Who reads the feed, and the request's address for links."""

    user: object
    request: HttpRequest


@dataclass(frozen=True)
class Item:
    """One event of a feed, with its absolute link and its unique id."""

    event: Event
    link: str
    guid: str


def feed_reader(request: HttpRequest) -> Reader:
    """The signed-in user, or the user of the ``?token=`` API token, when they may read events;
    else Http404."""
    user = request.user
    if not (user.is_authenticated and user.has_perm(VIEW_PERMISSION)):
        key = request.GET.get(TOKEN_PARAMETER, "")
        if not key:
            raise Http404
        try:
            user, _token = HashedTokenAuthentication().authenticate_credentials(key)
        except AuthenticationFailed:
            raise Http404 from None
        if not user.has_perm(VIEW_PERMISSION):
            raise Http404
    return Reader(user=user, request=request)


def subscribed_events(user) -> Q:
    """The events ``user``'s own subscriptions follow, as ``events.subscriptions_for`` matches
    them the other way round: of a subscription's kinds (every kind when it names none), about
    one of its subjects (anything when it names none). A subscription to NEW_VERSION follows
    the new releases of its family."""
    everything = Q(pk__isnull=False)
    terms = []
    for subscription in Subscription.objects.filter(user=user).values(
        "kinds", *(f"{name}_id" for name in SUBJECTS)
    ):
        term = everything
        kinds = set(subscription["kinds"])
        if EventKind.NEW_VERSION in kinds:
            kinds.add(EventKind.NEW_RELEASE)
        if kinds:
            term &= Q(kind__in=sorted(kinds))
        subjects = [
            Q(**{f"{name}_id": subscription[f"{name}_id"]})
            for name in SUBJECTS
            if subscription[f"{name}_id"] is not None
        ]
        if subjects:
            term &= reduce(or_, subjects)
        terms.append(term)
    return reduce(or_, terms) if terms else Q(pk__in=[])


class EventFeed(Feed):
    """The ITEMS newest events of ``kinds``, as Atom. Subclasses name the kinds and the title."""

    feed_type = Atom1Feed
    kinds: tuple[str, ...] = ()
    title = _("Events")
    subtitle = _("The LLM Registry's events.")

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_object(self, request, *args, **kwargs) -> Reader:
        return feed_reader(request)

    def link(self, reader: Reader) -> str:
        return reader.request.path

    def events(self, reader: Reader):
        return Event.objects.filter(kind__in=self.kinds)

    def items(self, reader: Reader) -> list[Item]:
        request = reader.request
        items = []
        for event in self.events(reader).exclude(kind=EventKind.TEST)[:ITEMS]:
            link = request.build_absolute_uri(event.path or request.path)
            items.append(Item(event=event, link=link, guid=f"{link}#event-{event.pk}"))
        return items

    def item_title(self, item: Item) -> str:
        return item.event.title

    def item_description(self, item: Item) -> str:
        return item.event.summary or str(EventKind(item.event.kind).label)

    def item_link(self, item: Item) -> str:
        return item.link

    def item_guid(self, item: Item) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: Item):
        return item.event.occurred_at

    def item_updateddate(self, item: Item):
        return item.event.occurred_at

    def item_categories(self, item: Item) -> list[str]:
        return [item.event.kind]


class ReleasesFeed(EventFeed):
    kinds = (EventKind.NEW_RELEASE, EventKind.NEW_VERSION)
    title = _("New releases")
    subtitle = _("Model versions new in the LLM Registry.")


class ApprovalsFeed(EventFeed):
    kinds = (EventKind.APPROVAL_CHANGED,)
    title = _("Approval changes")
    subtitle = _("Approvals of models for the company's use cases that changed.")


class EndpointsFeed(EventFeed):
    kinds = (EventKind.ENDPOINT_DOWN, EventKind.ENDPOINT_UP)
    title = _("Endpoints down and up")
    subtitle = _("Deployments whose endpoint stopped answering, or answers again.")


class MineFeed(EventFeed):
    title = _("My subscriptions")
    subtitle = _("Events about the families, use cases and deployments you follow.")

    def events(self, reader: Reader):
        return Event.objects.filter(subscribed_events(reader.user))
