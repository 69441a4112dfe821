"""The catalog generation: a number every committed change to the catalog increases.

Keys of cached pages include it, so a save is visible at once and nothing stale is served.
The bump is a deferred constraint trigger on every table of the catalog apps: it runs at
commit, inside the committing transaction, once per transaction (``last_transaction``), so
readers see the new number exactly when they can see the new rows, and the row lock on the
counter is held only while committing (no deadlock with other writers).
"""

from django.apps import apps
from django.db import connection

# Apps whose tables feed public pages and API answers.
CATALOG_APPS = ("catalog", "licenses", "hardware", "evaluations")
# Tables whose writes change nothing anyone reads: history events, recompute progress, and
# ingestion (runs and candidates are editors' work in progress, not published data).
IGNORED_SUFFIXES = (
    "event",
    "recomputerun",
    "watchedpublisher",
    "ingestrun",
    "ingestsourceresult",
    "releasecandidate",
)
TRIGGER_NAME = "llmregistry_bump_generation"
GENERATION_TABLE = "llmregistry_cataloggeneration"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {TRIGGER_NAME}() RETURNS trigger AS $$
BEGIN
    INSERT INTO {GENERATION_TABLE} AS generation (id, value, last_transaction)
    VALUES (1, 1, txid_current())
    ON CONFLICT (id) DO UPDATE
       SET value = generation.value + 1, last_transaction = txid_current()
     WHERE generation.last_transaction <> txid_current();
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""  # noqa: S608 - constants only


def trigger_sql(table: str) -> str:
    return (
        f'DROP TRIGGER IF EXISTS {TRIGGER_NAME} ON "{table}";'
        f'CREATE CONSTRAINT TRIGGER {TRIGGER_NAME} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {TRIGGER_NAME}();"
    )


def tracked_tables(app_configs=None) -> list[str]:
    """Every table of the catalog apps whose changes readers can see."""
    configs = app_configs or [apps.get_app_config(label) for label in CATALOG_APPS]
    tables = set()
    for config in configs:
        for model in config.get_models(include_auto_created=True):
            table = model._meta.db_table
            if (
                model._meta.managed
                and not model._meta.proxy
                and not table.endswith(IGNORED_SUFFIXES)
            ):
                tables.add(table)
    return sorted(tables)


def current_generation() -> int:
    """The committed generation (one indexed read of one row)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {GENERATION_TABLE} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def install_triggers(state_apps, schema_editor) -> None:
    """Migration operation: (re)create the bump function and its trigger on every tracked
    table. A migration that adds a catalog model runs this again
    (``migrations.RunPython(install_triggers, migrations.RunPython.noop)``)."""
    # An app added to CATALOG_APPS later is absent from the state of earlier migrations: its
    # own migration runs this again once its tables exist.
    present = {config.label for config in state_apps.get_app_configs()}
    configs = [state_apps.get_app_config(label) for label in CATALOG_APPS if label in present]
    schema_editor.execute(FUNCTION_SQL)
    for table in tracked_tables(configs):
        schema_editor.execute(trigger_sql(table))
    state_apps.get_model("llmregistry", "CatalogGeneration").objects.get_or_create(id=1)
