"""PostgreSQL restarts under a running server: requests during the outage get a clear 503 at
once (JSON under /api/, the 503 page elsewhere), not a hang and not a 500; once the database is
back the next request succeeds with no restart of the app (connection health checks).

The server is gunicorn with production settings, on a private PostgreSQL cluster holding a
copy of the test database; the shared server is never stopped.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from core.middleware import DATABASE_UNAVAILABLE_MESSAGE
from tests.faults.servers import PrivatePostgres, free_port, postgres_bindir

ROOT = Path(__file__).resolve().parents[2]
# A stopped server refuses at once; the bound covers a slow machine, far below any hang.
OUTAGE_ANSWER_SECONDS = 5.0
PAGE = "/models/"
# The copied database is the test database (the mark makes pytest-django create it).
pytestmark = pytest.mark.django_db
API = "/api/v1/variants/"


@pytest.fixture
def private_postgres():
    bindir = postgres_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, postgres) are not installed.")
    try:
        server = PrivatePostgres(bindir)
    except KeyError:
        pytest.skip("Running as root, and there is no 'postgres' user to run PostgreSQL as.")
    try:
        server.init()
        server.start()
        server.copy_database(source=connection.settings_dict, name="registry")
        yield server
    finally:
        server.remove()


@pytest.fixture
def app_server(private_postgres, tmp_path):
    """gunicorn serving the registry from the private cluster (one sync worker, so every
    request uses the same persistent connection: the one the restart breaks)."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_DEBUG")
    }
    env.update(
        DATABASE_URL=private_postgres.url("registry"),
        DJANGO_SETTINGS_MODULE="tests.faults.outage_settings",
        DJANGO_SECRET_KEY="postgres-outage-test",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_COOKIES="0",
        PYTHONPATH=str(ROOT),
    )
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "llmregistry.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while _status(base + "/healthz", timeout_s=1)[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        print(log.read_text(errors="replace")[-5000:])


def _status(url: str, *, timeout_s: float = OUTAGE_ANSWER_SECONDS * 2):
    """(status, headers, body, seconds) of a GET; (None, …) when nothing answered."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read(), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read(), time.monotonic() - started
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, None, b"", time.monotonic() - started


def _mcp_search(base: str) -> tuple[int | None, dict]:
    """An MCP tool call (Streamable HTTP, one POST) and its JSON answer."""
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_models", "arguments": {"limit": 1}},
    }
    request = urllib.request.Request(  # noqa: S310 - loopback
        base + "/mcp/",
        data=json.dumps(call).encode(),
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            "Mcp-Protocol-Version": "2025-06-18",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=OUTAGE_ANSWER_SECONDS * 2) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_restart_answers_503_during_the_outage_and_reconnects_by_itself(
    private_postgres, app_server
):
    for path in (API, PAGE):
        assert _status(app_server + path)[0] == 200, path
    status, answer = _mcp_search(app_server)
    assert status == 200
    assert answer["result"]["isError"] is False

    private_postgres.stop()

    # MCP: a tool error naming the outage (or the API's JSON 503), never a 500 or a hang.
    status, answer = _mcp_search(app_server)
    if status == 200:
        assert answer["result"]["isError"] is True
        assert "database cannot be reached" in answer["result"]["content"][0]["text"]
    else:
        assert status == 503
        assert answer == {"detail": str(DATABASE_UNAVAILABLE_MESSAGE)}

    status, headers, body, seconds = _status(app_server + API)
    assert status == 503, body[:2000]
    assert seconds < OUTAGE_ANSWER_SECONDS
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"detail": str(DATABASE_UNAVAILABLE_MESSAGE)}
    assert int(headers["Retry-After"]) > 0

    status, headers, body, seconds = _status(app_server + PAGE)
    page = body.decode()
    assert status == 503, page[:2000]
    assert seconds < OUTAGE_ANSWER_SECONDS
    assert headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in page
    assert "database cannot be reached" in page
    assert "Traceback" not in page
    assert int(headers["Retry-After"]) > 0
    # The 503 passes through the header middleware like any page.
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]

    # Liveness does not depend on the database.
    assert _status(app_server + "/healthz")[0] == 200

    private_postgres.start()

    status, _headers, body, _seconds = _status(app_server + API)
    assert status == 200, body[:2000]
    assert _status(app_server + PAGE)[0] == 200
    status, answer = _mcp_search(app_server)
    assert status == 200
    assert answer["result"]["isError"] is False
