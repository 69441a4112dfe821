"""Read benchmark: our four read requests against four references, at 10,000 and 100,000
variants, written into docs/benchmarks.md (`make bench`).

    DATABASE_URL=postgres://.../postgres python bench/read_bench.py [--scales 10000 100000]

Uses its own database (`<name>_bench`, dropped afterwards) holding the curated catalog, grown
by bulk SQL (bench/read_bench_data.py). Per scale and request (the filtered variant list at
page 50, a variant's API detail, an API search, the variant's HTML page), each contender runs
alone, pinned to core 0 while the load generator runs on core 1 (bench/read_bench_load.py):

1. nginx (one worker) serving a file holding our response's exact bytes: the ceiling;
2. our gunicorn, production settings, answering those bytes from a view through the whole
   middleware stack: the framework floor (bench/bench_urls.py);
3. a hand-written `.values()` + orjson view of the same page on that server;
4. Datasette serving the same rows exported to SQLite (its own venv, .venv-datasette);
5. ours with the response caches off (cold), then on with Redis (warm, primed).

Each is measured as requests/second at capacity (wrk, closed loop), then p50/p99 latency at
half that rate in an open loop (h2load, constant arrival rate). Queries per request are counted
in-process (CaptureQueriesContext) at each scale. Needs wrk, h2load (nghttp2-client), nginx,
taskset and 2 cores. Servers, temporary files and the database are removed even on failure.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# The environment that turns the response cache off ("cold"); the warm server runs without it
# (the settings' default keeps answers for a day).
CACHE_OFF_ENV = {"REGISTRY_PAGE_CACHE_SECONDS": "0"}
REDIS_URL = "redis://127.0.0.1:6379/9"  # flushed before the warm server starts
SERVER_CORE = "0"
# Two sync workers on the server's core: while one waits for PostgreSQL the other computes.
# Compared once at 10,000 variants (wrk, 3 s, a busy machine): ours' detail 34.6 req/s with one
# worker, 35.5 with two, 35.4 with two × 4 threads, 23.9 with three; the list 6.3, 6.9, 6.9,
# 7.9. Two gives ours its best overall; the floor runs the same (one worker would give it more:
# 915 against 679 req/s), so warm / floor errs against us.
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 1
CAPACITY_SECONDS = 3
OPEN_LOOP_SECONDS = 3
OPEN_LOOP_MIN_CAPACITY = 2.0  # requests/s
SCALES = (10_000, 100_000)
# Leave more than 2,500 rows (page 50 of 50) at both scales: 41 % of the variants.
LIST_FILTER = "kind=base&total_parameters__gte=1B"
DETAIL_KEY = ("qwen", "qwen2-5", "qwen2-5-7b")
SEARCH_TEXT = "qwen"
# The same pages in Datasette's SQL API: its table API pages by keyset (``_next``), not by
# number, so page 50 is asked as OFFSET; ORDER BY is the API's order over the flat table.
DATASETTE_LIST_SQL = (
    "select * from variants where kind = 'base' and total_parameters >= 1000000000 "
    "order by family_name, family_id, version_release_date, version_slug, version_id, "
    "total_parameters, slug, id limit 50 offset 2450"
)
DATASETTE_SEARCH_SQL = (
    "select * from variants where name like :q or slug like :q or hf_repo_id like :q "
    "or description like :q or version_name like :q or family_name like :q "
    "order by family_name, family_id, version_release_date, version_slug, version_id, "
    "total_parameters, slug, id limit 50"
)
MARKER_START = "<!-- read_bench:start -->"
MARKER_END = "<!-- read_bench:end -->"

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
os.environ.update(CACHE_OFF_ENV)  # the in-process query count runs uncached

from benchdb import ROOT, in_bench_database, prepare_environment  # noqa: E402
from read_bench_data import export_sqlite, grow_variants  # noqa: E402
from read_bench_load import OPEN_LOOP_MAX_RATE, capacity, open_loop  # noqa: E402

prepare_environment()

DATASETTE_PYTHON = Path(
    os.environ.get("DATASETTE_PYTHON", ROOT / ".venv-datasette" / "bin" / "python")
)
# `datasette serve -i` with uvicorn's access log off: the log line per request would cost
# Datasette (and the run's output) what our gunicorn, logging none, does not pay.
DATASETTE_SERVE = """
import sys, uvicorn
from datasette.app import Datasette
app = Datasette(immutables=[sys.argv[1]], settings={"sql_time_limit_ms": 30000}).app()
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log=False, log_level="warning")
"""


@dataclass(frozen=True)
class Case:
    """One request and its counterpart at each contender (``None``: it has none)."""

    label: str
    ours: str
    file: str
    handwritten: str | None
    datasette: str


def cases(datasette_detail_id: int) -> list[Case]:
    family, version, variant = DETAIL_KEY
    sql = "/catalog.json?_shape=objects&sql="
    return [
        Case(
            "variant list, filtered, page 50",
            f"/api/v1/variants/?{LIST_FILTER}&page=50",
            "list.json",
            "/bench/handwritten/variants/?kind=base&total_parameters__gte=1000000000&page=50",
            sql + urllib.parse.quote(DATASETTE_LIST_SQL),
        ),
        Case(
            "variant detail (API)",
            f"/api/v1/variants/{family}/{version}/{variant}/",
            "detail.json",
            f"/bench/handwritten/variants/{family}/{version}/{variant}/",
            f"/catalog/variants/{datasette_detail_id}.json?_shape=objects",
        ),
        Case(
            f"search q={SEARCH_TEXT}",
            f"/api/v1/variants/?q={SEARCH_TEXT}",
            "search.json",
            f"/bench/handwritten/search/?q={SEARCH_TEXT}",
            sql + urllib.parse.quote(DATASETTE_SEARCH_SQL) + f"&q=%25{SEARCH_TEXT}%25",
        ),
        Case(
            "variant page (HTML)",
            f"/families/{family}/{version}/{variant}/",
            "page.html",
            None,
            f"/catalog/variants/{datasette_detail_id}",
        ),
    ]


# -- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
        return response.read()


@contextlib.contextmanager
def serving(command: list[str], ready_url: str, env: dict | None = None, cwd: Path = ROOT):
    """Run ``command`` pinned to the server core until the block ends (also on failure)."""
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [shutil.which("taskset") or "taskset", "-c", SERVER_CORE, *command],
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(ready_url)
                break
            except (OSError, RuntimeError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        process.terminate()  # the master (taskset execs it) stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def gunicorn(env: dict, port: int) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "llmregistry.wsgi", "--pythonpath", "bench"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(GUNICORN_WORKERS)]
    if GUNICORN_THREADS > 1:
        command += ["--threads", str(GUNICORN_THREADS)]
    return [*command, "--log-level", "warning"]


def nginx(folder: Path, root: Path, port: int) -> list[str]:
    config = folder / "nginx.conf"
    config.write_text(
        f"""worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}; proxy_temp_path {folder}; fastcgi_temp_path {folder};
    uwsgi_temp_path {folder}; scgi_temp_path {folder};
    types {{ application/json json; text/html html; }}
    server {{ listen 127.0.0.1:{port}; root {root}; }}
}}
"""
    )
    return ["nginx", "-c", str(config)]


# -- measurement -------------------------------------------------------------------------------


def measure(url: str) -> dict:
    """Capacity, then latency at half of it; a first request checks the answer is a 200. Below
    ``OPEN_LOOP_MIN_CAPACITY`` requests/s the open loop is skipped (p50/p99 ``None``): a
    handful of multi-second requests says nothing about percentiles and would blow the run's
    time."""
    started = time.monotonic()
    fetch(url)
    # A slow request gets a longer closed loop, so that a few answers complete in it.
    closed = capacity(url, min(15, max(CAPACITY_SECONDS, 4 * (time.monotonic() - started))))
    # Waits behind what the closed loop left queued, so the next measurement starts idle.
    fetch(url)
    if closed["rps"] < OPEN_LOOP_MIN_CAPACITY:
        opened = {"rate": 0.0, "p50": None, "p99": None, "errors": 0}
    else:
        opened = open_loop(url, closed["rps"] / 2, OPEN_LOOP_SECONDS)
    result = {**opened, "rps": closed["rps"], "errors": closed["errors"] + opened["errors"]}
    print(f"  {url[:90]}: {json.dumps(result)}", file=sys.stderr, flush=True)
    return result


def count_queries(case_list: list[Case]) -> tuple[dict[str, int], int]:
    """Queries per request of ours, in-process and uncached; and the list's row count."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    counts = {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = Client()
        for case in case_list:
            client.get(case.ours)  # once first: per-process lookups (content types) are cached
            with CaptureQueriesContext(connection) as queries:
                response = client.get(case.ours)
            if response.status_code != 200:
                raise RuntimeError(f"{case.ours} answered {response.status_code}")
            counts[case.label] = len(queries)
            if case.file == "list.json":
                listed = json.loads(response.content)["count"]
    return counts, listed


def measure_scale(folder: Path, env: dict) -> dict:
    """Every contender on every request at the catalog's current size."""
    import redis

    load_before = os.getloadavg()[0]
    database = folder / "catalog.db"
    exported = export_sqlite(database)
    with contextlib.closing(sqlite3.connect(database)) as sqlite:
        (detail_id,) = sqlite.execute(
            "SELECT id FROM variants WHERE family_slug = ? AND version_slug = ? AND slug = ?",
            DETAIL_KEY,
        ).fetchone()
    case_list = cases(detail_id)
    queries, listed = count_queries(case_list)
    if listed <= 2500:
        raise RuntimeError(f"the list filter leaves {listed} rows: page 50 would be empty")
    results: dict[str, dict[str, dict]] = {case.label: {} for case in case_list}
    floor_dir = folder / "floor"
    floor_dir.mkdir(exist_ok=True)
    cold_env = {**env, **CACHE_OFF_ENV, "BENCH_FLOOR_DIR": str(floor_dir)}

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print("ours cold, framework floor, hand-written", file=sys.stderr)
    with serving(gunicorn(cold_env, port), base + "/healthz", cold_env):
        for case in case_list:
            (floor_dir / case.file).write_bytes(fetch(base + case.ours))
        for case in case_list:
            results[case.label]["floor"] = measure(f"{base}/bench/floor/{case.file}/")
            if case.handwritten:
                results[case.label]["handwritten"] = measure(base + case.handwritten)
            results[case.label]["cold"] = measure(base + case.ours)

    print("ours warm", file=sys.stderr)
    redis.Redis.from_url(REDIS_URL).flushdb()
    warm_env = {key: value for key, value in env.items() if key not in CACHE_OFF_ENV}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(gunicorn(warm_env, port), base + "/healthz", warm_env):
        for case in case_list:
            for _ in range(3):  # primes every worker's path to the cache
                fetch(base + case.ours)
            results[case.label]["warm"] = measure(base + case.ours)
    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own Redis database only

    print("nginx", file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(nginx(folder, floor_dir, port), f"{base}/{case_list[0].file}"):
        for case in case_list:
            results[case.label]["nginx"] = measure(f"{base}/{case.file}")

    print("Datasette", file=sys.stderr)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    datasette = [str(DATASETTE_PYTHON), "-c", DATASETTE_SERVE, str(database), str(port)]
    with serving(datasette, base + "/-/versions.json"):
        for case in case_list:
            results[case.label]["datasette"] = measure(base + case.datasette)
    return {
        "results": results,
        "queries": queries,
        "listed": listed,
        "exported": exported,
        "sizes": {case.label: (floor_dir / case.file).stat().st_size for case in case_list},
        "load": (load_before, os.getloadavg()[0]),
    }


def run(scales: list[int], started: float) -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from curation.services import catalog_load

    call_command("migrate", verbosity=0)
    catalog_load(root=ROOT)
    parts = urllib.parse.urlsplit(settings.DATABASE_URL)
    env = {
        **os.environ,
        "DATABASE_URL": parts._replace(path="/" + settings.DATABASES["default"]["NAME"]).geturl(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REGISTRY_ANON_RATE": "10000000/min",
        "INGEST_SCHEDULE": "off",
    }
    # DEBUG off serves hashed static files (WhiteNoise): the HTML page needs their manifest.
    subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "llmregistry.settings"},
        check=True,
    )
    report = {"scales": {}, "versions": versions(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="read-bench-") as folder:
        for scale in scales:
            total = grow_variants(scale)
            print(f"{total:,} variants ({time.monotonic() - started:.0f} s)", file=sys.stderr)
            report["scales"][total] = measure_scale(Path(folder), env)
    return report


# -- report ------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    import django
    import gunicorn as gunicorn_package
    import rest_framework
    from django.db import connection

    def output(*command: str) -> str:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        return (done.stdout + done.stderr).strip()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    return {
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "DRF": rest_framework.VERSION,
        "gunicorn": gunicorn_package.__version__,
        "PostgreSQL": postgres,
        "nginx": output("nginx", "-v").split("/")[-1],
        "Datasette": output(
            str(DATASETTE_PYTHON), "-c", "from datasette.version import __version__ as v; print(v)"
        ),
        "wrk": output("wrk", "-v").split()[1],
        "h2load": output("h2load", "--version").split("/")[-1],
    }


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    return (
        f"{os.cpu_count()} cores ({cpu.group(1) if cpu else 'unknown CPU'}), "
        f"{int(memory.group(1)) / 1024**2:.0f} GiB memory, {platform.system()} "
        f"{platform.release()}"
    )


CONTENDERS = (
    ("nginx", "nginx, file"),
    ("floor", "framework floor"),
    ("handwritten", "hand-written"),
    ("datasette", "Datasette"),
    ("cold", "ours cold"),
    ("warm", "ours warm"),
)


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _tail(result: dict) -> tuple[float | None, bool | None]:
    """p99/p50 and whether it meets the target (``None``: no open loop was run)."""
    if result["p50"] is None:
        return None, None
    return result["p99"] / result["p50"], result["p99"] <= 4 * result["p50"]


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _verdict(value: float | None, good: bool | None) -> str:
    if value is None or good is None:
        return "—"
    return f"{value:.2f} ({'met' if good else '**not met**'})"


def markdown(report: dict, seconds: float) -> str:
    scales = report["scales"]
    lines = [
        MARKER_START,
        "## Read requests against their ceilings and a peer (`bench/read_bench.py`)",
        "",
        f"Run on {datetime.date.today().isoformat()} by `make bench` "
        f"({seconds / 60:.1f} minutes in all) on {machine()}; "
        + ", ".join(f"{name} {version}" for name, version in report["versions"].items())
        + ".",
        "",
        f"Load average when the run started: {report['load_before']:.2f} (anything above 0 is "
        "other work sharing the 2 cores and skews the figures; compare ratios within a run).",
        "",
        "The curated catalog grown by bulk SQL to each size (its own database, analysed, dropped "
        f"afterwards). Each contender runs alone on core {SERVER_CORE}, the load generator on "
        "the other core; PostgreSQL and Redis are not pinned. gunicorn runs the production "
        f"settings (DEBUG off) with {GUNICORN_WORKERS} sync workers"
        + (f" × {GUNICORN_THREADS} threads" if GUNICORN_THREADS > 1 else "")
        + " for the floor, the hand-written view and ours. Requests: "
        f"`/api/v1/variants/?{LIST_FILTER}&page=50`, "
        f"`/api/v1/variants/{'/'.join(DETAIL_KEY)}/`, `/api/v1/variants/?q={SEARCH_TEXT}`, "
        f"`/families/{'/'.join(DETAIL_KEY)}/`. Each cell: requests/s at capacity (wrk, "
        f"{CAPACITY_SECONDS} s, closed loop) and p50 / p99 latency in ms at half that rate "
        f"(h2load, {OPEN_LOOP_SECONDS} s, open loop: a new connection per request at a "
        f"constant rate, at most {OPEN_LOOP_MAX_RATE:,}/s, which caps nginx and the floor; "
        f"skipped below {OPEN_LOOP_MIN_CAPACITY:.0f} requests/s: n/a).",
        "",
    ]
    for total, scale in scales.items():
        lines += [
            f"### {total:,} variants ({scale['listed']:,} rows match the list filter; load "
            f"average {scale['load'][0]:.1f} before, {scale['load'][1]:.1f} after)",
            "",
            "| request | " + " | ".join(label for _, label in CONTENDERS) + " |",
            "|---" * (len(CONTENDERS) + 1) + "|",
        ]
        for request, by_contender in scale["results"].items():
            cells = []
            for key, _ in CONTENDERS:
                result = by_contender.get(key)
                cells.append(
                    "—"
                    if result is None
                    else f"{_rate(result['rps'])} ({_ms(result['p50'])} / {_ms(result['p99'])})"
                    + (f" {result['errors']} errors" if result["errors"] else "")
                )
            lines.append(f"| {request} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "### Ratios and targets",
        "",
        "Targets: ours warm ≥ 0.7 × the framework floor; ours cold ≥ 0.5 × the hand-written "
        "view; ours cold ahead of Datasette (> 1); p99 ≤ 4 × p50 (ours cold and warm, at half "
        "capacity); the same number of queries at every size.",
        "",
        "| variants | request | warm / floor | cold / hand-written | cold / Datasette "
        "| p99/p50 cold | p99/p50 warm | queries |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for total, scale in scales.items():
        for request, r in scale["results"].items():
            counts = [scales[size]["queries"][request] for size in scales]
            hand = r.get("handwritten")
            lines.append(
                f"| {total:,} | {request} | "
                + " | ".join(
                    [
                        _verdict(
                            _ratio(r["warm"]["rps"], r["floor"]["rps"]),
                            r["warm"]["rps"] >= 0.7 * r["floor"]["rps"],
                        ),
                        _verdict(
                            _ratio(r["cold"]["rps"], hand["rps"]) if hand else None,
                            r["cold"]["rps"] >= 0.5 * hand["rps"] if hand else None,
                        ),
                        _verdict(
                            _ratio(r["cold"]["rps"], r["datasette"]["rps"]),
                            r["cold"]["rps"] > r["datasette"]["rps"],
                        ),
                        _verdict(*_tail(r["cold"])),
                        _verdict(*_tail(r["warm"])),
                    ]
                )
                + f" | {scale['queries'][request]} "
                + (
                    "(constant)"
                    if len(set(counts)) == 1
                    else "(**grows**: " + "→".join(map(str, counts)) + ")"
                )
                + " |"
            )
    lines += [
        "",
        "How the references are built:",
        "",
        "- *nginx, file*: one worker serving a file that holds our response body byte for byte "
        "(headers differ). *Framework floor*: the same bytes from a view in front of our "
        "urlconf (`bench/bench_urls.py`), through every middleware, on the same gunicorn.",
        "- *Hand-written*: `.values()` + orjson with the same filters, visibility rule, "
        "ordering, page and count as the API, the list's columns flat instead of nested; the "
        "detail adds the version's features and the sources (three queries); the search the "
        "same full-text match and name substrings. The HTML page has none (—).",
        "- *Datasette*: the visible variants exported flat to SQLite (the joined columns the list "
        "shows; an index in the API's order), served immutable with uvicorn's access log off. "
        "List and search go "
        "through its `?sql=` JSON API with `LIMIT 50 OFFSET 2450` (its table API pages by "
        "keyset tokens, not page numbers, so offset paging — the work our page 50 does — needs "
        "SQL); neither computes the total count our API returns, which favours Datasette. The "
        "detail is its row JSON (`/catalog/variants/<id>.json`), the page its HTML row page.",
        "- *Ours cold*: `"
        + " ".join(f"{key}={value}" for key, value in CACHE_OFF_ENV.items())
        + f"`; *warm*: the settings' defaults with Redis ({REDIS_URL}, flushed, every request "
        "primed three times). Queries per request: counted in-process with "
        "`CaptureQueriesContext`, uncached, after one request that fills per-process caches.",
        "",
        MARKER_END,
    ]
    return "\n".join(lines)


def write_section(section: str) -> None:
    """Replace the section between the markers in docs/benchmarks.md, or put it first."""
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text()
    if MARKER_START in text:
        before, rest = text.split(MARKER_START, 1)
        after = rest.split(MARKER_END, 1)[1]
        text = before + section + after
    else:
        head, tail = text.split("\n## ", 1)
        text = f"{head}\n{section}\n\n## {tail}"
    path.write_text(text)


def main() -> None:
    # A plain kill still stops the servers and drops the database (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    parser.add_argument("--no-write", action="store_true", help="print, leave docs/ alone")
    args = parser.parse_args()
    for tool in ("wrk", "h2load", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (Debian: wrk, nghttp2-client, nginx-light).")
    if not DATASETTE_PYTHON.exists():
        sys.exit(f"{DATASETTE_PYTHON} is missing: `make bench` installs it (its own venv).")
    if (os.cpu_count() or 1) < 2:
        sys.exit("Needs 2 cores: one for the server, one for the load generator.")
    started = time.monotonic()
    report: dict = {}

    def collect() -> None:
        report.update(run(sorted(args.scales), started))

    in_bench_database(collect)
    seconds = time.monotonic() - started
    section = markdown(report, seconds)
    print(section)
    if not args.no_write:
        write_section(section)
    print(f"Total run time: {seconds:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
