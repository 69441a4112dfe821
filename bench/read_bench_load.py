"""Load generation for bench/read_bench.py, pinned to its own core: wrk for the capacity
(closed loop), h2load for the latency at a constant arrival rate (open loop)."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

LOAD_CORE = "1"  # the server runs on core 0 (read_bench.SERVER_CORE)
CAPACITY_CONNECTIONS = 4
# h2load opens one connection per request in its rate mode (as gunicorn's sync workers close
# every connection anyway); above ~8,000 new connections/s on one core the generator itself
# saturates, so faster contenders (nginx, the floor) are held to this rate.
OPEN_LOOP_MAX_RATE = 4000


def capacity(url: str, seconds: float) -> dict:
    """Requests per second at capacity: wrk, ``CAPACITY_CONNECTIONS`` connections, closed
    loop; ``errors`` counts socket errors and non-2xx answers."""
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("taskset") or "taskset",
            "-c",
            LOAD_CORE,
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{CAPACITY_CONNECTIONS}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "errors": (sum(int(n) for n in errors.groups()) if errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def open_loop(url: str, rate: float, seconds: float) -> dict:
    """p50 and p99 latency (ms) of requests sent at a constant ``rate`` per second for about
    ``seconds``, whatever the answers' pace (h2load's rate mode: a new connection, one request,
    every 1/rate s, spread over 10 ms periods); ``rate`` is what was actually sent."""
    rate = max(1.0, min(rate, OPEN_LOOP_MAX_RATE))
    if rate >= 100:
        period_ms, per_period = 10, max(1, round(rate / 100))
    else:
        period_ms, per_period = max(1, round(1000 / rate)), 1
    sent_rate = per_period * 1000 / period_ms
    requests = max(8, round(sent_rate * seconds))
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "requests.tsv"
        output = subprocess.run(  # noqa: S603 - fixed arguments
            [
                shutil.which("taskset") or "taskset",
                "-c",
                LOAD_CORE,
                shutil.which("h2load") or "h2load",
                "--h1",
                "-t1",
                f"-n{requests}",
                f"-c{requests}",
                f"-r{per_period}",
                f"--rate-period={period_ms}ms",
                f"--log-file={log}",
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        lines = [line.split("\t") for line in log.read_text().splitlines() if line]
    durations = sorted(int(fields[2]) / 1000 for fields in lines)
    failed = sum(1 for fields in lines if not fields[1].startswith("2"))
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", output)
    failed += requests - int(done.group(2)) if done else 0
    if not durations:
        return {"rate": sent_rate, "p50": float("nan"), "p99": float("nan"), "errors": failed}
    return {
        "rate": sent_rate,
        "p50": _percentile(durations, 0.50),
        "p99": _percentile(durations, 0.99),
        "errors": failed,
        "samples": len(durations),
    }


def _percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
