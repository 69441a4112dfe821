"""What an MCP call costs beside the same answer from the REST API or the page.

gunicorn (one sync worker, production settings, response cache off so every answer is
computed) serves the curated catalog from a throwaway database; one client sends each request
in turn over a kept-alive connection and the latency percentiles are printed as a Markdown
table (docs/benchmarks.md, "MCP calls"). Every MCP call is one stateless JSON-RPC POST.

    python bench/mcp_bench.py [--requests 200]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import ROOT, in_bench_database, prepare_environment

QUESTION = {
    "accelerator": "nvidia-rtx-4090",
    "count": 2,
    "precision": "awq-int4",
    "context_tokens": 32768,
    "commercial_use": ["allowed"],
}
MCP_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "Mcp-Protocol-Version": "2025-06-18",
}


def tool_call(name: str, arguments: dict) -> dict:
    params = {"name": name, "arguments": arguments}
    return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}


# (label, method, path, JSON body or None); MCP rows follow the answer they are compared with.
CASES = [
    (
        "API: GET /api/v1/variants/?q=qwen (20 rows)",
        "GET",
        "/api/v1/variants/?q=qwen&page_size=20",
        None,
    ),
    (
        "MCP: search_models q=qwen, limit 20",
        "POST",
        "/mcp/",
        tool_call("search_models", {"q": "qwen", "limit": 20}),
    ),
    (
        "API: GET /api/v1/variants/{key}/",
        "GET",
        "/api/v1/variants/qwen/qwen2-5/qwen2-5-7b-instruct/",
        None,
    ),
    (
        "MCP: get_model (variant)",
        "POST",
        "/mcp/",
        tool_call("get_model", {"key": "qwen/qwen2-5/qwen2-5-7b-instruct"}),
    ),
    (
        "API: POST /api/v1/estimate/",
        "POST",
        "/api/v1/estimate/",
        {"variant": "qwen2-5-7b-instruct", "precision": "awq-int4", "context": 32768},
    ),
    (
        "MCP: estimate_memory",
        "POST",
        "/mcp/",
        tool_call(
            "estimate_memory",
            {
                "model": "qwen/qwen2-5/qwen2-5-7b-instruct",
                "precision": "awq-int4",
                "context_tokens": 32768,
            },
        ),
    ),
    (
        "Page: /can-i-run-it/ (2 × RTX 4090, AWQ INT4, 32K, commercial)",
        "GET",
        "/can-i-run-it/?accelerator=nvidia-rtx-4090&count=2&precision=awq-int4"
        "&context_tokens=32768&commercial_use=allowed",
        None,
    ),
    (
        "MCP: recommend_hardware (the same question)",
        "POST",
        "/mcp/",
        tool_call("recommend_hardware", QUESTION),
    ),
    ("MCP: tools/list", "POST", "/mcp/", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(client, method: str, url: str, body, requests: int) -> dict:
    headers = MCP_HEADERS if url.endswith("/mcp/") else {}
    content = json.dumps(body).encode() if body is not None else None
    if content is not None and not headers:
        headers = {"Content-Type": "application/json"}
    timings = []
    size = 0
    for index in range(requests + 10):
        started = time.perf_counter()
        response = client.request(method, url, content=content, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or (url.endswith("/mcp/") and "error" in response.json()):
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:300]}")
        if url.endswith("/mcp/") and response.json()["result"].get("isError"):
            raise RuntimeError(f"{url}: {response.text[:300]}")
        size = len(response.content)
        if index >= 10:  # the first ones warm the worker up
            timings.append(elapsed * 1000)
    return {
        "p50": statistics.median(timings),
        "p99": percentile(timings, 0.99),
        "bytes": size,
    }


def run(requests: int) -> None:
    import httpx
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from curation.services import catalog_load

    call_command("migrate", verbosity=0)
    catalog_load(root=settings.BASE_DIR)
    database = connection.settings_dict
    port = 8791
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "REGISTRY_PAGE_CACHE_SECONDS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_COOKIES": "0",
        "REGISTRY_ANON_RATE": "1000000/min",
    }
    env.pop("REDIS_URL", None)
    # Production settings serve hashed static names (the page links its CSS): collect them first.
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [sys.executable, "-m", "gunicorn", "llmregistry.wsgi", "--workers", "1"]
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [*command, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.2)
            print(f"| request ({requests} in turn, one sync worker) | p50 ms | p99 ms | bytes |")
            print("|---|---|---|---|")
            for label, method, path, body in CASES:
                result = measure(client, method, path, body, requests)
                p50, p99, size = result["p50"], result["p99"], result["bytes"]
                print(f"| {label} | {p50:.1f} | {p99:.1f} | {size:,} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    prepare_environment()
    in_bench_database(run, arguments.requests)


if __name__ == "__main__":
    main()
