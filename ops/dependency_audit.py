"""Audit the installed Python packages against a vulnerability database (``make audit``).

It says what it knows: when no database could be read, or any package could not be checked,
it fails with the reason (exit status 2) instead of reporting "no known vulnerabilities".
Two databases:

- online (default): pip-audit asks OSV (``--service osv``: api.osv.dev, or a mirror given by
  ``--osv-url``) or PyPI (``--service pypi``) about each installed package. pip-audit alone
  skips every package PyPI's JSON API answers 404 for (an intranet proxy does, for all of
  them) and still reports success; here one skipped package fails the audit.
- carried in (``--advisories PATH``): the OSV export of PyPI advisories (``PyPI/all.zip``,
  docs/operations.md says where from), an unpacked folder of it or one advisory file, matched
  here against the installed versions with no network at all. A copy whose newest advisory is
  older than ``--max-age-days`` fails: its silence would say little.

Exit status: 0 no known vulnerability, 1 vulnerabilities found, 2 the audit could not be done.
Run it with the environment's own interpreter: ``.venv/bin/python -m ops.dependency_audit``.
"""

import argparse
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

EXIT_CLEAN = 0
EXIT_VULNERABLE = 1
EXIT_NOT_AUDITED = 2

# This checkout, installed editable for its dependencies: not a package on PyPI.
PROJECT = "llmregistry"
OSV_ECOSYSTEM = "PyPI"
# Range types whose events are package versions (GIT ranges hold commit hashes).
VERSION_RANGE_TYPES = ("ECOSYSTEM", "SEMVER")
DEFAULT_MAX_AGE_DAYS = 30
PIP_AUDIT_TIMEOUT_SECONDS = 15
SKIPPED_SHOWN = 10

DATABASE_UNREADABLE = "No vulnerability database could be read, so nothing was checked: {reason}"
PACKAGES_SKIPPED = (
    "{count} of {total} packages were not checked against any vulnerability database, so the "
    "audit proves nothing about them:"
)
DATABASE_STALE = (
    "The advisory database is {age_days} days old (its newest advisory was modified on "
    "{newest}): fetch a fresh copy, or accept its age with --max-age-days {age_days}."
)
NOTHING_KNOWN = "No known vulnerabilities in {total} packages ({database})."
VULNERABILITIES_FOUND = "{count} known vulnerabilities in {total} packages ({database}):"


class AuditFailed(Exception):
    """The audit could not be done; the message says why."""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory_id: str
    aliases: tuple[str, ...]
    fixed_in: tuple[str, ...]
    summary: str

    def line(self) -> str:
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fixed = f"fixed in {', '.join(self.fixed_in)}" if self.fixed_in else "no fix yet"
        return (
            f"  {self.package} {self.version}: {self.advisory_id}{aliases}, {fixed}. "
            f"{self.summary}".rstrip()
        )


def installed_packages() -> dict[str, str]:
    """Canonical name to version of every distribution this interpreter sees, the project
    itself left out."""
    packages = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name and canonicalize_name(name) != PROJECT:
            packages[canonicalize_name(name)] = distribution.version
    return packages


# --- A carried-in OSV export ------------------------------------------------------------------


def read_advisories(path: Path) -> list[dict]:
    """The PyPI advisories of an OSV export: a zip of advisory files (OSV's ``all.zip``), a
    folder of them, or one file (an advisory or a list of them).

    Raises ``AuditFailed`` when the path cannot be read or holds no PyPI advisory.
    """
    try:
        if path.is_dir():
            documents = [json.loads(file.read_bytes()) for file in sorted(path.rglob("*.json"))]
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                documents = [
                    json.loads(archive.read(name))
                    for name in archive.namelist()
                    if name.endswith(".json")
                ]
        else:
            document = json.loads(path.read_bytes())
            documents = document if isinstance(document, list) else [document]
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise AuditFailed(DATABASE_UNREADABLE.format(reason=f"{path}: {error}")) from error
    advisories = [
        document
        for document in documents
        if isinstance(document, dict)
        and any(
            entry.get("package", {}).get("ecosystem") == OSV_ECOSYSTEM
            for entry in document.get("affected", [])
        )
    ]
    if not advisories:
        raise AuditFailed(
            DATABASE_UNREADABLE.format(reason=f"{path} holds no {OSV_ECOSYSTEM} advisory")
        )
    return advisories


def newest_modification(advisories: Iterable[dict]) -> datetime | None:
    """When the newest advisory was last modified: how fresh the copy is."""
    newest = None
    for advisory in advisories:
        try:
            modified = datetime.fromisoformat(advisory["modified"])
        except (KeyError, TypeError, ValueError):
            continue
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=UTC)
        if newest is None or modified > newest:
            newest = modified
    return newest


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _in_range(version: Version, events: list[dict]) -> bool:
    """OSV's evaluation of one range: walk its events in version order; ``introduced`` opens
    it, ``fixed`` closes it at that version, ``last_affected`` right after that version."""
    ordered = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                bound = _version(event[kind])
                if bound is None:
                    return False  # a bound that is no version: this range cannot be read
                ordered.append((bound, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda pair: pair[0]):
        if kind == "introduced" and version >= bound:
            affected = True
        elif (kind == "fixed" and version >= bound) or (
            kind == "last_affected" and version > bound
        ):
            affected = False
    return affected


def affects(entry: dict, version: str) -> bool:
    """Whether one ``affected`` entry of an advisory names this version of its package."""
    if version in entry.get("versions", []):
        return True
    parsed = _version(version)
    if parsed is None:
        return False
    return any(
        _in_range(parsed, span.get("events", []))
        for span in entry.get("ranges", [])
        if span.get("type") in VERSION_RANGE_TYPES
    )


def match(advisories: list[dict], packages: dict[str, str]) -> list[Finding]:
    """Each advisory that affects an installed version, once per package: an advisory whose id
    or alias was already reported for the package (PYSEC, GHSA and CVE ids of one flaw) is
    not repeated."""
    findings = []
    reported: dict[str, set[str]] = {}
    for advisory in sorted(advisories, key=lambda advisory: advisory.get("id", "")):
        if advisory.get("withdrawn"):
            continue
        for entry in advisory.get("affected", []):
            package = entry.get("package", {})
            name = canonicalize_name(package.get("name", ""))
            if package.get("ecosystem") != OSV_ECOSYSTEM or name not in packages:
                continue
            if not affects(entry, packages[name]):
                continue
            ids = {advisory["id"], *advisory.get("aliases", [])}
            seen = reported.setdefault(name, set())
            if not ids & seen:
                findings.append(
                    Finding(
                        package=name,
                        version=packages[name],
                        advisory_id=advisory["id"],
                        aliases=tuple(sorted(advisory.get("aliases", []))),
                        fixed_in=tuple(
                            event["fixed"]
                            for span in entry.get("ranges", [])
                            for event in span.get("events", [])
                            if "fixed" in event
                        ),
                        summary=advisory.get("summary", ""),
                    )
                )
            seen |= ids
    return findings


def audit_carried_in(
    path: Path, packages: dict[str, str], *, max_age_days: int, now: datetime
) -> tuple[list[Finding], str]:
    """Findings against an OSV export, and a line describing the database. Raises
    ``AuditFailed`` when it cannot be read or is older than ``max_age_days`` (0: any age)."""
    advisories = read_advisories(path)
    newest = newest_modification(advisories)
    if max_age_days and newest is not None:
        age_days = (now - newest).days
        if age_days > max_age_days:
            raise AuditFailed(
                DATABASE_STALE.format(age_days=age_days, newest=newest.date().isoformat())
            )
    when = f", newest modified {newest.date().isoformat()}" if newest else ""
    database = f"{len(advisories)} {OSV_ECOSYSTEM} advisories carried in from {path}{when}"
    return match(advisories, packages), database


# --- Online, through pip-audit ----------------------------------------------------------------


def run_pip_audit(*, service: str, osv_url: str | None, timeout_seconds: int) -> dict:
    """pip-audit's JSON report on this environment. Raises ``AuditFailed`` when it gave none
    (the service could not be reached, or pip-audit is not installed)."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format=json",
        "--progress-spinner=off",
        "--skip-editable",
        "--desc=on",
        f"--vulnerability-service={service}",
        f"--timeout={timeout_seconds}",
    ]
    if osv_url:
        command.append(f"--osv-url={osv_url}")
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return json.loads(completed.stdout)
    except ValueError:
        raise AuditFailed(DATABASE_UNREADABLE.format(reason=_failure_reason(completed))) from None


def _failure_reason(completed: subprocess.CompletedProcess) -> str:
    """pip-audit's last error line, with its cause when it says nothing itself (pip-audit's
    ``ServiceError`` wraps the HTTP error)."""
    errors = [
        line.strip()
        for line in completed.stderr.splitlines()
        if line.strip()
        and not line[0].isspace()
        and not line.startswith(("Traceback", "The above exception", "During handling"))
    ]
    if not errors:
        return f"pip-audit exited with status {completed.returncode}"
    return errors[-1] if ": " in errors[-1] else "; ".join(errors[-2:])


def judge_pip_audit(report: dict) -> list[Finding]:
    """The findings of a pip-audit report. Raises ``AuditFailed`` when it skipped any package
    but the project itself, or checked none."""
    dependencies = report.get("dependencies", [])
    skipped = [
        dependency
        for dependency in dependencies
        if "skip_reason" in dependency and canonicalize_name(dependency["name"]) != PROJECT
    ]
    checked = [dependency for dependency in dependencies if "skip_reason" not in dependency]
    if skipped:
        lines = [f"  {dependency['skip_reason']}" for dependency in skipped[:SKIPPED_SHOWN]]
        if len(skipped) > SKIPPED_SHOWN:
            lines.append(f"  … and {len(skipped) - SKIPPED_SHOWN} more")
        heading = PACKAGES_SKIPPED.format(count=len(skipped), total=len(skipped) + len(checked))
        raise AuditFailed("\n".join([heading, *lines]))
    if not checked:
        raise AuditFailed(DATABASE_UNREADABLE.format(reason="pip-audit checked no package"))
    return [
        Finding(
            package=canonicalize_name(dependency["name"]),
            version=dependency["version"],
            advisory_id=vulnerability["id"],
            aliases=tuple(sorted(vulnerability.get("aliases", []))),
            fixed_in=tuple(vulnerability.get("fix_versions", [])),
            summary=vulnerability.get("description", "") or "",
        )
        for dependency in checked
        for vulnerability in dependency.get("vulns", [])
    ]


# --- Command line -----------------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ops.dependency_audit",
        description="Check the installed packages against a vulnerability database; fail "
        "when none could be read.",
    )
    parser.add_argument(
        "--advisories",
        type=Path,
        help="an OSV export carried in (PyPI all.zip, a folder of advisories or one file): "
        "no network",
    )
    parser.add_argument(
        "--service",
        choices=("osv", "pypi"),
        default="osv",
        help="online: the database pip-audit asks (default: osv)",
    )
    parser.add_argument("--osv-url", help="online: an OSV API mirror (its /v1/query address)")
    parser.add_argument(
        "--max-age-days",
        type=int,
        default=DEFAULT_MAX_AGE_DAYS,
        help="carried in: fail when the newest advisory is older (0: any age; default: "
        f"{DEFAULT_MAX_AGE_DAYS})",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="ID",
        help="an advisory id or alias accepted after review (repeatable)",
    )
    parser.add_argument("--timeout", type=int, default=PIP_AUDIT_TIMEOUT_SECONDS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    packages = installed_packages()
    try:
        if arguments.advisories is not None:
            findings, database = audit_carried_in(
                arguments.advisories,
                packages,
                max_age_days=arguments.max_age_days,
                now=datetime.now(UTC),
            )
        else:
            report = run_pip_audit(
                service=arguments.service,
                osv_url=arguments.osv_url,
                timeout_seconds=arguments.timeout,
            )
            findings = judge_pip_audit(report)
            where = (arguments.osv_url or "api.osv.dev") if arguments.service == "osv" else "PyPI"
            database = f"pip-audit, {arguments.service} at {where}"
    except AuditFailed as failure:
        print(f"AUDIT FAILED. {failure}", file=sys.stderr)
        return EXIT_NOT_AUDITED
    ignored = set(arguments.ignore)
    kept = [f for f in findings if not ignored & {f.advisory_id, *f.aliases}]
    if len(kept) < len(findings):
        print(f"{len(findings) - len(kept)} accepted with --ignore.")
    if not kept:
        print(NOTHING_KNOWN.format(total=len(packages), database=database))
        return EXIT_CLEAN
    print(VULNERABILITIES_FOUND.format(count=len(kept), total=len(packages), database=database))
    for finding in kept:
        print(finding.line())
    return EXIT_VULNERABLE


if __name__ == "__main__":
    sys.exit(main())
