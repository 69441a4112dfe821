"""Benchmark: the curated catalog at its real size (issue 19): the load, and the queries and time
of the pages and API reads people open first.

    DATABASE_URL=postgres://.../postgres python bench/catalog_size_bench.py

In its own database (`<name>_bench`): migrate, `load_catalog` twice (the second must write
nothing), then each page or API read once to warm up and five times measured with the
response caches turned off (the work itself), in one process (Django's test client, no
network). Prints Markdown tables.
"""

import os
import statistics
import time

from benchdb import ROOT, in_bench_database, prepare_environment

prepare_environment()
# The response caches off: each read measures the work itself.
os.environ["REGISTRY_PAGE_CACHE_SECONDS"] = "0"
os.environ["REGISTRY_RESPONSE_CACHE_LOCAL_MB"] = "0"

READS = [
    ("home page", "/"),
    ("model list", "/models/"),
    ("version list", "/versions/"),
    ("families", "/families/"),
    ("trends", "/trends/"),
    ("what's new", "/whats-new/"),
    ("features index", "/features/"),
    ("feature: GQA", "/features/gqa/"),
    ("licence matrix", "/licenses/"),
    ("may we…? (EU)", "/licenses/check/?license=tencent-hunyuan-community&territory=DE"),
    ("variant page", "/families/qwen/qwen3-5/qwen3-5-397b-a17b/"),
    ("can I run it (2 × RTX 4090)", "/can-i-run-it/?profile=2x-nvidia-rtx-4090&precision=q4_k_m"),
    ("benchmarks", "/benchmarks/"),
    ("leaderboard: GPQA-Diamond", "/benchmarks/gpqa-diamond/"),
    (
        "leaderboard, every setting, fits 1 × H100",
        "/benchmarks/mmlu/?all_settings=on&profile=1x-nvidia-h100-sxm&precision=fp8",
    ),
    (
        "best model that fits (2 × RTX 4090, MMLU-Redux)",
        "/best-fit/?profile=2x-nvidia-rtx-4090&precision=awq-int4&benchmark=mmlu-redux",
    ),
    ("API variants, page 1", "/api/v1/variants/"),
    ("API results, one benchmark", "/api/v1/evaluations/?benchmark=mmlu-pro"),
    ("API variants by score", "/api/v1/variants/?score__mmlu-pro__gte=70"),
    ("API variants, EU-usable", "/api/v1/variants/?license_allowed_in=EU"),
    ("API variants changed since", "/api/v1/variants/?changed_since=2026-01-01"),
]


def run() -> None:
    from django.core.management import call_command
    from django.test import override_settings

    from catalog.models import ModelVariant, ModelVersion
    from curation.services import catalog_load

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first = catalog_load(root=ROOT)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = catalog_load(root=ROOT)
    second_s = time.perf_counter() - started
    print(
        f"Catalog: {ModelVersion.objects.count()} versions, {ModelVariant.objects.count()} "
        "variants.\n"
    )
    print("| load | seconds | changes |\n|---|---|---|")
    print(f"| first (empty registry) | {first_s:.1f} | {first.changes} |")
    print(f"| second | {second_s:.1f} | {second.changes} |\n")

    # Static files as in development (no collected manifest needed): the pages' own work only.
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        _reads()


def _reads() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    print("| read | queries | median ms | bytes |\n|---|---|---|---|")
    for label, url in READS:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
        print(
            f"| {label} | {len(queries)} | {statistics.median(times):.0f} | "
            f"{len(response.content):,} |"
        )


if __name__ == "__main__":
    in_bench_database(run)
