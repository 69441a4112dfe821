"""Benchmark: API requests per second on a catalog scaled to N variants, beside two ceilings.

    DATABASE_URL=postgres://.../postgres python bench/api_bench.py --variants 10000

In one process (Django's test client, no network): the variant list with filters, a variant
detail and a search, each as requests/second and as a ratio to (a) the same server returning
the same page's bytes precomputed (the framework's floor) and (b) a hand-written view that
builds the same page with `.values()` and orjson (what the ORM and JSON cost without DRF).
Uses its own database (`<name>_bench`), dropped afterwards. Prints a Markdown table.
"""

import argparse
import sys
import time

from benchdb import ROOT, in_bench_database, prepare_environment

prepare_environment()

PRECOMPUTED: dict[str, bytes] = {}


def values_view(request):
    """The variant list page by hand: one query with the joined columns, orjson."""
    import orjson
    from django.http import HttpResponse

    from catalog.models import ModelVariant

    rows = list(
        ModelVariant.objects.filter(status="published", total_parameters__gte=7 * 10**9)
        .order_by("version__family__name", "version__release_date", "total_parameters", "pk")
        .values(
            "slug",
            "name",
            "kind",
            "total_parameters",
            "active_parameters",
            "num_layers",
            "hidden_size",
            "num_attention_heads",
            "num_kv_heads",
            "version__slug",
            "version__name",
            "version__family__slug",
            "version__family__name",
            "version__family__organization__slug",
            "version__license__slug",
        )[:50]
    )
    return HttpResponse(
        orjson.dumps({"count": len(rows), "results": rows}), content_type="application/json"
    )


def precomputed_view(request, name):
    from django.http import HttpResponse

    return HttpResponse(PRECOMPUTED[name], content_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    args = parser.parse_args()

    in_bench_database(run, args.variants, args.seconds)


def run(target: int, seconds: float) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    from catalog.models import ModelVariant
    from curation.services import catalog_load

    call_command("migrate", verbosity=0)
    catalog_load(root=ROOT)
    published = list(ModelVariant.objects.filter(status="published"))
    fields = [f.attname for f in ModelVariant._meta.concrete_fields if f.name != "id"]
    clones = []
    for index in range(max(0, target - len(published))):
        values = {name: getattr(published[index % len(published)], name) for name in fields}
        values.update(slug=f"{values['slug']}-bench-{index}", catalog_digest="")
        clones.append(ModelVariant(**values))
    ModelVariant.objects.bulk_create(clones, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the grown tables

    urlconf = type(sys)("bench_urls")
    from llmregistry import urls as registry_urls

    urlconf.urlpatterns = [
        path("bench/values/", values_view),
        path("bench/precomputed/<str:name>/", precomputed_view),
        *registry_urls.urlpatterns,
    ]
    sys.modules["bench_urls"] = urlconf
    cases = {
        "variant list, filtered": "/api/v1/variants/?total_parameters__gte=7B&feature=gqa"
        "&commercial_use=allowed",
        "variant list, 7B+": "/api/v1/variants/?total_parameters__gte=7B",
        "variant detail": "/api/v1/variants/qwen/qwen2-5/qwen2-5-7b/",
        "search": "/api/v1/variants/?q=qwen",
    }
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"]):
        client = Client()

        def rate(url: str) -> float:
            assert client.get(url).status_code == 200, url
            count, started = 0, time.perf_counter()
            while time.perf_counter() - started < seconds:
                client.get(url)
                count += 1
            return count / (time.perf_counter() - started)

        print(f"{ModelVariant.objects.count():,} variants\n", file=sys.stderr)
        print(
            "| request | API req/s | precomputed bytes req/s | ratio | .values()+orjson "
            "req/s | ratio |"
        )
        print("|---|---|---|---|---|---|")
        values_rate = rate("/bench/values/")
        for index, (label, url) in enumerate(cases.items()):
            PRECOMPUTED[str(index)] = client.get(url).content
            api = rate(url)
            floor = rate(f"/bench/precomputed/{index}/")
            print(
                f"| {label} | {api:,.0f} | {floor:,.0f} | {api / floor:.2f} | "
                f"{values_rate:,.0f} | {api / values_rate:.2f} |"
            )


if __name__ == "__main__":
    main()
