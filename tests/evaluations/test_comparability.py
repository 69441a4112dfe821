"""The pure core: when results are comparable, and the Pareto frontier."""

import ast
from pathlib import Path

from evaluations.comparability import Candidate, Setting, comparable_key, pareto_frontier

FIVE_SHOT = Setting(shots=5)


def test_results_under_the_same_setting_share_a_key():
    assert comparable_key("mmlu", "", "accuracy", FIVE_SHOT) == comparable_key(
        "mmlu", "", "accuracy", Setting(shots=5)
    )


def test_shots_thinking_pass_k_and_harness_each_make_results_incomparable():
    base = comparable_key("gpqa-diamond", "", "accuracy", Setting(thinking=True))
    others = [
        Setting(thinking=False),
        Setting(thinking=None),
        Setting(thinking=True, shots=0),
        Setting(thinking=True, pass_k=1),
        Setting(thinking=True, samples=64),
        Setting(thinking=True, harness="lm-evaluation-harness"),
        Setting(thinking=True, harness_version="0.4.2"),
        Setting(thinking=True, prompt_template="simple-evals"),
    ]
    assert all(comparable_key("gpqa-diamond", "", "accuracy", s) != base for s in others)


def test_an_unstated_setting_matches_only_another_unstated_one():
    unknown = comparable_key("mmlu", "", "accuracy", Setting())
    assert unknown != comparable_key("mmlu", "", "accuracy", FIVE_SHOT)
    assert unknown == comparable_key("mmlu", "", "accuracy", Setting())


def test_benchmark_version_and_metric_are_part_of_comparability():
    key = comparable_key("livecodebench", "2408-2505", "pass_at_k", Setting(pass_k=1))
    assert key != comparable_key("livecodebench", "2305-2409", "pass_at_k", Setting(pass_k=1))
    assert key != comparable_key("livecodebench", "2408-2505", "accuracy", Setting(pass_k=1))
    # Versions are matched regardless of case and surrounding spaces.
    assert key == comparable_key("livecodebench", " 2408-2505 ", "pass_at_k", Setting(pass_k=1))


def test_the_frontier_keeps_models_no_smaller_model_beats():
    candidates = [
        Candidate("small", 8 * 2**30, 60.0),
        Candidate("small-but-worse", 9 * 2**30, 55.0),
        Candidate("medium", 20 * 2**30, 70.0),
        Candidate("large-but-worse", 60 * 2**30, 69.0),
        Candidate("large", 80 * 2**30, 80.0),
    ]
    assert [c.key for c in pareto_frontier(candidates)] == ["small", "medium", "large"]


def test_of_two_equal_candidates_the_frontier_keeps_the_first():
    frontier = pareto_frontier([Candidate("a", 1, 50.0), Candidate("b", 1, 50.0)])
    assert [c.key for c in frontier] == ["a"]
    assert pareto_frontier([]) == []


def test_the_core_imports_only_the_standard_library():
    source = Path(__file__).parents[2] / "evaluations" / "comparability.py"
    tree = ast.parse(source.read_text())
    modules = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules <= {"__future__", "collections", "dataclasses"}
