"""The curated evaluation files: loaded with the catalog, checked entry by entry, and a bad
entry refused naming the file, the entry and the field, with nothing written."""

import copy
import datetime
from pathlib import Path

import pytest
import yaml

from curation.services import CatalogLoadError, catalog_load
from evaluations.models import Benchmark, Claim, Result

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).parents[2]
DATA = ROOT / "evaluations" / "data"
GOOD = {
    "variant": "qwen/qwen2-5/qwen2-5-7b-instruct",
    "benchmark": "mmlu",
    "benchmark_version": "",
    "value": 74.2,
    "metric": "accuracy",
    "setting": {
        "shots": 5,
        "chain_of_thought": False,
        "thinking": None,
        "pass_k": None,
        "samples": None,
        "sampling": "",
        "harness": "lm-evaluation-harness",
        "harness_version": "0.4.5",
        "prompt_template": "",
        "checkpoint": "",
    },
    "reported_by": "independent",
    "reporter": "A leaderboard",
    "date": "2026-01-10",
    "source": {
        "url": "https://example.org/leaderboard",
        "title": "A leaderboard",
        "locator": "row Qwen2.5-7B-Instruct",
        "quote": "| Qwen2.5-7B-Instruct | 74.2 |",
    },
    "note": "",
}


def _load(tmp_path, *entries):
    path = tmp_path / "evaluations" / "data" / "results" / "test.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"results": list(entries)}, allow_unicode=True))
    return catalog_load(root=tmp_path, files=[path])


def _with(**changes):
    entry = copy.deepcopy(GOOD)
    for dotted, value in changes.items():
        target = entry
        *parents, name = dotted.split("__")
        for parent in parents:
            target = target[parent]
        target[name] = value
    return entry


def test_the_curated_files_load_with_the_catalog_and_a_second_load_changes_nothing(
    loaded_catalog,
):
    assert Benchmark.objects.count() == len(
        yaml.safe_load((DATA / "benchmarks.yaml").read_text())["benchmarks"]
    )
    assert Result.objects.count() > 1000
    assert Claim.objects.count() == len(
        yaml.safe_load((DATA / "claims.yaml").read_text())["claims"]
    )
    report = catalog_load(root=ROOT)
    assert report.changes == 0, report.lines()


def test_a_good_entry_is_written_and_a_fix_to_it_updates_it(loaded_catalog, tmp_path):
    before = Result.objects.count()
    _load(tmp_path, GOOD)
    assert Result.objects.count() == before + 1
    _load(tmp_path, _with(value=74.3))
    assert Result.objects.count() == before + 1
    assert float(Result.objects.get(source_url="https://example.org/leaderboard").value) == 74.3


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"value": 174.2}, "value", "outside the scale of MMLU (0 to 100)"),
        ({"benchmark": "mmlu-9000"}, "benchmark", "Unknown benchmark 'mmlu-9000'"),
        ({"variant": "qwen/qwen2-5/nope"}, "variant", "Unknown variant"),
        ({"setting__harness": "my-own-thing"}, "setting.harness", "not a valid choice"),
        ({"setting__shots": "five"}, "setting.shots", "must be an integer"),
        ({"setting__temperature": 0.7}, "setting.temperature", "unknown field"),
        ({"metric": "vibes"}, "metric", "not a valid choice"),
        ({"reported_by": "internal"}, "reported_by", "never commit them"),
        ({"date": "last spring"}, "date", "invalid date format"),
    ],
)
def test_a_bad_entry_is_refused_naming_file_entry_and_field(
    loaded_catalog, tmp_path, changes, field, message
):
    before = Result.objects.count()
    with pytest.raises(CatalogLoadError) as caught:
        _load(tmp_path, GOOD, _with(**changes))
    error = caught.value
    assert error.path.endswith("results/test.yaml")
    assert error.entry == "results entry 2"
    assert error.field_name == field
    assert message.lower() in error.message.lower()
    assert Result.objects.count() == before, "nothing is written"


def test_a_duplicate_with_the_same_source_and_setting_is_refused(loaded_catalog, tmp_path):
    with pytest.raises(CatalogLoadError, match=r"results entry 2.*repeats an earlier entry"):
        _load(tmp_path, GOOD, _with(value=75.0))


def test_the_same_number_from_another_source_is_a_result_of_its_own(loaded_catalog, tmp_path):
    before = Result.objects.count()
    _load(tmp_path, GOOD, _with(source__url="https://example.org/other", value=73.9))
    assert Result.objects.count() == before + 2


def test_results_removed_from_the_files_are_removed_and_internal_ones_kept(loaded_catalog):
    result = Result.objects.exclude(catalog_digest="").first()
    internal = Result.objects.create(
        variant=result.variant,
        benchmark=result.benchmark,
        value=50,
        metric="accuracy",
        reported_by="internal",
        reporter="Us",
        date=datetime.date(2026, 12, 1),
        source_title="Our run",
    )
    Result.objects.filter(pk=result.pk).update(catalog_digest="stale", source_title="gone")
    catalog_load(root=ROOT)
    assert Result.objects.filter(pk=internal.pk).exists()
    assert not Result.objects.filter(source_title="gone").exists()


def test_every_curated_result_has_a_source_with_a_quote_and_every_claim_a_verdict():
    for path in sorted((DATA / "results").glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        for index, result in enumerate(document.get("results") or [], start=1):
            where = f"{path.name} result {index}"
            assert result["source"]["url"].startswith("https://"), where
            assert result["source"]["quote"].strip(), where
            assert result["source"]["locator"].strip(), where
    claims = yaml.safe_load((DATA / "claims.yaml").read_text())["claims"]
    assert claims
    assert {c["verdict"] for c in claims} <= {
        "supported",
        "partly",
        "not_supported",
        "unverifiable",
    }


def test_every_family_has_results_or_a_written_reason_it_has_none():
    families = set()
    for path in (ROOT / "catalog" / "data" / "families").glob("*.yaml"):
        families |= {f["slug"] for f in yaml.safe_load(path.read_text())["families"]}
    covered, explained = set(), ""
    for path in [*(DATA / "results").glob("*.yaml"), DATA / "claims.yaml"]:
        document = yaml.safe_load(path.read_text())
        covered |= {r["variant"].split("/")[0] for r in document.get("results") or []}
        explained += yaml.safe_dump(document.get("omitted") or [])
    missing = families - covered
    assert all(family in explained for family in missing), missing
    assert len(missing) <= 2, missing
