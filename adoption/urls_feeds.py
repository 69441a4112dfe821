"""The Atom feeds of the adoption layer (adoption/feeds.py)."""

from django.urls import path

from adoption.feeds import ApprovalsFeed, EndpointsFeed, MineFeed, ReleasesFeed

app_name = "adoption_feeds"

urlpatterns = [
    path("feeds/releases.atom", ReleasesFeed(), name="releases"),
    path("feeds/approvals.atom", ApprovalsFeed(), name="approvals"),
    path("feeds/endpoints.atom", EndpointsFeed(), name="endpoints"),
    path("feeds/mine.atom", MineFeed(), name="mine"),
]
