"""Territory as a licence term: "may we use it in the EU?" in the checker, its page, the API
filters and the MCP tool. The Tencent Hunyuan Community License is the real case: it grants no
rights in the European Union, the United Kingdom and South Korea."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from licenses.checker import (
    ALLOWED,
    CONDITIONAL,
    EU_MEMBER_STATES,
    Finding,
    IntendedUse,
    LicenseTerms,
    Question,
    Rating,
    Reason,
    Verdict,
    check,
    excluded_in,
    ratings,
)
from tests import factories
from tests.assistants.test_mcp import ok

HUNYUAN = LicenseTerms(commercial_use=CONDITIONAL, excluded_territories=("EU", "GB", "KR"))
WORLDWIDE = LicenseTerms(commercial_use=ALLOWED, excluded_territories=())
NOT_RECORDED = LicenseTerms(commercial_use=ALLOWED)


def _territory(terms: LicenseTerms, territory: str):
    (answer,) = check(terms, IntendedUse(territory=territory))
    assert answer.question is Question.TERRITORY
    return answer


# --- the checker (pure) --------------------------------------------------------------------


@pytest.mark.parametrize("territory", ["EU", "DE", "FR", "GB", "KR"])
def test_excluded_territories_and_the_member_states_of_an_excluded_union_are_refused(territory):
    answer = _territory(HUNYUAN, territory)
    assert answer.verdict is Verdict.NO
    assert answer.findings == (Finding(Reason.TERRITORY_EXCLUDED, "excluded_territories"),)


@pytest.mark.parametrize("territory", ["US", "CN", "CH", "NO", "JP"])
def test_territories_outside_the_exclusion_are_allowed(territory):
    # Switzerland and Norway are in Europe but not in the union.
    assert _territory(HUNYUAN, territory).verdict is Verdict.YES


def test_the_union_is_partly_excluded_when_a_member_state_is():
    answer = _territory(LicenseTerms(excluded_territories=("DE",)), "EU")
    assert answer.verdict is Verdict.CONDITIONAL
    assert answer.findings[0].reason is Reason.TERRITORY_PARTLY_EXCLUDED
    assert _territory(LicenseTerms(excluded_territories=("DE",)), "FR").verdict is Verdict.YES


def test_no_restriction_recorded_is_unknown_and_none_is_yes():
    assert _territory(NOT_RECORDED, "EU").verdict is Verdict.UNKNOWN
    assert _territory(WORLDWIDE, "EU").verdict is Verdict.YES


def test_the_territory_question_is_asked_only_with_a_territory():
    asked = [a.question for a in check(HUNYUAN, IntendedUse())]
    assert Question.TERRITORY not in asked
    with_users = check(HUNYUAN, IntendedUse(monthly_users=10, territory="DE"))
    assert [a.question for a in with_users] == [Question.COMMERCIAL_PRODUCT, Question.TERRITORY]


def test_excluded_in_names_the_territories_that_touch():
    assert excluded_in("DE", ("EU", "GB")) == (True, ("EU",))
    assert excluded_in("EU", ("DE", "GB")) == (False, ("DE",))
    assert excluded_in("US", ("EU", "GB")) == (False, ())
    assert len(EU_MEMBER_STATES) == 27
    assert "GB" not in EU_MEMBER_STATES


def test_territory_rating():
    assert ratings(HUNYUAN)["excluded_territories"] is Rating.CONDITIONAL
    assert ratings(WORLDWIDE)["excluded_territories"] is Rating.ALLOWED
    assert ratings(NOT_RECORDED)["excluded_territories"] is Rating.UNKNOWN


# --- the model ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_licence_records_territories_only_with_a_restriction():
    license = factories.LicenseFactory.build(
        territory_restricted=False, excluded_territories=["EU"]
    )
    with pytest.raises(ValidationError) as raised:
        license.clean()
    assert "excluded_territories" in raised.value.message_dict
    license = factories.LicenseFactory.build(territory_restricted=True, excluded_territories=[])
    with pytest.raises(ValidationError):
        license.clean()


# --- the page, the API and MCP -----------------------------------------------------------


@pytest.fixture
def hunyuan(db):
    return factories.LicenseFactory(
        slug="territorial",
        name="Territorial Licence",
        commercial_use="allowed",
        territory_restricted=True,
        excluded_territories=["EU", "GB", "KR"],
    )


@pytest.fixture
def worldwide(db):
    return factories.LicenseFactory(slug="worldwide", territory_restricted=False)


@pytest.fixture
def unrecorded(db):
    return factories.LicenseFactory(slug="unrecorded")


def test_checker_page_answers_in_the_eu(client, hunyuan):
    url = reverse("licenses:license_check")
    with translation.override("en"):
        html = client.get(url, {"license": "territorial", "territory": "DE"}).content.decode()
    assert 'id="answer-territory"' in html
    assert "Use it in Germany?" in html
    assert "it excludes European Union." in html
    bad = client.get(url, {"license": "territorial", "territory": "XX"})
    assert bad.status_code == 400
    assert "Use it in this territory" in bad.content.decode()


def test_checker_page_names_territories_in_chinese(client, hunyuan):
    with translation.override("en"):
        url = "/zh-hans" + reverse("licenses:license_check")
    html = client.get(url, {"license": "territorial", "territory": "KR"}).content.decode()
    translation.activate("en")  # the request left Chinese active in this thread
    assert '<html lang="zh-hans">' in html
    assert "韩国" in html


def test_api_filters_licences_and_variants_by_territory(hunyuan, worldwide, unrecorded):
    api = HttpClient()
    slugs = {
        row["slug"] for row in api.get("/api/v1/licenses/", {"allowed_in": "FR"}).json()["results"]
    }
    assert slugs == {"worldwide"}
    us = {
        row["slug"] for row in api.get("/api/v1/licenses/", {"allowed_in": "US"}).json()["results"]
    }
    assert us == {"worldwide", "territorial"}
    restricted = api.get("/api/v1/licenses/", {"territory_restricted": "true"}).json()
    assert [row["slug"] for row in restricted["results"]] == ["territorial"]
    row = api.get("/api/v1/licenses/territorial/").json()
    assert row["territory_restricted"] is True
    assert row["excluded_territories"] == ["EU", "GB", "KR"]
    bad = api.get("/api/v1/licenses/", {"allowed_in": "Europe"})
    assert bad.status_code == 400
    assert "allowed_in" in bad.json()

    version = factories.VersionFactory(license=hunyuan)
    inherits = factories.VariantFactory(version=version)
    own = factories.VariantFactory(version=version, license=worldwide)
    rows = api.get("/api/v1/variants/", {"license_allowed_in": "EU"}).json()["results"]
    slugs = {row["slug"] for row in rows}
    assert own.slug in slugs
    assert inherits.slug not in slugs


def test_mcp_check_license_use_answers_a_territory(hunyuan):
    answer = ok("check_license_use", {"license": "territorial", "territory": "eu"})
    (only,) = answer["answers"]
    assert only["question"] == "territory"
    assert only["verdict"] == "no"
    assert only["reasons"][0]["term"] == "excluded_territories"
