"""Export, load into an empty registry, export again: the same bytes, for the whole curated
catalog."""

import difflib
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog.models import ModelVariant, Organization, VersionFeature
from tests import factories

pytestmark = pytest.mark.django_db
CATALOG_APPS = ("catalog", "hardware", "licenses")


def _empty_the_catalog() -> None:
    """Every table of the catalog, hardware and licence apps (history included) emptied, as in
    a freshly migrated database; the test's transaction rolls it back."""
    tables = [
        model._meta.db_table
        for label in CATALOG_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed and not model._meta.proxy
    ]
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of the load must run before TRUNCATE may.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        names = ", ".join(connection.ops.quote_name(table) for table in tables)
        cursor.execute(f"TRUNCATE {names} CASCADE")


def _first_difference(first: bytes, second: bytes) -> str:
    def lines(content):
        return json.dumps(json.loads(content), indent=1, sort_keys=True).splitlines()

    diff = difflib.unified_diff(lines(first), lines(second), "first", "second", lineterm="")
    return "\n".join(list(diff)[:60])


@pytest.mark.slow  # a load of the whole registry's export: `make test`, not `make test-fast`
def test_export_loaded_into_an_empty_registry_exports_the_same_bytes(
    loaded_catalog, client, tmp_path
):
    first = client.get(reverse("api-export"))
    assert first.status_code == 200
    document = json.loads(first.content)
    assert len(document["variants"]) >= 50
    assert document["lineage"]
    path = tmp_path / "export.json"
    path.write_bytes(first.content)

    _empty_the_catalog()
    assert not ModelVariant.objects.exists()
    assert not Organization.objects.exists()
    call_command("load_catalog", "--no-progress", "--file", str(path))
    second = client.get(reverse("api-export"))

    assert second.content == first.content, _first_difference(first.content, second.content)
    # Same bytes, same ETag: a client holding the first export is told nothing changed.
    assert second["ETag"] == first["ETag"]
    unchanged = client.get(reverse("api-export"), headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304


def test_export_is_canonical_json(loaded_catalog, client):
    content = client.get(reverse("api-export")).content
    document = json.loads(content)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert content == canonical.encode("utf-8")
    assert "exported_at" not in document  # the clock would make every export differ
    # Chinese names are written as UTF-8 text, not \u escapes.
    assert any(ord(character) > 127 for character in content.decode("utf-8"))


def test_an_older_export_with_a_timestamp_still_loads(tmp_path):
    path = tmp_path / "old-export.json"
    path.write_text(
        json.dumps(
            {
                "format": "llmregistry-catalog",
                "format_version": 1,
                "exported_at": "2026-01-01T00:00:00+00:00",
                "organizations": [{"slug": "acme", "name": "Acme"}],
            }
        ),
        encoding="utf-8",
    )
    call_command("load_catalog", "--no-progress", "--file", str(path))
    assert Organization.objects.get(slug="acme").name == "Acme"


def test_drafts_that_published_records_refer_to_travel_with_them(client, tmp_path):
    """A published family of a draft organization, a published version under a draft licence
    with a draft feature (itself under a draft parent) and a draft predecessor: the export
    still loads, the drafts stay drafts, and the bytes round-trip."""
    organization = factories.OrganizationFactory(status="draft")
    parent = factories.FeatureFactory(status="draft")
    feature = factories.FeatureFactory(status="draft", parent=parent)
    family = factories.FamilyFactory(organization=organization)
    predecessor = factories.VersionFactory(family=family, status="draft")
    version_license = factories.LicenseFactory(status="draft")
    version = factories.VersionFactory(
        family=family, license=version_license, predecessor=predecessor
    )
    VersionFeature.objects.create(version=version, feature=feature)
    variant_license = factories.LicenseFactory(status="draft")
    factories.VariantFactory(version=version, license=variant_license)
    unused = factories.LicenseFactory(status="draft")  # referred to by nothing: stays home
    first = client.get(reverse("api-export")).content
    document = json.loads(first)
    assert [o["status"] for o in document["organizations"]] == ["draft"]
    licenses = {lic["slug"]: lic["status"] for lic in document["licenses"]}
    assert licenses[version_license.slug] == licenses[variant_license.slug] == "draft"
    assert unused.slug not in licenses
    assert {f["slug"] for f in document["features"]} == {parent.slug, feature.slug}
    assert document["versions"][0]["predecessor"] is None  # a draft version is not exported
    path = tmp_path / "export.json"
    path.write_bytes(first)

    _empty_the_catalog()
    call_command("load_catalog", "--no-progress", "--file", str(path))
    second = client.get(reverse("api-export")).content
    assert second == first, _first_difference(first, second)
    assert Organization.objects.get().status == "draft"
