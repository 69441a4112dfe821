"""The contract every public page keeps, in both languages: reachable from the navigation,
served under the Content Security Policy, small, one heading, and translated."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import path, reverse
from django.utils import translation

from catalog.models import ArchitectureFeature, ModelFamily, ModelVariant, ModelVersion
from catalog.selectors import PUBLISHED
from hardware.models import Accelerator, HardwareProfile
from licenses.models import License

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("curated_catalog")]

MAX_PAGE_BYTES = 100_000
NAVIGATION = [
    "catalog:variant_list",
    "catalog:family_list",
    "catalog:compare",
    "hardware:fit",
    "licenses:license_list",
    "catalog:feature_list",
    "hardware:index",
    "catalog:trends",
]


def _published(model, **lookups):
    return model.objects.filter(status=PUBLISHED, **lookups).order_by("pk").first()


def _pages() -> list[str]:
    """One URL of every kind of public page, on real curated records."""
    variant = _published(ModelVariant, version__status=PUBLISHED, version__family__status=PUBLISHED)
    version, family = variant.version, variant.version.family
    return [
        reverse("catalog:home"),
        *(reverse(name) for name in NAVIGATION),
        reverse("catalog:version_list"),
        reverse("catalog:family_detail", args=[family.slug]),
        reverse("catalog:version_detail", args=[family.slug, version.slug]),
        reverse("catalog:variant_detail", args=[family.slug, version.slug, variant.slug]),
        reverse("catalog:feature_detail", args=[_published(ArchitectureFeature).slug]),
        reverse("licenses:license_detail", args=[_published(License).slug]),
        reverse("licenses:license_check"),
        reverse("hardware:fit_config"),
        reverse("hardware:sizing"),
        reverse("hardware:accelerator_detail", args=[_published(Accelerator).slug]),
        reverse("hardware:profile_detail", args=[_published(HardwareProfile).slug]),
        reverse("assistants"),
    ]


class _Outline(HTMLParser):
    """Headings, images without alt text, links and the document language of a page."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.images_without_alt = 0
        self.links: set[str] = set()
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "img" and "alt" not in attributes:
            self.images_without_alt += 1
        elif tag == "a" and attributes.get("href"):
            self.links.add(attributes["href"])


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_keeps_the_contract(language):
    client = Client()
    with translation.override(language):
        urls = _pages()
        navigation = {reverse(name) for name in NAVIGATION}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'self'" in response["Content-Security-Policy"], url
        body = response.content
        assert len(body) < MAX_PAGE_BYTES, f"{url}: {len(body)} bytes"
        outline = _Outline()
        outline.feed(body.decode())
        assert outline.lang == language, url
        assert outline.h1 == 1, f"{url}: {outline.h1} <h1>"
        assert outline.images_without_alt == 0, url
        assert navigation <= outline.links, f"{url}: navigation incomplete"
        assert not re.search(rb"\sstyle=|<style[\s>]|\son[a-z]+=", body), f"{url}: inline style/JS"


def test_chinese_pages_are_in_chinese():
    client = Client()
    with translation.override("zh-hans"):
        urls = _pages()
    for url in urls:
        page = client.get(url).content.decode()
        nav = page[page.index("<nav") : page.index("</nav>")]
        assert "模型" in nav, url
        assert "Skip to content" not in page, url


@pytest.mark.parametrize(("language", "text"), [("en", "Page not found"), ("zh-hans", "页面")])
def test_missing_pages_answer_404_in_the_visitors_language(language, text):
    prefix = "" if language == "en" else "/zh-hans"
    for missing in ["/families/no-such-family/", "/licenses/no-such-licence/", "/nothing/here/"]:
        response = Client().get(prefix + missing)
        assert response.status_code == 404, missing
        assert text in response.content.decode(), missing


def test_a_draft_family_is_not_a_page():
    family = ModelFamily.objects.filter(status=PUBLISHED).first()
    version = ModelVersion.objects.filter(family=family).first()
    ModelFamily.objects.filter(pk=family.pk).update(status="draft")
    client = Client()
    assert client.get(reverse("catalog:family_detail", args=[family.slug])).status_code == 404
    url = reverse("catalog:version_detail", args=[family.slug, version.slug])
    assert client.get(url).status_code == 404
    listing = client.get(reverse("catalog:family_list")).content.decode()
    assert reverse("catalog:family_detail", args=[family.slug]) not in listing


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom)]


@pytest.mark.parametrize(
    ("language", "text"), [("en", "Something went wrong"), ("zh-hans", "出错")]
)
def test_errors_answer_500_in_the_visitors_language(settings, language, text):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert text in page
    assert "a bug" not in page
    assert "Traceback" not in page


def test_pages_ask_for_a_login_when_the_registry_is_not_public(settings, admin_client):
    settings.REGISTRY_PUBLIC_READ = False
    url = reverse("catalog:variant_list")
    response = Client().get(url + "?q=qwen")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert admin_client.get(url).status_code == 200
    assert Client().get(reverse("admin:login")).status_code == 200
