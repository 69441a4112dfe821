"""`make audit` (ops/dependency_audit.py) says what it knows: installed packages are matched
against a vulnerability database, and when none can be read, or a package goes unchecked, it
fails loudly instead of reporting "No known vulnerabilities found" (which pip-audit alone did
with all 122 packages skipped). No test touches the network: the carried-in database is a
fixture, the online service a local server or a closed local port."""

import json
import os
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ops.dependency_audit import (
    DATABASE_UNREADABLE,
    PACKAGES_SKIPPED,
    AuditFailed,
    affects,
    judge_pip_audit,
)

ROOT = Path(__file__).resolve().parents[2]
ADVISORIES = ROOT / "tests/fixtures/advisories"
FAILED = "AUDIT FAILED. "
UNREADABLE = FAILED + DATABASE_UNREADABLE.split("{", 1)[0]
CLOSED_PORT = "http://127.0.0.1:9/v1/query"  # discard: nothing listens there
DJANGO = metadata.version("django")


def _audit(*arguments: str) -> subprocess.CompletedProcess:
    # A proxy set in the environment must not stand between pip-audit and the local server.
    local = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return subprocess.run(
        [sys.executable, "-m", "ops.dependency_audit", *arguments],
        cwd=ROOT,
        env={**os.environ, **local},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# --- A database carried in -------------------------------------------------------------------


def test_a_carried_in_advisory_affecting_an_installed_version_is_reported_once():
    audit = _audit("--advisories", str(ADVISORIES), "--max-age-days", "0")
    assert audit.returncode == 1, audit.stderr
    assert f"django {DJANGO}: FAKE-2099-0001 (CVE-2099-0001), fixed in 99.0." in audit.stdout
    assert audit.stdout.startswith("1 known vulnerabilities in ")
    assert "5 PyPI advisories carried in" in audit.stdout  # the npm one is not PyPI's
    # Fixed before the installed version, last affected before it, withdrawn, another
    # ecosystem's package, and the same flaw under another id: none reported.
    for other in ("0002", "0003", "0004", "0006", "PYSEC-2099-0005"):
        assert other not in audit.stdout


def test_the_osv_zip_export_is_read_like_its_folder(tmp_path):
    export = tmp_path / "all.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for advisory in ADVISORIES.glob("*.json"):
            archive.write(advisory, advisory.name)
    audit = _audit("--advisories", str(export), "--max-age-days", "0")
    assert audit.returncode == 1, audit.stderr
    assert "FAKE-2099-0001" in audit.stdout


def test_an_accepted_advisory_is_left_out_and_the_audit_passes():
    audit = _audit(
        "--advisories", str(ADVISORIES), "--max-age-days", "0", "--ignore", "CVE-2099-0001"
    )
    assert audit.returncode == 0, audit.stderr
    assert "1 accepted with --ignore." in audit.stdout
    assert "No known vulnerabilities in " in audit.stdout


def test_a_missing_database_fails_loudly(tmp_path):
    audit = _audit("--advisories", str(tmp_path / "all.zip"))
    assert audit.returncode == 2
    assert audit.stderr.startswith(UNREADABLE)
    assert "No known vulnerabilities" not in audit.stdout


@pytest.mark.parametrize("content", [b"", b"not json", b"[]", b'{"id": "X", "affected": []}'])
def test_a_file_that_holds_no_pypi_advisory_fails_loudly(tmp_path, content):
    database = tmp_path / "advisories.json"
    database.write_bytes(content)
    audit = _audit("--advisories", str(database))
    assert audit.returncode == 2
    assert audit.stderr.startswith(UNREADABLE)


def test_an_empty_folder_fails_loudly(tmp_path):
    audit = _audit("--advisories", str(tmp_path))
    assert audit.returncode == 2
    assert audit.stderr.startswith(UNREADABLE)


def test_a_stale_database_fails_loudly():
    audit = _audit("--advisories", str(ADVISORIES))  # the fixture's newest is of 2024-03-01
    assert audit.returncode == 2
    assert audit.stderr.startswith(FAILED + "The advisory database is ")
    assert "modified on 2024-03-01" in audit.stderr


def _ecosystem_range(*events: tuple[str, str]) -> dict:
    return {"ranges": [{"type": "ECOSYSTEM", "events": [{kind: at} for kind, at in events]}]}


@pytest.mark.parametrize(
    ("entry", "version", "affected"),
    [
        (_ecosystem_range(("introduced", "0")), "5.2", True),
        (_ecosystem_range(("introduced", "5.0"), ("fixed", "5.2")), "5.2", False),
        (_ecosystem_range(("introduced", "5.0"), ("fixed", "5.2")), "5.1.9", True),
        (_ecosystem_range(("introduced", "5.0"), ("fixed", "5.2")), "4.2", False),
        # Two affected spans in one range, the version between them.
        (
            _ecosystem_range(
                ("introduced", "0"), ("fixed", "4.2.20"), ("introduced", "5.0"), ("fixed", "5.1.8")
            ),
            "4.2.25",
            False,
        ),
        (_ecosystem_range(("introduced", "1.0"), ("last_affected", "1.4")), "1.4", True),
        (_ecosystem_range(("introduced", "1.0"), ("last_affected", "1.4")), "1.4.1", False),
        ({"versions": ["2.0.1"]}, "2.0.1", True),
        ({"versions": ["2.0.1"]}, "2.0.2", False),
        # Commit ranges are not versions.
        ({"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}, "1.0", False),
    ],
)
def test_osv_ranges_are_evaluated_as_the_osv_schema_says(entry, version, affected):
    assert affects(entry, version) is affected


# --- Online, through pip-audit -----------------------------------------------------------------


def test_an_unreachable_vulnerability_service_fails_loudly():
    audit = _audit("--service", "osv", "--osv-url", CLOSED_PORT, "--timeout", "2")
    assert audit.returncode == 2
    assert audit.stderr.startswith(UNREADABLE)
    assert "Connection refused" in audit.stderr


def test_a_vulnerability_service_that_answers_errors_fails_loudly(httpserver: HTTPServer):
    httpserver.expect_request("/v1/query", method="POST").respond_with_data("busy", status=503)
    audit = _audit("--osv-url", httpserver.url_for("/v1/query"))
    assert audit.returncode == 2
    assert audit.stderr.startswith(UNREADABLE)
    assert "503 Server Error" in audit.stderr


def test_what_the_vulnerability_service_knows_is_reported(httpserver: HTTPServer):
    advisory = json.loads((ADVISORIES / "FAKE-2099-0001.json").read_text())
    advisory["affected"][0]["package"]["name"] = "django"  # OSV's API answers canonical names
    asked = []

    def osv(request: Request) -> Response:
        query = json.loads(request.get_data())  # pip-audit sends no Content-Type
        asked.append(query["package"]["name"])
        found = {"vulns": [advisory]} if query["package"]["name"] == "django" else {}
        return Response(json.dumps(found), content_type="application/json")

    httpserver.expect_request("/v1/query", method="POST").respond_with_handler(osv)
    audit = _audit("--osv-url", httpserver.url_for("/v1/query"))
    assert audit.returncode == 1, audit.stderr
    # pip-audit names a flaw by its CVE when it has one.
    assert f"django {DJANGO}: CVE-2099-0001 (FAKE-2099-0001), fixed in 99.0." in audit.stdout
    assert {"django", "pip-audit", "packaging"} <= set(asked)
    assert "llmregistry" not in asked  # the project itself is not on PyPI


def test_packages_pip_audit_skipped_fail_the_audit():
    # What pip-audit reported, with exit status 0 and "No known vulnerabilities found", where
    # an intranet proxy answered PyPI's JSON API with 404s.
    report = {
        "dependencies": [
            {"name": "llmregistry", "skip_reason": "distribution marked as editable"},
            {
                "name": "amqp",
                "skip_reason": "Dependency not found on PyPI and could not be audited: "
                "amqp (5.4.2)",
            },
            {
                "name": "django",
                "skip_reason": "Dependency not found on PyPI and could not be audited: "
                "django (5.2.19)",
            },
        ],
        "fixes": [],
    }
    with pytest.raises(AuditFailed) as failure:
        judge_pip_audit(report)
    message = str(failure.value)
    assert message.startswith(PACKAGES_SKIPPED.format(count=2, total=2))
    assert "django (5.2.19)" in message
    assert "llmregistry" not in message


def test_a_report_that_checked_nothing_fails_the_audit():
    with pytest.raises(AuditFailed, match="pip-audit checked no package"):
        judge_pip_audit({"dependencies": [], "fixes": []})


def test_a_clean_report_has_no_findings():
    report = {"dependencies": [{"name": "Django", "version": "5.2.19", "vulns": []}]}
    assert judge_pip_audit(report) == []
