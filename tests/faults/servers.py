"""Private Redis and PostgreSQL servers that the fault tests may stop, kill and start again.

The shared servers on 5432 and 6379 serve every test and developer: no test ever stops them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(condition, what: str, timeout_s: float = START_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise TimeoutError(f"Timed out after {timeout_s} s waiting for {what}.")


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class PrivateRedis:
    """A throwaway redis-server on a free port, nothing saved to disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(lambda: _accepts(self.port), f"redis-server on port {self.port}")

    def freeze(self) -> None:
        """Hang it (SIGSTOP): the port still accepts connections, nothing ever answers, as
        with a stalled server or a network that drops packets."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """Stop it the hard way (SIGKILL): connections drop, the port refuses."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def postgres_bindir() -> Path | None:
    """PostgreSQL's server binaries (initdb, postgres), newest installed major version."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free port, trusting local
    connections. Run as the ``postgres`` system user when the tests run as root (initdb refuses
    root)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="registry-faults-pg-"))
        self.data = self.directory / "data"
        self.process: subprocess.Popen | None = None
        self.log = self.directory / "postgres.log"
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, as_server_user: bool = True, **kwargs):
        result = subprocess.run(
            args,
            check=False,
            capture_output=True,
            user=self.user.pw_uid if self.user and as_server_user else None,
            **kwargs,
        )
        if result.returncode:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}): {result.stderr.decode()[-2000:]}"
            )
        return result

    def init(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        log = open(self.log, "ab")  # noqa: SIM115 - held by the server process
        self.process = subprocess.Popen(
            [
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.directory),
                "-c",
                "listen_addresses=127.0.0.1",
                # A test cluster: durability buys nothing here.
                "-c",
                "fsync=off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=self.user.pw_uid if self.user else None,
        )
        log.close()
        _wait_until(self.ready, f"PostgreSQL on port {self.port}")

    def ready(self) -> bool:
        result = subprocess.run(
            [str(self.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return result.returncode == 0

    def stop(self) -> None:
        """Fast shutdown, as a restart does: sessions are ended, new connections refused."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
        self.process = None

    def remove(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def copy_database(self, *, source: dict, name: str) -> None:
        """Create database ``name`` here holding everything in ``source`` (a Django
        DATABASES entry), schema and rows, through pg_dump and pg_restore."""
        target = ("--host", "127.0.0.1", "--port", str(self.port), "--username", "postgres")
        self._run(str(self.bindir / "createdb"), *target, name)
        dump = self._run(
            str(self.bindir / "pg_dump"),
            "--format",
            "custom",
            "--no-owner",
            "--no-privileges",
            "--host",
            source["HOST"] or "127.0.0.1",
            "--port",
            str(source["PORT"] or 5432),
            "--username",
            source["USER"],
            source["NAME"],
            as_server_user=False,
            env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
        )
        self._run(
            str(self.bindir / "pg_restore"),
            *target,
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            name,
            input=dump.stdout,
        )


def start_celery_worker(
    *,
    broker_url: str,
    database: dict,
    log_path: Path | None = None,
    name: str = "worker",
    loglevel: str = "INFO",
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A real Celery worker process (solo pool) on ``database`` (a Django connection's
    settings: the test database), fed by ``broker_url``. Its output goes to ``log_path``
    (kept as ``worker.log``) or nowhere; ``env`` adds or overrides variables."""
    worker_env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL",)}
    worker_env.update(
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        CELERY_BROKER_URL=broker_url,
        DJANGO_SECRET_KEY=f"{name}-test-worker",
        DJANGO_DEBUG="0",
        **(env or {}),
    )
    output = log_path.open("wb") if log_path is not None else subprocess.DEVNULL
    try:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "llmregistry",
                "worker",
                "--pool",
                "solo",
                "--hostname",
                f"{name}@%h",
                "--loglevel",
                loglevel,
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=Path(__file__).resolve().parents[2],
            env=worker_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    finally:
        if log_path is not None:
            output.close()
    worker.log = log_path
    return worker
