"""Whole-database backups with PostgreSQL's own tools (pg_dump and pg_restore, custom format).

Used by ``manage.py backup`` and ``manage.py restore``. A backup holds everything: the catalog,
its history, users, tokens and ingestion runs; restoring it gives the registry back as it was
(docs/operations.md, "Backup and restore").

The password travels in the ``PGPASSWORD`` environment variable of the child process, never
on its command line, where other users of the machine could read it (``ps``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext_lazy as _

# pg_dump's custom format starts with these bytes (PostgreSQL's pg_backup_archiver.c).
ARCHIVE_MAGIC = b"PGDMP"
# What the tools said, at most, in an error message: enough for the cause, not a wall of text.
DETAIL_CHARACTERS = 2000

ERROR_OUTPUT_IS_DIRECTORY = _("%(path)s is a folder; give the backup a file name.")
ERROR_OUTPUT_NO_FOLDER = _("%(path)s: the folder %(folder)s does not exist.")
ERROR_OUTPUT_EXISTS = _("%(path)s already exists; choose another name or remove it first.")
ERROR_ARCHIVE_MISSING = _("%(path)s: no such file.")
ERROR_ARCHIVE_NOT_FILE = _("%(path)s is not a file.")
ERROR_ARCHIVE_UNREADABLE = _("%(path)s cannot be read: %(reason)s.")
ERROR_ARCHIVE_FORMAT = _(
    "%(path)s is not a backup made by `manage.py backup` (a pg_dump custom-format archive)."
)
ERROR_DATABASE_NOT_EMPTY = _(
    "The database %(database)s is not empty (%(count)d tables, sequences or views). Restore "
    "into an empty database, or pass --force to replace what the backup holds."
)
ERROR_PROGRAM_MISSING = _(
    "%(program)s was not found: install the PostgreSQL client programs (the server's major "
    "version or newer), or use the compose commands in docs/operations.md."
)
ERROR_PROGRAM_FAILED = _("%(program)s failed (exit status %(status)d): %(detail)s")


class BackupError(Exception):
    """A backup or restore cannot be done; the message says why and names the file."""


@dataclass(frozen=True)
class PgTarget:
    """Where the tools connect: the ``DATABASES`` entry of one alias."""

    name: str
    user: str
    password: str
    host: str
    port: str
    sslmode: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> PgTarget:
        database = connections[alias].settings_dict
        return cls(
            name=database["NAME"],
            user=database.get("USER") or "",
            password=database.get("PASSWORD") or "",
            host=database.get("HOST") or "",
            port=str(database.get("PORT") or ""),
            sslmode=(database.get("OPTIONS") or {}).get("sslmode", ""),
        )

    def arguments(self) -> list[str]:
        """Connection options for pg_dump and pg_restore (never the password)."""
        arguments = []
        if self.host:
            arguments += ["--host", self.host]
        if self.port:
            arguments += ["--port", self.port]
        if self.user:
            arguments += ["--username", self.user]
        return [*arguments, "--no-password"]

    def environment(self) -> dict[str, str]:
        """The child's environment: ours, with the password and TLS mode of the settings."""
        environment = dict(os.environ)
        if self.password:
            environment["PGPASSWORD"] = self.password
        if self.sslmode:
            environment["PGSSLMODE"] = self.sslmode
        return environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(ERROR_PROGRAM_MISSING % {"program": name})
    return found


def _run(argv: list[str], target: PgTarget) -> None:
    # The PostgreSQL tools from PATH, with settings values as separate arguments (no shell).
    result = subprocess.run(  # noqa: S603
        argv, env=target.environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-DETAIL_CHARACTERS:]
        raise BackupError(
            ERROR_PROGRAM_FAILED
            % {"program": Path(argv[0]).name, "status": result.returncode, "detail": detail}
        )


def backup_output_check(path: Path) -> None:
    """Refuse a folder, a path whose folder is missing, and a file that exists already
    (a backup never overwrites anything)."""
    if path.is_dir():
        raise BackupError(ERROR_OUTPUT_IS_DIRECTORY % {"path": path})
    if not path.parent.is_dir():
        raise BackupError(ERROR_OUTPUT_NO_FOLDER % {"path": path, "folder": path.parent})
    if path.exists() or path.is_symlink():
        raise BackupError(ERROR_OUTPUT_EXISTS % {"path": path})


def archive_check(path: Path) -> None:
    """Refuse a missing, unreadable or non-archive file before touching the database."""
    if not path.exists():
        raise BackupError(ERROR_ARCHIVE_MISSING % {"path": path})
    if not path.is_file():
        raise BackupError(ERROR_ARCHIVE_NOT_FILE % {"path": path})
    try:
        with path.open("rb") as archive:
            magic = archive.read(len(ARCHIVE_MAGIC))
    except OSError as exc:
        raise BackupError(
            ERROR_ARCHIVE_UNREADABLE % {"path": path, "reason": exc.strerror or exc}
        ) from None
    if magic != ARCHIVE_MAGIC:
        raise BackupError(ERROR_ARCHIVE_FORMAT % {"path": path})


def database_relation_count(alias: str = "default") -> int:
    """Tables, sequences and views outside PostgreSQL's own schemas (0: an empty database)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'"
        )
        return cursor.fetchone()[0]


def database_backup(*, output: Path, alias: str = "default") -> int:
    """Dump the database of ``alias`` into ``output`` (pg_dump custom format).

    The dump goes to a hidden file beside ``output`` and is renamed when complete, so a failed
    backup leaves no partial file. Returns the size in bytes. Raises :class:`BackupError`.
    """
    backup_output_check(output)
    target = PgTarget.from_settings(alias)
    partial = output.with_name(f".{output.name}.partial")
    argv = [
        _program("pg_dump"),
        "--format=custom",
        "--file",
        str(partial),
        *target.arguments(),
        "--dbname",
        target.name,
    ]
    try:
        _run(argv, target)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output.stat().st_size


def database_restore(*, archive: Path, force: bool = False, alias: str = "default") -> None:
    """Restore ``archive`` (made by :func:`database_backup`) into the database of ``alias``.

    The database must be empty unless ``force``: then every object the backup holds is
    dropped first (``--clean --if-exists``). One transaction: on any error nothing is
    restored. Ownership and grants are not restored (the settings' user owns everything), so a
    backup from another deployment restores as is. Raises :class:`BackupError`.
    """
    archive_check(archive)
    target = PgTarget.from_settings(alias)
    count = database_relation_count(alias)
    if count and not force:
        raise BackupError(ERROR_DATABASE_NOT_EMPTY % {"database": target.name, "count": count})
    # Our own idle connection would only wait on the locks pg_restore takes.
    connections[alias].close()
    argv = [
        _program("pg_restore"),
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        *(["--clean", "--if-exists"] if count else []),
        *target.arguments(),
        "--dbname",
        target.name,
        str(archive),
    ]
    _run(argv, target)
