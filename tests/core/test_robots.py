"""/robots.txt and /favicon.ico answer (they were 404s): robots keep out of an intranet
registry unless the operator opens it (REGISTRY_ROBOTS_ALLOW), and the favicon is the site's."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

pytestmark = pytest.mark.django_db


def test_robots_are_kept_out_by_default():
    response = Client().get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == ["User-agent: *", "Disallow: /"]


def test_robots_may_crawl_the_pages_when_the_operator_allows_it(settings):
    settings.REGISTRY_ROBOTS_ALLOW = True
    lines = Client().get("/robots.txt").content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /" not in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /zh-hans/admin/" in lines
    assert "Disallow: /mcp" in lines


def test_robots_and_favicon_answer_without_signing_in_when_reads_are_private(settings):
    settings.REGISTRY_PUBLIC_READ = False
    client = Client()
    assert client.get("/robots.txt").status_code == 200
    assert client.get("/favicon.ico").status_code == 302
    assert client.get("/models/").status_code == 302  # the pages themselves still ask


def test_favicon_ico_leads_to_the_site_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 302  # temporary: the static file's hashed name changes
    assert response["Location"] == static("img/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("img/favicon.svg")


def test_robots_txt_is_not_under_a_language_prefix():
    assert Client().get("/zh-hans/robots.txt").status_code == 404


def test_a_signed_in_visitor_gets_the_same_robots(client):
    client.force_login(get_user_model().objects.create_user(username="someone"))
    assert client.get("/robots.txt").content.decode().splitlines()[-1] == "Disallow: /"
