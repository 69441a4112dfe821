"""The system tools the test suite needs beyond Python, checked before it runs (`make test`).

Run as root with apt available, it installs what is missing, saying so in one line. Otherwise
it stops with one message naming the exact command to run, instead of letting dozens of tests
fail one by one. Standard library only: it runs before anything else is set up.

    python tests/prerequisites.py             # what `make test` needs
    python tests/prerequisites.py --no-browser  # `make test-fast`: no browser tests

Exit status: 0 when everything is there (or was installed), 1 with the message otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    """One system tool: how to tell it is there, the Debian packages that bring it, and the
    tests that need it (for the message)."""

    name: str
    packages: tuple[str, ...]
    needed_by: str
    present: Callable[[Callable[[str], str | None]], bool]
    browser: bool = False


def _chromium(which: Callable[[str], str | None]) -> bool:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return os.access(configured, os.X_OK)
    return which("chromium") is not None


def _cjk_font(which: Callable[[str], str | None]) -> bool:
    """A font with Chinese glyphs, as fontconfig reports it (Chinese pages in the browser)."""
    fc_list = which("fc-list")
    if fc_list is None:
        return False
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(listed.stdout.strip())


def _all_of(*commands: str) -> Callable[[Callable[[str], str | None]], bool]:
    return lambda which: all(which(command) is not None for command in commands)


REQUIREMENTS = (
    Requirement(
        "Chromium", ("chromium",), "the browser tests (tests/browser/)", _chromium, browser=True
    ),
    Requirement(
        "a CJK font",
        ("fonts-noto-cjk", "fontconfig"),
        "the Chinese pages of the browser tests",
        _cjk_font,
        browser=True,
    ),
    Requirement(
        "GNU gettext",
        ("gettext",),
        "the translation tests (tests/llmregistry/test_i18n.py)",
        _all_of("msgfmt", "msgmerge", "xgettext"),
    ),
    Requirement(
        "npm",
        ("npm",),
        "the MCP Inspector tests (tests/assistants/test_mcp_inspector.py)",
        _all_of("npm", "node"),
    ),
    Requirement(
        "redis-server",
        ("redis-server",),
        "the fault and readiness tests that start their own Redis",
        _all_of("redis-server"),
    ),
)


def missing(
    *, browser: bool, which: Callable[[str], str | None] = shutil.which
) -> list[Requirement]:
    return [
        requirement
        for requirement in REQUIREMENTS
        if (browser or not requirement.browser) and not requirement.present(which)
    ]


def packages_of(requirements: Sequence[Requirement]) -> list[str]:
    return list(dict.fromkeys(package for r in requirements for package in r.packages))


def install_command(packages: Sequence[str], *, root: bool) -> str:
    prefix = "" if root else "sudo "
    return f"{prefix}apt-get install -y {' '.join(packages)}"


def message(requirements: Sequence[Requirement], *, root: bool, apt: bool) -> str:
    """The one message of a machine that lacks ``requirements`` and cannot install them here."""
    lines = ["make test needs system tools that are missing:"]
    lines += [f"  - {r.name}, for {r.needed_by}" for r in requirements]
    packages = packages_of(requirements)
    if apt:
        lines.append("Install them with:")
        lines.append(f"  {install_command(packages, root=root)}")
    else:
        lines.append(
            "Install them with your system's package manager (Debian's packages: "
            f"{' '.join(packages)}); CHROMIUM_PATH may point at a Chromium binary."
        )
    lines.append("Then run make test again.")
    return "\n".join(lines)


def apt_install(packages: Sequence[str], run: Callable[..., int]) -> bool:
    """``apt-get install``, refreshing the package lists once when the first try fails."""
    command = ["apt-get", "install", "-y", "-qq", *packages]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if run(command, env=environment) == 0:
        return True
    return (
        run(["apt-get", "update", "-qq"], env=environment) == 0
        and run(command, env=environment) == 0
    )


def _run(command: Sequence[str], env: dict[str, str]) -> int:
    return subprocess.run(command, env=env, check=False).returncode


def ensure(
    *,
    browser: bool,
    which: Callable[[str], str | None] = shutil.which,
    euid: int | None = None,
    run: Callable[..., int] = _run,
    out=sys.stdout,
    err=sys.stderr,
) -> int:
    """Check, install when root with apt, or explain; the exit status for ``make``."""
    lacking = missing(browser=browser, which=which)
    if not lacking:
        return 0
    root = (os.geteuid() if euid is None else euid) == 0
    apt = which("apt-get") is not None
    if root and apt:
        packages = packages_of(lacking)
        names = ", ".join(r.name for r in lacking)
        print(
            f"Installing {names} for the tests: apt-get install -y {' '.join(packages)}",
            file=out,
            flush=True,
        )
        if apt_install(packages, run) and not missing(browser=browser, which=which):
            return 0
        lacking = missing(browser=browser, which=which)
    print(message(lacking, root=root, apt=apt), file=err)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-browser", action="store_true", help="skip what only the browser tests need"
    )
    arguments = parser.parse_args(argv)
    return ensure(browser=not arguments.no_browser)


if __name__ == "__main__":
    sys.exit(main())
