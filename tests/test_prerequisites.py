"""`make test`'s set-up step (tests/prerequisites.py) on a machine without the system tools the
suite needs: as root with apt it installs them, saying so; otherwise it stops before the suite
with one message naming the exact command. The subprocess tests run it with a PATH that holds
none of the tools (only a stand-in apt-get that records what it is asked and then provides
stand-ins for them), the cheapest honest copy of a fresh machine."""

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

from tests import prerequisites

SCRIPT = Path(prerequisites.__file__)
TOOLS = ("chromium", "fc-list", "msgfmt", "msgmerge", "xgettext", "npm", "node", "redis-server")
EVERY_PACKAGE = "chromium fonts-noto-cjk fontconfig gettext npm redis-server"


def _which_from(present: set[str]):
    return lambda command: f"/usr/bin/{command}" if command in present else None


def test_a_user_who_is_not_root_is_told_the_one_command_to_run():
    err = io.StringIO()
    ran = []
    status = prerequisites.ensure(
        browser=True,
        which=_which_from({"apt-get", "msgfmt", "msgmerge", "xgettext"}),
        euid=1000,
        run=lambda *args, **kwargs: ran.append(args) or 0,
        err=err,
    )
    assert status == 1
    assert not ran
    text = err.getvalue()
    assert "sudo apt-get install -y chromium fonts-noto-cjk fontconfig npm redis-server" in text
    assert "Chromium, for the browser tests" in text
    assert text.count("\n") < 12  # one message, not a failure per test


def test_root_with_apt_installs_what_is_missing_and_says_so():
    present = {"apt-get"}
    out = io.StringIO()
    commands = []

    def run(command, env):
        commands.append(command)
        if command[:2] == ["apt-get", "install"]:
            present.update(TOOLS)
        return 0

    status = prerequisites.ensure(
        browser=True, which=_which_from(present), euid=0, run=run, out=out
    )
    assert status == 0
    assert commands == [["apt-get", "install", "-y", "-qq", *EVERY_PACKAGE.split()]]
    assert out.getvalue().startswith("Installing Chromium, a CJK font, GNU gettext, npm")


def test_the_inner_loop_does_not_ask_for_a_browser():
    lacking = prerequisites.missing(
        browser=False, which=_which_from({"msgfmt", "msgmerge", "xgettext", "npm", "node"})
    )
    assert [r.name for r in lacking] == ["redis-server"]


def test_without_apt_the_message_names_the_debian_packages():
    text = prerequisites.message(prerequisites.REQUIREMENTS[:1], root=False, apt=False)
    assert "package manager (Debian's packages: chromium)" in text
    assert "CHROMIUM_PATH" in text


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _fresh_machine(tmp_path: Path, *, with_apt: bool) -> dict[str, str]:
    """An environment whose PATH holds none of the tools; its apt-get (when given) records
    its arguments and then provides stand-ins for every tool."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if with_apt:
        stand_ins = "".join(
            f"printf '#!/bin/sh\\necho Noto Sans CJK SC\\n' > {bin_dir}/{tool}; "
            f"/bin/chmod +x {bin_dir}/{tool}\n"
            for tool in TOOLS
        )
        _executable(
            bin_dir / "apt-get",
            f'echo "$@" >> {tmp_path}/apt-get.log\ncase "$1" in install) {stand_ins} ;; esac\n',
        )
    environment = {key: value for key, value in os.environ.items() if key != "CHROMIUM_PATH"}
    environment["PATH"] = str(bin_dir)
    return environment


def _setup_step(environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_set_up_step_on_a_machine_without_the_tools(tmp_path):
    result = _setup_step(_fresh_machine(tmp_path, with_apt=True))
    if os.geteuid() == 0:
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Installing Chromium, a CJK font")
        asked = (tmp_path / "apt-get.log").read_text()
        assert f"install -y -qq {EVERY_PACKAGE}" in asked
    else:
        assert result.returncode == 1
        assert f"sudo apt-get install -y {EVERY_PACKAGE}" in result.stderr
        assert not (tmp_path / "apt-get.log").exists()


def test_the_set_up_step_without_apt_stops_with_one_message(tmp_path):
    result = _setup_step(_fresh_machine(tmp_path, with_apt=False))
    assert result.returncode == 1
    assert result.stderr.startswith("make test needs system tools that are missing:")
    assert "Then run make test again." in result.stderr
