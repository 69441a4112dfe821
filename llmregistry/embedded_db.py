"""Embedded PostgreSQL for a laptop: started when DATABASE_URL is unset (``make run``).

The server (the ``pgserver`` package, PostgreSQL 16 binaries in a wheel) keeps its data in
``.pgdata/`` at the project root, which git ignores, so a second ``make run`` reuses it.
"""

import logging
import warnings
from pathlib import Path


def embedded_database_url(data_dir: Path) -> str:
    """Start (or attach to) the embedded server in ``data_dir`` and return its URL."""
    # pgserver logs every pg_ctl call at INFO, including from its exit handler after the
    # streams are closed; its warnings are enough.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); /tmp is fine.
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError as exc:  # pragma: no cover - pgserver is a pinned dependency
            raise RuntimeError(
                "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not "
                "installed. Set DATABASE_URL to a PostgreSQL server or run `make install`."
            ) from exc
        data_dir.mkdir(parents=True, exist_ok=True)
        # cleanup_mode="stop": the server stops when the last process using it exits; its
        # data stays for the next run.
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri()
