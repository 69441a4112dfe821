"""The catalog loader (curation/services/load.py, `manage.py load_catalog`).

A test of what a load does to a loaded catalog starts from ``loaded_catalog`` (the session's
snapshot restored in milliseconds, tests/catalog_snapshot.py); a test of a first load itself
loads the files.
"""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pghistory.models import Events

from catalog.models import Citation, ModelVariant, ModelVersion, Organization, Source
from curation.services import CatalogLoadError, catalog_load
from hardware.models import Accelerator, RecomputeRun
from licenses.models import License

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
WRITES = ("INSERT", "UPDATE", "DELETE")


def _row_counts() -> dict[str, int]:
    models = (Organization, ModelVersion, ModelVariant, License, Accelerator, Source, Citation)
    return {m.__name__: m.objects.count() for m in models} | {"events": Events.objects.count()}


def _copy_catalog(tmp_path: Path) -> Path:
    for folder in ("catalog/data", "licenses/data", "hardware/data"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _edit(path: Path, section: str, slug: str, **changes) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in document[section] if e.get("slug") == slug)
    entry.update(changes)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")


def test_second_load_writes_nothing_and_records_no_history(loaded_catalog):
    first = loaded_catalog
    assert first.changes > 0
    events_before = Events.objects.count()
    with CaptureQueriesContext(connection) as queries:
        second = catalog_load(root=ROOT)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    assert second.changes == 0
    assert writes == []
    assert Events.objects.count() == events_before


def test_command_reports_zero_changes_the_second_time(loaded_catalog, capsys):
    call_command("load_catalog", "--no-progress")
    assert "Catalog loaded: no changes." in capsys.readouterr().out


def test_bad_entry_aborts_the_whole_first_load(tmp_path):
    root = _copy_catalog(tmp_path)
    _edit(root / "catalog/data/families/yi.yaml", "variants", "yi-34b", num_layers="many")
    before = _row_counts()
    with pytest.raises(CatalogLoadError) as excinfo:
        catalog_load(root=root)
    error = excinfo.value
    assert error.path == "catalog/data/families/yi.yaml"
    assert "(yi-34b)" in error.entry
    assert error.field_name == "num_layers"
    assert _row_counts() == before


def test_bad_entry_leaves_a_loaded_catalog_as_it_was(loaded_catalog, tmp_path):
    root = _copy_catalog(tmp_path)
    # A valid change early in the load, then an invalid one later: neither may stay.
    _edit(root / "licenses/data/licenses.yaml", "licenses", "mit", name="Changed MIT")
    _edit(
        root / "catalog/data/families/qwen.yaml", "variants", "qwen2-5-7b", active_parameters=1_000
    )
    before = _row_counts()
    with pytest.raises(CatalogLoadError) as excinfo:
        catalog_load(root=root)
    assert excinfo.value.path == "catalog/data/families/qwen.yaml"
    assert excinfo.value.field_name == "active_parameters"
    assert _row_counts() == before
    assert License.objects.get(slug="mit").name != "Changed MIT"


def test_command_names_file_entry_and_field(tmp_path):
    root = _copy_catalog(tmp_path)
    _edit(root / "hardware/data/accelerators.yaml", "accelerators", "nvidia-t4", form="quantum")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalog", "--no-progress", "--root", str(root))
    message = str(excinfo.value)
    assert "hardware/data/accelerators.yaml" in message
    assert "(nvidia-t4)" in message
    assert "field 'form'" in message
    assert "nothing was changed" in message


def test_unknown_reference_is_named(tmp_path):
    root = _copy_catalog(tmp_path)
    _edit(root / "catalog/data/families/llama.yaml", "versions", "llama-2", license="no-such")
    with pytest.raises(CatalogLoadError, match="field 'license': unknown license 'no-such'"):
        catalog_load(root=root)


def test_unknown_field_is_named(tmp_path):
    root = _copy_catalog(tmp_path)
    _edit(root / "catalog/data/organizations.yaml", "organizations", "meta", colour="blue")
    with pytest.raises(CatalogLoadError, match="field 'colour': unknown field"):
        catalog_load(root=root)


def test_a_duplicate_key_is_named_with_its_first_entry(tmp_path):
    # A second "meta" would overwrite the first on every load: never "no changes".
    root = _copy_catalog(tmp_path)
    (root / "catalog/data/families/zz-twice.yaml").write_text(
        "versions:\n  - {family: llama, slug: llama-2, name: Llama 2 again}\n"
    )
    with pytest.raises(CatalogLoadError, match=r"zz-twice.yaml.*field 'slug': duplicates versions"):
        catalog_load(root=root)


def test_invalid_yaml_names_the_line(tmp_path):
    root = _copy_catalog(tmp_path)
    (root / "catalog/data/families/zz-broken.yaml").write_text("families:\n  - slug: [\n")
    with pytest.raises(CatalogLoadError, match=r"zz-broken.yaml: invalid YAML at line \d+"):
        catalog_load(root=root)


def test_changed_entry_updates_only_that_record(loaded_catalog, tmp_path):
    root = _copy_catalog(tmp_path)
    _edit(root / "licenses/data/licenses.yaml", "licenses", "mit", summary_zh="已更新")
    report = catalog_load(root=root)
    assert report.changes == 1
    assert report.updated["licenses"] == 1
    assert License.objects.get(slug="mit").summary_zh == "已更新"


def test_an_editors_change_survives_a_reload_of_an_unchanged_entry(loaded_catalog):
    Organization.objects.filter(slug="meta").update(website="https://example.org/edited")
    catalog_load(root=ROOT)
    assert Organization.objects.get(slug="meta").website == "https://example.org/edited"


def test_a_load_that_changes_several_kinds_queues_one_recompute_of_what_they_feed(
    loaded_catalog, tmp_path, django_capture_on_commit_callbacks
):
    """Each recompute start records a run and queues a task: one run, for the union."""
    root = _copy_catalog(tmp_path)
    family_file = root / "catalog/data/families/qwen.yaml"
    _edit(family_file, "versions", "qwen2-5", description="Edited.")
    _edit(family_file, "variants", "qwen3-8b", description="Edited.")
    runs = RecomputeRun.objects.count()
    with django_capture_on_commit_callbacks():
        catalog_load(root=root)
    run = RecomputeRun.objects.latest("created_at")
    assert RecomputeRun.objects.count() == runs + 1
    fed = ModelVariant.objects.filter(version__slug="qwen2-5") | ModelVariant.objects.filter(
        slug="qwen3-8b"
    )
    assert run.scope == ",".join(str(pk) for pk in sorted(fed.values_list("pk", flat=True)))


@pytest.mark.django_db(transaction=True)
def test_a_committed_load_leaves_the_planner_statistics_of_what_it_wrote():
    """Without them PostgreSQL takes the fresh tables for a handful of rows and the variant
    search runs its word match once per variant (core/statistics.py)."""
    from curation.services import catalog_load

    catalog_load(root=settings.BASE_DIR)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('catalog_modelvariant', 'licenses_license', 'hardware_accelerator')"
        )
        estimated = dict(cursor.fetchall())
    assert estimated["catalog_modelvariant"] == ModelVariant.objects.count()
    assert estimated["licenses_license"] > 0
    assert estimated["hardware_accelerator"] > 0


def test_a_month_precise_release_date_must_be_the_months_first_day(tmp_path):
    root = _copy_catalog(tmp_path)
    path = root / "catalog/data/families/others.yaml"
    _edit(path, "versions", "ling-coder-lite", release_date="2025-03-13")
    with pytest.raises(CatalogLoadError) as caught:
        catalog_load(root=root)
    message = str(caught.value)
    assert "others.yaml" in message
    assert "(ling-coder-lite)" in message
    assert "release_date_precision" in message
    assert ModelVersion.objects.count() == 0  # nothing half-written
