"""Internal results entered through the API with a token, uploaded as CSV in the admin:
checked row by row, all or nothing, and visible to signed-in staff only."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import ApiToken
from evaluations.models import Result
from evaluations.services import ResultImportError, results_import_csv
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "variant,benchmark,value,metric,shots,thinking,reporter,date,source_title\n"


@pytest.fixture
def records():
    variant = factories.VariantFactory()
    benchmark = factories.BenchmarkFactory(slug="triage", name="Ticket triage", private=True)
    key = f"{variant.version.family.slug}/{variant.version.slug}/{variant.slug}"
    return variant, benchmark, key


@pytest.fixture
def editor_api():
    editor = factories.make_editor()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=editor, name='ci')[1]}")
    return editor, client


def _body(key, **changes):
    return {
        "variant": key,
        "benchmark": "triage",
        "value": 71.25,
        "metric": "accuracy",
        "shots": 0,
        "thinking": True,
        "reported_by": "internal",
        "reporter": "Applied ML",
        "date": "2026-12-01",
        "source_title": "Nightly triage run",
        **changes,
    }


def test_an_editor_posts_an_internal_run_that_anonymous_readers_never_see(records, editor_api):
    _variant, _benchmark, key = records
    editor, client = editor_api
    created = client.post(reverse("evaluation-list"), _body(key), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["value"] == 71.25
    assert body["variant"] == key
    assert body["setting"] == "zero-shot · thinking"
    assert Result.objects.get().created_by == editor
    anonymous = APIClient()
    assert anonymous.get(reverse("evaluation-list")).json()["count"] == 0
    assert anonymous.get(reverse("evaluation-detail", args=[body["id"]])).status_code == 404
    assert client.get(reverse("evaluation-list")).json()["count"] == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": 101}, "value", "outside the scale of Ticket triage (0 to 100)"),
        ({"benchmark": "nope"}, "benchmark", "Unknown benchmark 'nope'."),
        ({"variant": "a/b/c"}, "variant", "Unknown variant 'a/b/c'."),
        ({"harness": "my-harness"}, "harness", "is not a valid choice"),
        ({"metric": "pass_at_k"}, "pass_k", "A pass@k result names its k."),
        ({"reported_by": "publisher"}, "reported_by", "can only be internal"),
        ({"temperature": 0.6}, "temperature", "Unknown or read-only field."),
        ({"source_title": ""}, "source_url", "Name the source"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(
    records, editor_api, changes, field, message
):
    _variant, _benchmark, key = records
    _editor, client = editor_api
    response = client.post(reverse("evaluation-list"), _body(key, **changes), format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Result.objects.exists()


def test_a_duplicate_of_the_same_run_is_refused(records, editor_api):
    _variant, _benchmark, key = records
    _editor, client = editor_api
    assert client.post(reverse("evaluation-list"), _body(key), format="json").status_code == 201
    again = client.post(reverse("evaluation-list"), _body(key, value=70), format="json")
    assert again.status_code == 400
    assert "already recorded" in str(again.json())
    assert Result.objects.count() == 1


def test_a_csv_of_a_run_is_imported_whole(records):
    _variant, _benchmark, key = records
    text = HEADER + f"{key},triage,71.5,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    text += f"{key},triage,69,accuracy,5,false,Applied ML,2026-12-01,Run A\n"
    imported = results_import_csv(text=text)
    assert len(imported) == 2
    assert {r.reported_by for r in Result.objects.all()} == {"internal"}


def test_a_csv_with_bad_rows_names_each_row_and_field_and_writes_nothing(records):
    _variant, _benchmark, key = records
    text = HEADER
    text += f"{key},triage,71.5,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    text += f"{key},triage,171.5,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    text += f"{key},nope,50,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    text += f"{key},triage,50,accuracy,0,maybe,Applied ML,2026-12-01,Run A\n"
    text += f"{key},triage,71.5,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    with pytest.raises(ResultImportError) as caught:
        results_import_csv(text=text)
    rows = [(row, field) for row, field, _message in caught.value.errors]
    assert rows == [(3, "value"), (4, "benchmark"), (5, "thinking"), (6, None)]
    assert "Repeats row 2" in caught.value.errors[-1][2]
    assert not Result.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (1, None)),
        ("variant,benchmark,colour\n", (1, "colour")),
        ("variant,benchmark,value\n", (1, "metric")),
        (HEADER, (2, None)),
    ],
)
def test_a_csv_that_is_not_a_results_file_is_refused(records, text, expected):
    with pytest.raises(ResultImportError) as caught:
        results_import_csv(text=text)
    assert caught.value.errors[0][:2] == expected


def test_the_admin_upload_lists_the_bad_rows_and_imports_good_files(records, client):
    _variant, _benchmark, key = records
    client.force_login(factories.make_editor())
    url = reverse("admin:evaluations_result_upload")
    assert client.get(url).status_code == 200
    bad = HEADER + f"{key},triage,500,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    response = client.post(url, {"file": SimpleUploadedFile("run.csv", bad.encode())})
    assert response.status_code == 400
    assert "Row 2" in response.content.decode()
    assert not Result.objects.exists()
    good = HEADER + f"{key},triage,50,accuracy,0,true,Applied ML,2026-12-01,Run A\n"
    response = client.post(url, {"file": SimpleUploadedFile("run.csv", good.encode())})
    assert response.status_code == 302
    assert Result.objects.count() == 1
    not_text = SimpleUploadedFile("run.csv", b"\xff\xfe\x00bad")
    assert client.post(url, {"file": not_text}).status_code == 400


def test_a_viewer_may_not_upload(client):
    viewer = factories.make_editor("viewer-x")
    viewer.groups.set([Group.objects.get(name="viewer")])
    client.force_login(viewer)
    assert client.get(reverse("admin:evaluations_result_upload")).status_code == 403
