"""The curated catalog for tests: loaded once per test session, restored in milliseconds.

Loading the catalog files (``catalog_load``) takes 15-30 s; 17 modules and four live-server
fixtures need it. The session loads it once, inside a transaction that is rolled back, and
keeps the rows it wrote: every table's ``COPY ... TO STDOUT``, twice. ``loaded`` is the state
just before the load's commit, what the module fixture has always given (a load inside a
transaction that rolls back: no recommendations, no generation bump). ``committed`` is the
state after the commit hooks ran (recommendations recomputed), what a live server must see;
its recommendations are also what a module that reads them restores on top of ``loaded``
(``restore_recommendations``), instead of recomputing them.

A restore copies the rows back with ``COPY ... FROM STDIN`` under ``session_replication_role =
replica``: no trigger fires, so the history rows of the load are restored once, as they were,
and not recorded a second time; no foreign-key trigger checks rows that were consistent when
dumped. Identity sequences are moved past the restored ids (never back), so rows tests create
get new ids as they did after a real load. Under pytest-xdist the workers share one build
through a file in the run's temporary directory when their databases match (same migrations
and content types), so a run loads the catalog once, not once per worker.

Where the database user may not set ``session_replication_role`` (it needs a superuser, or
PostgreSQL 15's ``GRANT SET``), a restore falls back to loading the files.
"""

from __future__ import annotations

import fcntl
import hashlib
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Bump when the snapshot's layout changes (a file of an older layout is never read).
SNAPSHOT_FORMAT = 1
# Apps whose tables a live-server fixture empties after use, as before this module existed.
COMMITTED_APPS = ("catalog", "licenses", "hardware", "pghistory")
# Moves a table's identity sequence past the restored ids, and never back (a sequence is not
# transactional: rows tests create must not reuse an id the next module restores).
SEQUENCE_PAST_SQL = (
    "SELECT setval(sequence, GREATEST(({highest}), pg_sequence_last_value(sequence), 1)) "
    "FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence) AS s"
)


@dataclass(frozen=True)
class CatalogSnapshot:
    """The rows the curated catalog load wrote, per table, as ``COPY`` text."""

    # What catalog_load returned (created/updated/unchanged counts).
    report: Any
    # Table -> COPY data, before the load's commit hooks ran.
    loaded: dict[str, bytes]
    # Table -> COPY data, after them (recommendations computed).
    committed: dict[str, bytes]
    # Table -> its identity (or serial) column.
    identities: dict[str, str]


def _raw_cursor(connection):
    connection.ensure_connection()
    return connection.connection.cursor()


def _tables_with_rows(connection) -> set[str]:
    tables = connection.introspection.table_names()
    query = " UNION ALL ".join(
        f'SELECT {index} WHERE EXISTS (SELECT 1 FROM "{table}")'  # noqa: S608 - table names
        for index, table in enumerate(tables)
    )
    with _raw_cursor(connection) as cursor:
        cursor.execute(query)
        return {tables[index] for (index,) in cursor.fetchall()}


def _dump(connection, tables: set[str]) -> dict[str, bytes]:
    dump = {}
    with _raw_cursor(connection) as cursor:
        for table in sorted(tables):
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                dump[table] = b"".join(bytes(block) for block in copy)
    return dump


def _identities(connection, tables: set[str]) -> dict[str, str]:
    with _raw_cursor(connection) as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
        )
        return {table: column for table, column in cursor.fetchall() if table in tables}


def database_key(connection) -> str:
    """What a snapshot depends on besides the catalog files: the applied migrations and the
    content type ids (citations point at content types)."""
    with _raw_cursor(connection) as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = cursor.fetchall()
        cursor.execute("SELECT id, app_label, model FROM django_content_type ORDER BY id")
        content_types = cursor.fetchall()
    text = repr((SNAPSHOT_FORMAT, migrations, content_types))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build() -> CatalogSnapshot:
    """Load the curated catalog inside a transaction, dump what it wrote before and after its
    commit hooks, and roll everything back."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import TestCase

    from curation.services import catalog_load

    before = _tables_with_rows(connection)
    with transaction.atomic():
        # The hooks a commit would run (recomputing recommendations, ANALYZE), run here.
        with TestCase.captureOnCommitCallbacks(execute=True):
            report = catalog_load(root=settings.BASE_DIR)
            written = _tables_with_rows(connection) - before
            loaded = _dump(connection, written)
        written |= _tables_with_rows(connection) - before
        committed = _dump(connection, written)
        identities = _identities(connection, written)
        transaction.set_rollback(True)
    return CatalogSnapshot(report=report, loaded=loaded, committed=committed, identities=identities)


def shared_build(directory: Path | None, key: str) -> CatalogSnapshot:
    """:func:`build`, done once for all the workers of a run that share ``directory`` and
    ``key``; the others wait for it and read it. ``directory`` None: not shared."""
    if directory is None:
        return build()
    path = directory / f"curated-catalog-{key}.pickle"
    with open(directory / f"curated-catalog-{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return pickle.loads(path.read_bytes())  # noqa: S301 - written by this run
        snapshot = build()
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(snapshot))
        partial.replace(path)
        return snapshot


class ReplicationRoleRefused(Exception):
    """The database user may not set session_replication_role."""


def _restore_rows(connection, rows: dict[str, bytes], identities: dict[str, str]) -> None:
    from django.db import transaction

    with _raw_cursor(connection) as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        (role,) = cursor.fetchone()
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception as error:  # psycopg's InsufficientPrivilege
            raise ReplicationRoleRefused from error
        for table, data in rows.items():
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [role])
        for table, column in identities.items():
            if table in rows:
                highest = f'SELECT max("{column}") FROM "{table}"'  # noqa: S608 - introspected
                cursor.execute(SEQUENCE_PAST_SQL.format(highest=highest), [f'"{table}"', column])


def restore(snapshot: CatalogSnapshot, *, committed: bool = False) -> Any:
    """Put the catalog's rows into the current transaction (the caller's atomic block) and
    return the load's report. ``committed``: the rows after the commit hooks, for a caller that
    commits them; the generation moves as a commit of a load would move it."""
    from django.conf import settings
    from django.db import connection

    try:
        _restore_rows(
            connection, snapshot.committed if committed else snapshot.loaded, snapshot.identities
        )
    except ReplicationRoleRefused:
        from curation.services import catalog_load

        return catalog_load(root=settings.BASE_DIR)
    if committed:
        _bump_generation(connection)
    return snapshot.report


def restore_recommendations(snapshot: CatalogSnapshot) -> None:
    """Put the recommendations of every published variant into the current transaction, on top
    of :func:`restore`'s rows: what ``recommendations_recompute()`` would write there (the
    load's commit hooks computed them when the snapshot was built), in milliseconds instead of
    the recompute's seconds. No recompute run is recorded, as none is by a direct call."""
    from django.db import connection

    from hardware.models import Recommendation
    from hardware.services import recommendations_recompute

    rows = snapshot.committed.get(Recommendation._meta.db_table)
    if rows is not None:
        try:
            _restore_rows(connection, {Recommendation._meta.db_table: rows}, snapshot.identities)
            return
        except ReplicationRoleRefused:
            pass
    # No rows to copy (the hooks went to a Celery broker), or no right to copy them: compute.
    recommendations_recompute()


def _bump_generation(connection) -> None:
    # What the generation trigger does at the commit of a catalog write (core/generation.py).
    from core.generation import GENERATION_TABLE

    with _raw_cursor(connection) as cursor:
        cursor.execute(
            f"INSERT INTO {GENERATION_TABLE} AS generation (id, value, last_transaction) "  # noqa: S608
            "VALUES (1, 1, txid_current()) ON CONFLICT (id) DO UPDATE "
            "SET value = generation.value + 1, last_transaction = txid_current() "
            "WHERE generation.last_transaction <> txid_current()"
        )


@contextmanager
def committed_catalog(snapshot: CatalogSnapshot) -> Iterator[Any]:
    """The curated catalog committed (a live server's connection sees it), with its
    recommendations; every catalog, licence, hardware and history table emptied afterwards."""
    from django.apps import apps
    from django.db import connection, transaction

    from core.statistics import refresh_statistics

    with transaction.atomic():
        report = restore(snapshot, committed=True)
    # What the load's commit hook does: planner statistics for the tables just filled.
    refresh_statistics("catalog", "licenses", "hardware")
    try:
        yield report
    finally:
        tables = {
            model._meta.db_table
            for label in COMMITTED_APPS
            for model in apps.get_app_config(label).get_models()
            if not model._meta.proxy and model._meta.managed
        } | set(snapshot.committed)
        quoted = ", ".join(connection.ops.quote_name(table) for table in sorted(tables))
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


# -- the migrated state, after a transactional test's flush ----------------------------------
#
# A transactional test (transactional_db, live_server) ends with a flush: every table emptied,
# content types and permissions created again (new ids), the migrations' role groups gone. Run
# serially, pytest-django puts those tests after all others, so no other test sees that state;
# under xdist a worker runs a file whole, wherever its transactional tests are. Putting the
# migrated rows back after each flush gives every later test the database it would have seen
# serially (and keeps the content type ids the catalog snapshot's citations point at).


def migrated_state() -> dict[str, bytes]:
    """The rows the migrations left (groups, permissions, content types...), per table."""
    from django.db import connection

    return _dump(connection, _tables_with_rows(connection) - {"django_migrations"})


def _dependency_order(connection, tables) -> list[str]:
    from graphlib import TopologicalSorter

    with _raw_cursor(connection) as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f'"
        )
        references = cursor.fetchall()
    graph = {table: set() for table in tables}
    for table, target in references:
        if table in graph and target in graph and target != table:
            graph[table].add(target)
    return list(TopologicalSorter(graph).static_order())


def restore_migrated_state(rows: dict[str, bytes]) -> None:
    """Empty the tables of ``rows`` and copy them back, referenced tables first (no trigger
    needs to be off: none of these tables is tracked)."""
    from django.db import connection, transaction

    with transaction.atomic():
        quoted = ", ".join(connection.ops.quote_name(table) for table in sorted(rows))
        identities = _identities(connection, set(rows))
        with _raw_cursor(connection) as cursor:
            cursor.execute(f"TRUNCATE {quoted} CASCADE")
            for table in _dependency_order(connection, rows):
                with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                    copy.write(rows[table])
            for table, column in identities.items():
                highest = f'SELECT max("{column}") FROM "{table}"'  # noqa: S608 - introspected
                cursor.execute(SEQUENCE_PAST_SQL.format(highest=highest), [f'"{table}"', column])
