"""The catalog of bench/read_bench.py: grown in bulk SQL, exported to SQLite for Datasette.

Cloning 100,000 variants through the ORM (and pghistory's triggers) takes minutes; one
``INSERT … SELECT`` over ``generate_series`` takes seconds.
"""

import sqlite3
from pathlib import Path

# Variants whose version and family are published too: clones of them are visible to anonymous
# readers, so they show up in every list, count and search the benchmark makes.
VISIBLE_SOURCES = """
    SELECT v.*, row_number() OVER (ORDER BY v.id) - 1 AS source_index
    FROM catalog_modelvariant v
    JOIN catalog_modelversion mv ON mv.id = v.version_id
    JOIN catalog_modelfamily mf ON mf.id = mv.family_id
    WHERE v.status = 'published' AND mv.status = 'published' AND mf.status = 'published'
      AND v.slug NOT LIKE '%%-bench-%%'
"""

# The flat table Datasette serves: the columns the API's variant list shows, joined once.
EXPORT_SQL = """
    SELECT v.id, v.slug, v.name, v.kind, v.status, v.total_parameters, v.active_parameters,
           v.release_date, COALESCE(v.release_date, mv.release_date) AS effective_release_date,
           COALESCE(mv.max_context_tokens, v.max_position_embeddings) AS context_tokens,
           v.num_experts IS NOT NULL AS is_moe, v.hf_repo_id, v.modelscope_repo_id,
           v.description, v.num_layers, v.hidden_size, v.num_attention_heads, v.num_kv_heads,
           v.head_dim, v.intermediate_size, v.vocab_size, v.max_position_embeddings,
           mv.id AS version_id, mv.slug AS version_slug, mv.name AS version_name,
           mv.release_date AS version_release_date,
           mf.id AS family_id, mf.slug AS family_slug, mf.name AS family_name,
           o.slug AS organization_slug, o.name AS organization_name,
           l.slug AS license_slug, l.name AS license_name,
           l.commercial_use AS license_commercial_use
    FROM catalog_modelvariant v
    JOIN catalog_modelversion mv ON mv.id = v.version_id
    JOIN catalog_modelfamily mf ON mf.id = mv.family_id
    JOIN catalog_organization o ON o.id = mf.organization_id
    LEFT JOIN licenses_license l ON l.id = COALESCE(v.license_id, mv.license_id)
    WHERE v.status = 'published' AND mv.status = 'published' AND mf.status = 'published'
"""


def grow_variants(target: int) -> int:
    """Clone visible variants under new slugs (``<slug>-bench-<n>``) until the catalog holds
    ``target`` variants, in one statement with triggers off (no history rows); return the
    count."""
    from django.db import connection, transaction

    from catalog.models import ModelVariant

    columns = [
        f.column for f in ModelVariant._meta.concrete_fields if f.column not in ("id", "slug")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_modelvariant")
        (count,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM catalog_modelvariant WHERE slug LIKE '%%-bench-%%'")
        (clones,) = cursor.fetchone()
        if count < target:
            cursor.execute("SET LOCAL session_replication_role = replica")
            listed = ", ".join(f'"{c}"' for c in columns)
            picked = ", ".join("''" if c == "catalog_digest" else f's."{c}"' for c in columns)
            cursor.execute(
                f"""
                WITH sources AS ({VISIBLE_SOURCES}),
                     total AS (SELECT count(*) AS n FROM sources)
                INSERT INTO catalog_modelvariant ({listed}, slug)
                SELECT {picked}, s.slug || '-bench-' || g
                FROM generate_series(%s, %s) AS g, total, sources s
                WHERE s.source_index = g %% total.n
                """,  # noqa: S608 - column names from the model, numbers as parameters
                [clones, clones + target - count - 1],
            )
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM catalog_modelvariant")
        return cursor.fetchone()[0]


def export_sqlite(path: Path) -> int:
    """Write the visible variants, joined flat (``EXPORT_SQL``), to table ``variants`` of a new
    SQLite file with the indexes the benchmark's queries use; return the row count."""
    from django.db import connection

    path.unlink(missing_ok=True)
    with connection.cursor() as cursor:
        cursor.execute(EXPORT_SQL)
        names = [d.name for d in cursor.description]
        rows = cursor.fetchall()
    database = sqlite3.connect(path)
    with database:
        # An INTEGER key: Datasette looks rows up by the text of their URL, which an untyped
        # column would never equal.
        columns = ", ".join("id INTEGER PRIMARY KEY" if name == "id" else name for name in names)
        database.execute(f"CREATE TABLE variants ({columns})")
        marks = ", ".join("?" for _ in names)
        database.executemany(
            f"INSERT INTO variants VALUES ({marks})",  # noqa: S608 - fixed columns
            [tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in rows],
        )
        database.execute(
            "CREATE INDEX variants_list ON variants (version_id, total_parameters, slug, id)"
        )
        database.execute("CREATE INDEX variants_key ON variants (family_slug, version_slug, slug)")
    database.execute("ANALYZE")
    database.close()
    return len(rows)
