"""Recommendations in the registry: materialised, idempotent, recomputed after edits."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import ModelVariant
from core.choices import PublicationStatus
from curation.services import curated_record_save
from estimator import ESTIMATOR_VERSION
from hardware.models import Accelerator, HardwareProfile, Recommendation, RecomputeRun
from hardware.services import recommendation_grid, recommendations_recompute, recompute_run_execute
from tests import factories

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def small_catalog():
    """Two variants and three profiles, enough for every path of the recompute."""
    gpu = factories.AcceleratorFactory(slug="gpu-24", memory=24, memory_bandwidth_gbps=1000)
    big = factories.AcceleratorFactory(slug="gpu-80", memory=80, memory_bandwidth_gbps=3350)
    for accelerator, count in ((gpu, 1), (gpu, 2), (big, 8)):
        factories.ProfileFactory(
            slug=f"{count}x-{accelerator.slug}", accelerator=accelerator, count=count
        )
    version = factories.VersionFactory(max_context_tokens=32768, default_context_tokens=4096)
    small = factories.VariantFactory(version=version, slug="small", model_type="llama")
    large = factories.VariantFactory(
        version=version,
        slug="large",
        model_type="llama",
        num_layers=80,
        hidden_size=8192,
        num_attention_heads=64,
        num_kv_heads=8,
        intermediate_size=28672,
        total_parameters=68_976_648_192,
    )
    return small, large


def test_every_published_variant_gets_its_grid(small_catalog):
    small, large = small_catalog
    report = recommendations_recompute()
    assert report.written == 2 * len(recommendation_grid(small))
    rows = Recommendation.objects.filter(variant=small)
    assert {r.context_tokens for r in rows.filter(workload="inference")} == {4096, 32768}
    assert set(rows.values_list("workload", flat=True)) == {"inference", "lora", "qlora", "full"}
    row = rows.get(workload="inference", precision="bf16", context_tokens=4096)
    assert row.estimator_version == ESTIMATOR_VERSION
    assert row.smallest_profile.slug == "1x-gpu-24"
    assert row.decode_tokens_per_s > 0
    assert row.breakdown["total_params"] == 6_738_415_616
    large_row = Recommendation.objects.get(
        variant=large, workload="inference", precision="bf16", context_tokens=4096
    )
    assert large_row.fitting_profiles == ["8x-gpu-80"]


def test_rerun_with_nothing_changed_writes_nothing(small_catalog):
    recommendations_recompute()
    with CaptureQueriesContext(connection) as queries:
        report = recommendations_recompute()
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    assert report.changes == 0
    assert writes == []


def test_recompute_reads_in_a_fixed_number_of_queries(small_catalog):
    with CaptureQueriesContext(connection) as few:
        recommendations_recompute()
    factories.VariantFactory.create_batch(5, version=small_catalog[0].version, model_type="llama")
    Recommendation.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        recommendations_recompute()
    reads = [q for q in many.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    assert len(reads) == len(
        [q for q in few.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    )


def test_a_failed_write_leaves_the_old_rows(small_catalog):
    recommendations_recompute()
    before = list(Recommendation.objects.order_by("pk").values_list("pk", "input_digest"))
    # A profile change makes every row's inputs change; the database then refuses the write.
    HardwareProfile.objects.filter(slug="1x-gpu-24").update(count=4, slug="4x-gpu-24")
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION refuse_write() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON hardware_recommendation
            FOR EACH ROW EXECUTE FUNCTION refuse_write();
        """)
    with pytest.raises(DatabaseError, match="disk full"):
        recompute_run_execute(run_id=None, variant_ids=None)
    assert list(Recommendation.objects.order_by("pk").values_list("pk", "input_digest")) == before
    run = RecomputeRun.objects.latest("created_at")
    assert run.status == RecomputeRun.Status.FAILED
    assert "disk full" in run.error


def test_rows_of_an_older_estimator_are_detectable_and_recomputed(small_catalog):
    recommendations_recompute()
    Recommendation.objects.filter(variant=small_catalog[0]).update(estimator_version="0.9.0")
    stale = Recommendation.objects.exclude(estimator_version=ESTIMATOR_VERSION)
    assert stale.count() == len(recommendation_grid(small_catalog[0]))
    # The digest covers the version, so the rows are rewritten once the version changes.
    Recommendation.objects.filter(variant=small_catalog[0]).update(input_digest="old")
    recommendations_recompute()
    assert not Recommendation.objects.exclude(estimator_version=ESTIMATOR_VERSION).exists()


def test_unpublishing_a_variant_removes_its_rows(small_catalog):
    small, _ = small_catalog
    recommendations_recompute()
    ModelVariant.objects.filter(pk=small.pk).update(status=PublicationStatus.DRAFT)
    report = recommendations_recompute()
    assert report.deleted == len(recommendation_grid(small))
    assert not Recommendation.objects.filter(variant=small).exists()


def test_variant_edit_recomputes_after_commit(small_catalog, django_capture_on_commit_callbacks):
    small, _ = small_catalog
    recommendations_recompute()
    small.num_kv_heads = 8
    with django_capture_on_commit_callbacks(execute=True):
        curated_record_save(record=small)
    row = Recommendation.objects.get(
        variant=small, workload="inference", precision="bf16", context_tokens=32768
    )
    assert row.kv_cache_bytes == 32768 * 32 * 2 * 8 * 128 * 2
    run = RecomputeRun.objects.latest("created_at")
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert run.scope == str(small.pk)


def test_admin_edit_of_an_accelerator_recomputes_every_variant(
    admin_client, small_catalog, django_capture_on_commit_callbacks
):
    recommendations_recompute()
    accelerator = Accelerator.objects.get(slug="gpu-24")
    url = reverse("admin:hardware_accelerator_change", args=[accelerator.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "memory": "48",
            "profiles-TOTAL_FORMS": "0",
            "profiles-INITIAL_FORMS": "0",
            "catalog-citation-content_type-object_id-TOTAL_FORMS": "0",
            "catalog-citation-content_type-object_id-INITIAL_FORMS": "0",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    large_row = Recommendation.objects.get(
        variant=small_catalog[1], workload="inference", precision="awq-int4", context_tokens=4096
    )
    assert "2x-gpu-24" in large_row.fitting_profiles


def test_admin_recompute_button_runs_and_reports(
    admin_client, small_catalog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:hardware_recomputerun_recompute"))
    assert response.status_code == 302
    page = admin_client.get(reverse("admin:hardware_recomputerun_changelist"))
    assert "Recompute all recommendations" in page.content.decode()
    assert RecomputeRun.objects.latest("created_at").status == RecomputeRun.Status.SUCCEEDED
    assert Recommendation.objects.exists()


def test_variant_page_shows_its_recommendations(admin_client, small_catalog):
    recommendations_recompute()
    url = reverse("admin:catalog_modelvariant_change", args=[small_catalog[0].pk])
    page = admin_client.get(url).content.decode()
    assert "hardware recommendations (computed)" in page.lower()
    smallest = Recommendation.objects.filter(variant=small_catalog[0]).first().smallest_profile
    assert smallest.name in page


def test_command_recomputes_and_reports(small_catalog, capsys):
    call_command("recompute_recommendations", "--no-progress")
    call_command("recompute_recommendations", "--no-progress")
    out = capsys.readouterr().out
    assert "0 rows written" in out.splitlines()[-1]


def test_every_published_catalog_variant_with_numbers_gets_recommendations(curated_catalog):
    recommendations_recompute()
    with_numbers = ModelVariant.objects.filter(status="published", num_layers__isnull=False)
    covered = set(Recommendation.objects.values_list("variant_id", flat=True))
    assert set(with_numbers.values_list("pk", flat=True)) <= covered


def test_a_full_recompute_supersedes_runs_whose_task_never_arrived(small_catalog):
    lost = RecomputeRun.objects.create(scope="1,2")  # queued while the broker was down

    run = recompute_run_execute(run_id=None, variant_ids=None)

    lost.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert lost.status == RecomputeRun.Status.SUPERSEDED
    assert lost.finished_at is not None
