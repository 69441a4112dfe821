"""The export endpoint's document loads back with `load_catalog --file`."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from catalog.models import (
    ArchitectureFeature,
    Citation,
    Lineage,
    ModelFamily,
    ModelVariant,
    ModelVersion,
    Organization,
    VersionFeature,
)
from curation.services import catalog_load
from evaluations.models import Benchmark, Claim, Result
from hardware.models import Accelerator, HardwareProfile, Recommendation, SizeTier
from licenses.models import License

pytestmark = pytest.mark.django_db
MODELS = (
    Organization,
    ArchitectureFeature,
    License,
    Accelerator,
    HardwareProfile,
    SizeTier,
    ModelFamily,
    ModelVersion,
    ModelVariant,
    Lineage,
    Benchmark,
    Result,
    Claim,
)


def _snapshot():
    return {
        "counts": {m.__name__: m.objects.count() for m in MODELS},
        "variants": sorted(
            ModelVariant.objects.values_list(
                "slug",
                "total_parameters",
                "active_parameters",
                "num_kv_heads",
                "kv_lora_rank",
                "license__slug",
                "version__slug",
            )
        ),
        "versions": sorted(
            ModelVersion.objects.values_list(
                "slug", "release_date", "license__slug", "predecessor__slug", "max_context_tokens"
            )
        ),
        "features": sorted(VersionFeature.objects.values_list("version__slug", "feature__slug")),
        "citations": Citation.objects.count(),
    }


@pytest.mark.slow  # a load of the whole registry's export: `make test`, not `make test-fast`
def test_export_loads_back_into_an_empty_registry(loaded_catalog, client, tmp_path):
    before = _snapshot()
    document = client.get(reverse("api-export")).json()
    assert document["format"] == "llmregistry-catalog"
    assert document["format_version"] == 1
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    Recommendation.objects.all().delete()
    Result.objects.all().delete()
    Claim.objects.all().delete()
    Benchmark.objects.update(derived_from=None)
    Benchmark.objects.all().delete()
    Citation.objects.all().delete()
    for model in (Lineage, ModelVariant, VersionFeature):
        model.objects.all().delete()
    ModelVersion.objects.update(predecessor=None)
    ArchitectureFeature.objects.update(parent=None)
    for model in (
        ModelVersion,
        ModelFamily,
        Organization,
        ArchitectureFeature,
        License,
        HardwareProfile,
        Accelerator,
        SizeTier,
    ):
        model.objects.all().delete()

    call_command("load_catalog", "--no-progress", "--file", str(path))
    assert _snapshot() == before


def test_a_document_of_another_format_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something-else", "format_version": 1}))
    with pytest.raises(Exception, match="expected format 'llmregistry-catalog' version 1"):
        catalog_load(root=settings.BASE_DIR, files=[path])


def test_export_has_no_csv_form(client):
    assert client.get(reverse("api-export"), {"format": "csv"}).status_code == 404
