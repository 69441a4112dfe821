"""The evaluation results of a model card (its model-index) proposed on a release candidate:
each row mapped onto the registry's benchmarks or naming why it cannot be, accepted or
rejected one by one at approval, recorded all or nothing. On the real database, through the
services and the admin's review page; the card is the stored Hub payload of
tests/catalog/ingest/test_parse_evaluations.py (no network)."""

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import pghistory.models
import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from catalog.ingest.diff import CatalogIndex
from catalog.ingest.parse import parse_hf_release
from catalog.ingest.services import release_candidate_upsert
from catalog.models import ModelVariant, ReleaseCandidate
from curation.services.card_results import (
    ALREADY_RECORDED,
    BENCHMARK_ALIASES,
    CONFIG_ALIASES,
    FRACTION_NOTE,
    NORMALISED_NOTE,
    NOT_ACCEPTABLE,
    REPEATS,
    UNKNOWN_BENCHMARK,
    UNKNOWN_RESULTS,
    UNKNOWN_SETTING,
    UNREADABLE,
    card_benchmark,
    card_result_rows,
)
from curation.services.review import (
    ReviewError,
    release_candidate_approve,
    release_candidate_reject,
)
from evaluations.models import Result
from evaluations.models.results import OUTSIDE_SCALE
from tests import factories
from tests.queries import assert_same_query_count, count_queries

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests/fixtures/ingest/hf/Qwen__Qwen2.5-7B-Instruct-model-index.json"
CARD_URL = "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct"
LEADERBOARD = "cardData.model-index[0]"
OWN = "cardData.model-index[1]"
OUTSIDE = "cardData.model-index[2]"


def _payload() -> dict:
    return json.loads(FIXTURE.read_text("utf-8"))


def _ingest(payload: dict, publisher) -> ReleaseCandidate:
    facts = parse_hf_release(payload, None)
    release_candidate_upsert(
        facts=facts,
        payload={"info": payload, "config": None, "config_problem": ""},
        publisher=publisher,
        run=None,
        index=CatalogIndex.load(),
    )
    return ReleaseCandidate.objects.select_related("publisher__organization").get(
        upstream_id="Qwen/Qwen2.5-7B-Instruct"
    )


@pytest.fixture
def variant(curated_catalog):
    return ModelVariant.objects.select_related("version__family__organization").get(
        hf_repo_id="Qwen/Qwen2.5-7B-Instruct"
    )


@pytest.fixture
def publisher(variant):
    organization = variant.version.family.organization
    return factories.WatchedPublisherFactory(author="Qwen", organization=organization)


@pytest.fixture
def candidate(publisher) -> ReleaseCandidate:
    return _ingest(_payload(), publisher)


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("editor", password="a long passphrase 1")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=["view_releasecandidate", "change_releasecandidate"],
        )
    )
    return user


def _rows(candidate) -> dict:
    return {row.card["where"]: row for row in card_result_rows(candidate=candidate)}


def _key(candidate, where: str) -> str:
    return next(row["key"] for row in candidate.proposed_results if row["where"] == where)


# ---------------------------------------------------------------------------------------------
# The alias table


def test_every_benchmark_alias_names_a_curated_benchmark():
    slugs = {
        entry["slug"]
        for entry in yaml.safe_load((ROOT / "evaluations/data/benchmarks.yaml").read_text())[
            "benchmarks"
        ]
    }
    named = {slug for slug, _ in [*BENCHMARK_ALIASES.values(), *CONFIG_ALIASES.values()]}
    assert named - {None} <= slugs
    assert all(alias == alias.lower() for alias in BENCHMARK_ALIASES)


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ({"dataset_type": "cais/mmlu", "dataset_name": "MMLU (5-Shot)"}, ("mmlu", "")),
        ({"dataset_name": "MMLU"}, ("mmlu", "")),
        ({"dataset_type": "ai2_arc", "dataset_config": "ARC-Challenge"}, ("arc-challenge", "")),
        ({"dataset_type": "ai2_arc", "dataset_config": "ARC-Easy"}, (None, "")),
        ({"dataset_name": "AI2 Reasoning Challenge (25-Shot)"}, ("arc-challenge", "")),
        (
            {"dataset_type": "hendrycks/competition_math", "dataset_name": "MATH Lvl 5 (4-Shot)"},
            ("math", "Level 5"),
        ),
        ({"dataset_type": "hendrycks_math", "dataset_name": "MATH"}, ("math", "")),
        ({"dataset_type": "lighteval/MATH-Hard"}, ("math", "Level 5")),
        ({"dataset_type": "truthful_qa", "dataset_name": "TruthfulQA (0-shot)"}, (None, "")),
        ({"dataset_type": "TAUR-Lab/MuSR", "dataset_name": "MuSR (0-shot)"}, (None, "")),
        ({"dataset_type": "TIGER-Lab/MMLU-Pro"}, ("mmlu-pro", "")),
        ({"dataset_type": "openai_humaneval"}, ("humaneval", "")),
        ({"dataset_type": "someone/own-benchmark", "dataset_name": "Own"}, (None, "")),
    ],
)
def test_a_cards_dataset_names_its_benchmark_by_the_alias_table(dataset, expected):
    assert card_benchmark(dataset) == expected


# ---------------------------------------------------------------------------------------------
# Proposed on the candidate and listed with what each would record


@pytest.mark.django_db
def test_the_cards_results_are_proposed_on_the_candidate_of_a_curated_variant(candidate, variant):
    assert candidate.variant == variant
    assert candidate.status == ReleaseCandidate.Status.PENDING
    assert len(candidate.proposed_results) == 15
    assert "results" not in candidate.facts


@pytest.mark.django_db
def test_a_leaderboard_row_is_the_leaderboards_normalised_score(candidate):
    row = _rows(candidate)[f"{LEADERBOARD}.results[0].metrics[0]"]

    assert row.acceptable, row.error
    values = row.values
    assert (values["benchmark"], values["value"], values["metric"]) == ("ifeval", "75.85", "score")
    assert values["shots"] == 0
    assert (values["reported_by"], values["reporter"]) == ("independent", "Open LLM Leaderboard")
    assert values["source_url"].startswith("https://huggingface.co/spaces/open-llm-leaderboard/")
    assert values["date"] == "2025-03-04"  # the card revision's date
    assert str(NORMALISED_NOTE % {"reporter": "Open LLM Leaderboard"}) in values["note"]
    math = _rows(candidate)[f"{LEADERBOARD}.results[2].metrics[0]"].values
    assert (math["benchmark"], math["benchmark_version"]) == ("math", "Level 5")
    mmlu_pro = _rows(candidate)[f"{LEADERBOARD}.results[5].metrics[0]"].values
    assert (mmlu_pro["benchmark"], mmlu_pro["shots"]) == ("mmlu-pro", 5)


@pytest.mark.django_db
def test_the_publishers_own_fractions_become_percent_and_the_note_says_so(candidate, variant):
    rows = _rows(candidate)
    mmlu = rows[f"{OWN}.results[0].metrics[0]"]

    assert mmlu.acceptable, mmlu.error
    values = mmlu.values
    assert (values["benchmark"], values["value"], values["metric"]) == ("mmlu", "74.23", "accuracy")
    assert values["shots"] == 5
    assert values["reported_by"] == "publisher"
    assert values["reporter"] == variant.version.family.organization.name
    assert values["source_url"] == CARD_URL
    assert values["source_locator"] == f"{OWN}.results[0].metrics[0]"
    assert "model-index" in values["note"]
    assert str(FRACTION_NOTE % {"written": "0.7423", "value": "74.23"}) in values["note"]
    humaneval = rows[f"{OWN}.results[1].metrics[0]"].values
    assert (humaneval["metric"], humaneval["pass_k"], humaneval["value"]) == (
        "pass_at_k",
        1,
        "84.8",
    )
    gsm8k = rows[f"{OWN}.results[2].metrics[0]"].values
    assert (gsm8k["benchmark"], gsm8k["shots"], gsm8k["value"]) == ("gsm8k", 4, "91.5")
    arc = rows[f"{OWN}.results[3].metrics[0]"].values
    assert (arc["benchmark"], arc["shots"], arc["value"]) == ("arc-challenge", 25, "60")


@pytest.mark.django_db
def test_each_row_that_cannot_be_recorded_names_why(candidate):
    rows = _rows(candidate)

    musr = rows[f"{LEADERBOARD}.results[4].metrics[0]"]
    assert musr.error == str(UNKNOWN_BENCHMARK % {"dataset": '"MuSR (0-shot)" (TAUR-Lab/MuSR)'})
    assert musr.error_field == "benchmark"
    truthful = rows[f"{OWN}.results[4].metrics[0]"]
    assert truthful.error.startswith(str(UNKNOWN_BENCHMARK).split("%")[0])
    hellaswag = rows[f"{OWN}.results[5].metrics[0]"]
    assert hellaswag.error == str(UNKNOWN_SETTING % {"names": "temperature"})
    unreadable = rows[f"{OWN}.results[6].metrics[0]"]
    assert unreadable.error == str(UNREADABLE % {"problem": unreadable.card["problem"]})
    outside = rows[f"{OUTSIDE}.results[0].metrics[0]"]
    assert outside.error == str(
        OUTSIDE_SCALE % {"value": "180.2", "benchmark": "WinoGrande", "low": "0", "high": "100"}
    )
    assert outside.error_field == "value"
    repeated = rows[f"{OWN}.results[0].metrics[1]"]  # acc_norm beside acc: the same claim
    assert repeated.error == str(REPEATS % {"where": f"{OWN}.results[0].metrics[0]"})
    assert sum(row.acceptable for row in rows.values()) == 9


# ---------------------------------------------------------------------------------------------
# Approval


@pytest.mark.django_db
def test_approval_records_the_accepted_results_and_remembers_every_decision(
    candidate, variant, editor
):
    before = Result.objects.filter(variant=variant).count()
    accepted = [
        _key(candidate, f"{LEADERBOARD}.results[0].metrics[0]"),
        _key(candidate, f"{OWN}.results[0].metrics[0]"),
        _key(candidate, f"{OWN}.results[1].metrics[0]"),
    ]

    release_candidate_approve(
        candidate=candidate, editor=editor, accepted=[], accepted_results=accepted
    )

    recorded = Result.objects.filter(variant=variant, source_locator__startswith="cardData.")
    assert Result.objects.filter(variant=variant).count() == before + 3
    mmlu = recorded.get(benchmark__slug="mmlu", source_url=CARD_URL)
    assert (mmlu.value, mmlu.metric, mmlu.shots) == (Decimal("74.23"), "accuracy", 5)
    assert (mmlu.reported_by, mmlu.created_by) == ("publisher", editor)
    assert recorded.get(benchmark__slug="humaneval").pass_k == 1
    assert recorded.get(benchmark__slug="ifeval").reported_by == "independent"
    assert not recorded.filter(benchmark__slug__in=["bbh", "gsm8k", "gpqa"]).exists()
    event = pghistory.models.Events.objects.get(
        pgh_obj_model="evaluations.Result", pgh_obj_id=str(mmlu.pk), pgh_label="insert"
    )
    assert event.pgh_context["release_candidate"] == candidate.pk
    candidate.refresh_from_db()
    assert candidate.status == ReleaseCandidate.Status.APPROVED
    assert candidate.proposed_results == []
    decisions = candidate.reviewed_results
    assert len(decisions) == 15
    assert sorted(k for k, v in decisions.items() if v == "accepted") == sorted(accepted)


@pytest.mark.django_db
def test_accepting_a_row_with_an_error_writes_nothing(candidate, variant, editor):
    before = Result.objects.filter(variant=variant).count()
    good = _key(candidate, f"{OWN}.results[0].metrics[0]")
    musr_where = f"{LEADERBOARD}.results[4].metrics[0]"
    musr = _key(candidate, musr_where)

    with pytest.raises(ReviewError) as error:
        release_candidate_approve(
            candidate=candidate, editor=editor, accepted=[], accepted_results=[good, musr]
        )

    message = _rows(candidate)[musr_where].error
    assert error.value.errors == {
        "results": [str(NOT_ACCEPTABLE % {"where": musr_where, "error": message})]
    }
    assert Result.objects.filter(variant=variant).count() == before
    candidate.refresh_from_db()
    assert candidate.status == ReleaseCandidate.Status.PENDING
    assert len(candidate.proposed_results) == 15


@pytest.mark.django_db
def test_a_result_the_candidate_does_not_propose_is_refused(candidate, editor):
    with pytest.raises(ReviewError) as error:
        release_candidate_approve(
            candidate=candidate, editor=editor, accepted=[], accepted_results=["nope"]
        )
    assert error.value.errors == {"results": [str(UNKNOWN_RESULTS % {"results": "nope"})]}


@pytest.mark.django_db
def test_rejecting_the_candidate_rejects_its_results(candidate, variant, editor):
    before = Result.objects.filter(variant=variant).count()

    release_candidate_reject(candidate=candidate, editor=editor)

    candidate.refresh_from_db()
    assert set(candidate.reviewed_results.values()) == {"rejected"}
    assert Result.objects.filter(variant=variant).count() == before


@pytest.mark.django_db
def test_a_new_revision_proposes_only_the_results_nobody_decided(candidate, publisher, editor):
    mmlu = _key(candidate, f"{OWN}.results[0].metrics[0]")
    release_candidate_approve(
        candidate=candidate, editor=editor, accepted=[], accepted_results=[mmlu]
    )
    payload = _payload()
    payload["sha"] = "c" * 40
    payload["cardData"]["model-index"][1]["results"][1]["metrics"][0]["value"] = 0.85

    again = _ingest(payload, publisher)

    assert again.status == ReleaseCandidate.Status.PENDING  # the changed result reopens it
    assert [row["where"] for row in again.proposed_results] == [f"{OWN}.results[1].metrics[0]"]


@pytest.mark.django_db
def test_a_result_already_recorded_is_shown_so_and_cannot_be_accepted(candidate, editor):
    where = f"{OWN}.results[0].metrics[0]"
    release_candidate_approve(
        candidate=candidate, editor=editor, accepted=[], accepted_results=[_key(candidate, where)]
    )
    reopened = ReleaseCandidate.objects.select_related("publisher__organization").get()
    reopened.status = ReleaseCandidate.Status.PENDING
    reopened.proposed_results = _ingest_rows()
    reopened.save()

    row = _rows(reopened)[where]

    assert (row.recorded, row.error) == (True, str(ALREADY_RECORDED))


def _ingest_rows() -> list[dict]:
    from dataclasses import asdict

    return [asdict(row) for row in parse_hf_release(_payload(), None).results]


# ---------------------------------------------------------------------------------------------
# The review page


@pytest.mark.django_db
def test_the_review_page_lists_the_results_with_their_problems(candidate, editor, client):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])

    content = client.get(url).content.decode()

    assert "Proposed results" in content
    assert "TAUR-Lab/MuSR" in content
    assert "temperature" in content
    mmlu = _key(candidate, f"{OWN}.results[0].metrics[0]")
    assert re.search(
        rf'<input type="checkbox" name="results" value="{mmlu}"[^>]* checked>', content
    )
    musr = _key(candidate, f"{LEADERBOARD}.results[4].metrics[0]")
    assert f'value="{musr}"' not in content  # no checkbox for a row that cannot be accepted


@pytest.mark.django_db
def test_the_review_form_records_the_ticked_results(candidate, variant, editor, client):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    before = Result.objects.filter(variant=variant).count()

    response = client.post(
        url,
        {
            "revision": candidate.revision,
            "results": [_key(candidate, f"{OWN}.results[2].metrics[0]")],
            "action": "approve",
        },
    )

    assert response.status_code == 302
    assert Result.objects.filter(variant=variant).count() == before + 1
    assert Result.objects.filter(variant=variant, benchmark__slug="gsm8k", shots=4).exists()


@pytest.mark.django_db
def test_the_review_form_shows_a_bad_result_instead_of_saving(candidate, variant, editor, client):
    client.force_login(editor)
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    before = Result.objects.filter(variant=variant).count()
    where = f"{OUTSIDE}.results[0].metrics[0]"

    response = client.post(
        url,
        {
            "revision": candidate.revision,
            "results": [_key(candidate, where), _key(candidate, f"{OWN}.results[2].metrics[0]")],
            "action": "approve",
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert f"{where} cannot be accepted" in content
    assert Result.objects.filter(variant=variant).count() == before


@pytest.mark.django_db
def test_the_review_page_queries_do_not_grow_with_the_results(candidate, admin_client):
    url = reverse("admin:catalog_releasecandidate_change", args=[candidate.pk])
    rows = copy.deepcopy(candidate.proposed_results)
    candidate.proposed_results = rows[:1]
    candidate.save()
    one = count_queries(lambda: admin_client.get(url))
    candidate.proposed_results = rows
    candidate.save()
    many = count_queries(lambda: admin_client.get(url))
    assert_same_query_count(one, many, "candidate review page with proposed results")


@pytest.mark.django_db
def test_stored_rows_of_the_wrong_shape_are_errors_not_crashes(candidate):
    base = copy.deepcopy(candidate.proposed_results[6])  # MMLU, acceptable as stored
    candidate.proposed_results = [
        {**base, "key": "a", "value": {"not": "a number"}},
        {**base, "key": "b", "shots": "many"},
        {**base, "key": "c", "value": "1e999999"},
        {**base, "key": "d", "dataset_type": None, "dataset_name": 5, "where": None},
        {"key": "e"},
        "not a row",
    ]

    rows = card_result_rows(candidate=candidate)

    assert [row.key for row in rows] == ["a", "b", "c", "d", "e"]
    assert all(row.error for row in rows)
