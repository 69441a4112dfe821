"""Load test: gunicorn with PostgreSQL and Redis on loopback, driven by wrk, with a full
recommendation recompute running in a Celery worker at the same time.

    DATABASE_URL=postgres://.../postgres python bench/load_test.py [--seconds 60]

Needs `wrk` (Debian: apt-get install wrk). Uses its own database (`<name>_bench`, dropped
afterwards) holding the curated catalog, a Redis database of its own (`--redis`, default
redis://127.0.0.1:6379/13, flushed) as cache and broker, gunicorn (`--workers`, default 2) and
one Celery worker. The catalog is scaled to `--variants` (default 3,000) so that the recompute
of their recommendations (the clones start with none) runs through the load phase. Steps: a
15-second probe at rising connection counts finds the capacity (the fewest connections within
5 % of the best throughput); then `--seconds` at that count while the worker recomputes. The
requests cycle through the variant list with filters (API, page 2), a variant's API detail,
an API search and the variant's HTML page, as an anonymous client. Prints a Markdown table
(requests per second, latency percentiles, errors, non-2xx answers) for docs/benchmarks.md
and exits non-zero on any error.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import ROOT, in_bench_database, prepare_environment, scale_variants

prepare_environment()

PATHS = (
    "/api/v1/variants/?total_parameters__gte=7B&ordering=-release_date&page=2&page_size=20",
    "/api/v1/variants/qwen/qwen2-5/qwen2-5-7b/",
    "/api/v1/variants/?q=qwen",
    "/families/qwen/qwen2-5/qwen2-5-7b/",
)
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
local errors = 0
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


def run_wrk(base: str, script: Path, connections: int, seconds: int) -> dict:
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return parse_wrk(output)


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    for percentile in ("50", "90", "99"):
        match = re.search(rf"^\s+{percentile}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percentile}"] = _ms(match.group(1))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["socket_errors"] = sum(int(n) for n in errors.groups()) if errors else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(non_2xx.group(1)) if non_2xx else 0
    return result


def run(seconds: int, workers: int, redis_url: str, variants: int) -> None:
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from curation.services import catalog_load

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk).")
    call_command("migrate", verbosity=0)
    catalog_load(root=ROOT)
    total = scale_variants(variants)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    redis.Redis.from_url(redis_url).flushdb()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REGISTRY_ANON_RATE": "100000000/min",
        "INGEST_SCHEDULE": "off",
    }
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # DEBUG off serves hashed static files (WhiteNoise): collect them first (staticfiles/).
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "llmregistry.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "llmregistry",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(base + "/healthz")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(f'"{p}"' for p in PATHS))
        for path in PATHS:
            wait_for(base + path)
        probe = {}
        for connections in (1, 2, 4, 8, 16):
            probe[connections] = run_wrk(base, Path(script.name), connections, 15)
            print(f"probe: {connections} connections: {probe[connections]}", file=sys.stderr)
        best = max(probe, key=lambda c: probe[c]["rps"])
        # Capacity: the fewest connections within 5 % of the best throughput.
        capacity = min(c for c in probe if probe[c]["rps"] >= 0.95 * probe[best]["rps"])
        started = time.monotonic()
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-c",
                "import django; django.setup(); "
                "from hardware.services import recompute_run_start; "
                "from django.db import transaction\n"
                "with transaction.atomic(): recompute_run_start()",
            ],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "llmregistry.settings"},
            check=True,
        )
        sustained = run_wrk(base, Path(script.name), capacity, seconds)
        elapsed = time.monotonic() - started
        from hardware.models import RecomputeRun

        recompute = RecomputeRun.objects.order_by("-pk").first()
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    errors = sustained["socket_errors"] + sustained["non_2xx"]
    print("| connections | seconds | requests | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for connections, result in probe.items():
        print(
            f"| {connections} (probe) | 15 | {result['requests']} | {result['rps']:.0f} | "
            f"{result['p50']:.1f} | {result['p90']:.1f} | {result['p99']:.1f} | "
            f"{result['socket_errors'] + result['non_2xx']} |"
        )
    print(
        f"| **{capacity} (sustained, recompute running)** | {seconds} | "
        f"{sustained['requests']} | {sustained['rps']:.0f} | {sustained['p50']:.1f} | "
        f"{sustained['p90']:.1f} | {sustained['p99']:.1f} | {errors} |"
    )
    print(
        f"\n{total} variants. Recompute run #{recompute.pk}: {recompute.status}, "
        f"{recompute.rows_written} rows written (load phase {elapsed:.0f} s)."
    )
    if errors:
        sys.exit(f"{errors} errors under load.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument(
        "--variants",
        type=int,
        default=3000,
        help="catalog size; the recompute of this many variants runs through the load phase",
    )
    args = parser.parse_args()
    in_bench_database(run, args.seconds, args.workers, args.redis, args.variants)


if __name__ == "__main__":
    main()
