"""The pure parser of a model card's evaluation results (model-index), on a stored Hub payload.

The payload is the Qwen2.5-7B-Instruct model info of test_parse.py with a model-index in the
shapes real cards use: the Open LLM Leaderboard bot's v2 entries (with their source), a
card's own entries written as fractions, and an outside source; its numbers are made up."""

import copy
import json
from pathlib import Path

from catalog.ingest.parse import (
    CONFLICTING_SHOTS,
    MAX_CARD_RESULTS,
    NOT_A_NUMBER,
    NOT_A_SHOT_COUNT,
    NOT_AN_OBJECT,
    CardResult,
    parse_card_results,
    parse_hf_release,
)
from catalog.ingest.parse.evaluations import card_model_index

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures/ingest/hf/Qwen__Qwen2.5-7B-Instruct-model-index.json"
)


def _payload() -> dict:
    return json.loads(FIXTURE.read_text("utf-8"))


def _rows(model_index) -> tuple[CardResult, ...]:
    rows, notes = parse_card_results(model_index)
    assert notes == ()
    return rows


def _by_where(rows) -> dict[str, CardResult]:
    return {row.where: row for row in rows}


def test_every_metric_of_every_result_is_one_row_with_the_cards_words():
    facts = parse_hf_release(_payload(), None)

    assert len(facts.results) == 15
    rows = _by_where(facts.results)
    ifeval = rows["cardData.model-index[0].results[0].metrics[0]"]
    assert ifeval.model_name == "Qwen2.5-7B-Instruct"
    assert (ifeval.task_type, ifeval.task_name) == ("text-generation", "Text Generation")
    assert (ifeval.dataset_name, ifeval.dataset_type) == ("IFEval (0-Shot)", "HuggingFaceH4/ifeval")
    assert ifeval.metric_type == "inst_level_strict_acc and prompt_level_strict_acc"
    assert (ifeval.metric_name, ifeval.value, ifeval.shots) == ("strict accuracy", "75.85", 0)
    assert ifeval.source_name == "Open LLM Leaderboard"
    assert ifeval.source_url.startswith("https://huggingface.co/spaces/open-llm-leaderboard/")
    mmlu_pro = rows["cardData.model-index[0].results[5].metrics[0]"]
    assert (mmlu_pro.dataset_config, mmlu_pro.dataset_split) == ("main", "test")


def test_values_keep_the_digits_the_card_wrote():
    rows = _by_where(parse_hf_release(_payload(), None).results)

    assert rows["cardData.model-index[1].results[0].metrics[0]"].value == "0.7423"
    assert rows["cardData.model-index[0].results[2].metrics[0]"].value == "0.0"
    assert _rows([_entry({"type": "acc", "value": 71})])[0].value == "71"
    assert _rows([_entry({"type": "acc", "value": " 65.5 "})])[0].value == "65.5"


def test_shots_come_from_the_dataset_or_the_metric_args():
    rows = _by_where(parse_hf_release(_payload(), None).results)

    assert rows["cardData.model-index[1].results[0].metrics[0]"].shots == 5  # dataset args
    assert rows["cardData.model-index[1].results[2].metrics[0]"].shots == 4  # metric args
    assert rows["cardData.model-index[1].results[1].metrics[0]"].shots is None  # not stated
    assert _rows([_entry({"type": "acc", "value": 1, "args": {"num_fewshot": "3"}})])[0].shots == 3


def test_args_that_name_no_setting_are_kept_for_the_review():
    rows = _by_where(parse_hf_release(_payload(), None).results)

    hellaswag = rows["cardData.model-index[1].results[5].metrics[0]"]
    assert (hellaswag.shots, hellaswag.unknown_args) == (10, ("temperature",))
    assert hellaswag.problem == ""


def test_a_malformed_metric_is_a_row_with_its_problem_and_the_others_stand():
    rows = _by_where(parse_hf_release(_payload(), None).results)

    bad = rows["cardData.model-index[1].results[6].metrics[0]"]
    where = "cardData.model-index[1].results[6].metrics[0].value"
    assert bad.problem == f"{where}: {NOT_A_NUMBER.format(value=repr('n/a'))}"
    assert bad.dataset_type == "winogrande"  # what could be read is shown with it
    assert rows["cardData.model-index[2].results[0].metrics[0]"].value == "180.2"


def test_malformed_results_and_entries_are_rows_with_their_problem():
    model_index = [
        {"name": "m", "results": [{"dataset": "mmlu", "metrics": []}]},
        "not an entry",
        _entry({"type": "acc", "value": True}),
        _entry({"type": "acc", "value": 1, "args": {"num_few_shot": -1}}),
        _entry({"type": "acc", "value": 1, "args": {"num_few_shot": "five"}}),
    ]

    rows = _rows(model_index)

    assert [row.problem for row in rows] == [
        f"cardData.model-index[0].results[0].dataset: {NOT_AN_OBJECT}",
        f"cardData.model-index[1]: {NOT_AN_OBJECT}",
        f"cardData.model-index[2].results[0].metrics[0].value: {NOT_A_NUMBER.format(value='True')}",
        "cardData.model-index[3].results[0].metrics[0].args.num_few_shot: "
        "must be 0 or more; got -1",
        "cardData.model-index[4].results[0].metrics[0].args.num_few_shot: "
        + NOT_A_SHOT_COUNT.format(value="'five'"),
    ]


def test_shots_that_disagree_between_dataset_and_metric_are_a_problem():
    entry = _entry({"type": "acc", "value": 1, "args": {"num_few_shot": 3}}, shots=5)

    (row,) = _rows([entry])

    where = "cardData.model-index[0].results[0].metrics[0].args"
    assert row.problem == f"{where}: {CONFLICTING_SHOTS.format(value=3, other=5)}"


def test_a_model_index_that_is_not_a_list_is_a_note_not_a_failure():
    payload = _payload()
    payload["cardData"]["model-index"] = {"name": "not a list"}

    facts = parse_hf_release(payload, None)

    assert facts.results == ()
    notes = {note.code: note.params for note in facts.notes}
    assert notes["model_index_unreadable"] == {
        "field": "cardData.model-index",
        "message": "must be a list",
    }


def test_a_card_past_the_limit_is_cut_with_a_note():
    results = [
        {
            "dataset": {"type": "mmlu"},
            "metrics": [{"type": "acc", "value": i * 100 + n} for n in range(100)],
        }
        for i in range(MAX_CARD_RESULTS // 100 + 1)
    ]
    entry = {"name": "m", "results": results}

    rows, notes = parse_card_results([entry])

    assert len(rows) == MAX_CARD_RESULTS
    assert [note.code for note in notes] == ["model_index_truncated"]


def test_keys_follow_the_content_not_the_position():
    rows = parse_hf_release(_payload(), None).results
    payload = _payload()
    model_index = payload["cardData"]["model-index"]
    model_index.insert(0, copy.deepcopy(model_index[2]))  # every row moves; one is repeated
    model_index[2]["results"][1]["metrics"][0]["value"] = 0.85  # HumanEval changes

    moved = parse_hf_release(payload, None).results

    assert len({row.key for row in rows}) == len(rows)
    assert len(moved) == len(rows)  # a row repeated word for word is kept once
    same = {row.key for row in rows} & {row.key for row in moved}
    # New keys: the changed value, and the unreadable row (known by its place, which moved).
    assert len(same) == len(rows) - 2


def test_the_cards_own_model_index_comes_first_then_the_hubs_copy():
    payload = _payload()
    assert card_model_index(payload, payload["cardData"])[1] == "cardData.model-index"
    del payload["cardData"]["model-index"]
    model_index, where = card_model_index(payload, payload["cardData"])
    assert where == "model-index"
    assert parse_card_results(model_index, where=where)[0][0].where.startswith("model-index[0]")


def test_a_card_without_a_model_index_proposes_no_results():
    payload = _payload()
    del payload["cardData"]["model-index"]
    payload["model-index"] = None

    assert parse_hf_release(payload, None).results == ()


def _entry(metric: dict, *, shots: int | None = None) -> dict:
    dataset = {"name": "MMLU", "type": "cais/mmlu"}
    if shots is not None:
        dataset["args"] = {"num_few_shot": shots}
    return {"name": "m", "results": [{"dataset": dataset, "metrics": [metric]}]}


HOSTILE_MODEL_INDEXES = [
    1,
    "a string",
    {"results": []},
    [None],
    [{"results": None}],
    [{"name": ["not", "text"], "results": []}],
    [{"results": [None, "x", {"dataset": None, "metrics": []}]}],
    [{"results": [{"dataset": {"args": "num_few_shot=5"}, "metrics": [{"value": 1}]}]}],
    [{"results": [{"dataset": {"args": {1: 2}}, "metrics": [{"value": 1}]}]}],
    [{"results": [{"dataset": {"args": {"num_few_shot": 10**30}}, "metrics": [{"value": 1}]}]}],
    [{"results": [{"dataset": {}, "metrics": [{"value": float("nan")}, {"value": 1e400}]}]}],
    [{"results": [{"dataset": {}, "metrics": [{"value": "1" * 100}, {"value": [1]}, {}]}]}],
    [{"results": [{"dataset": {"name": "\x00"}, "metrics": [{"value": 1}]}]}],
    [{"results": [{"dataset": {"type": "x" * 10_000}, "metrics": [{"value": 1}]}]}],
    [{"results": [{"dataset": {}, "metrics": [{"value": 1, "verified": "yes"}]}]}],
]


def test_hostile_model_indexes_become_problems_never_exceptions():
    for model_index in HOSTILE_MODEL_INDEXES:
        rows, notes = parse_card_results(model_index)
        assert rows or notes, model_index
        for row in rows:
            assert row.problem or row.value, row
