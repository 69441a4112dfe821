"""The throwaway database every benchmark runs in: ``<DATABASE_URL's name>_bench``, created
empty, used, and dropped afterwards (also when the benchmark fails)."""

import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare_environment() -> None:
    """Import path and production-like settings (DEBUG off: Django would keep every query's SQL
    in memory otherwise)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llmregistry.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))


def in_bench_database(run: Callable[..., None], *args) -> None:
    """Set Django up, then call ``run(*args)`` with the default connection on a fresh database."""
    import django
    from django.db import connection, connections

    django.setup()
    original = connection.settings_dict["NAME"]
    bench_name = f"{original}_bench"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
        cursor.execute(f'CREATE DATABASE "{bench_name}"')
    connections.close_all()
    connection.settings_dict["NAME"] = bench_name
    try:
        run(*args)
    finally:
        connections.close_all()
        connection.settings_dict["NAME"] = original
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')


def scale_variants(target: int) -> int:
    """Clone published variants (with an architecture) under new slugs until the catalog holds
    ``target`` variants; return how many there are."""
    from catalog.architecture import variant_architecture
    from catalog.models import ModelVariant
    from hardware.selectors import variants_for_recommendations

    published = [v for v in variants_for_recommendations() if variant_architecture(v)]
    fields = [f.attname for f in ModelVariant._meta.concrete_fields if f.name != "id"]
    clones = []
    for index in range(max(0, target - ModelVariant.objects.count())):
        source = published[index % len(published)]
        values = {name: getattr(source, name) for name in fields}
        values.update(slug=f"{source.slug}-bench-{index}", catalog_digest="")
        clones.append(ModelVariant(**values))
    ModelVariant.objects.bulk_create(clones, batch_size=1000)
    return ModelVariant.objects.count()
