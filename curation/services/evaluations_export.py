"""The evaluations part of the registry export: published public benchmarks, the published
results on them (never an internal one) and the seed's checked claims, in the evaluation
file format (evaluations/data), ordered by natural key so the document is canonical."""

from __future__ import annotations

from typing import Any

from catalog.keys import variant_key, version_key
from core.choices import PublicationStatus
from evaluations.fileformat import BENCHMARK_FIELDS, SETTING_FIELDS
from evaluations.models import Benchmark, Claim, Result

PUBLISHED = PublicationStatus.PUBLISHED


def evaluations_export(plain, sources, cited) -> dict[str, list[dict[str, Any]]]:
    """The ``benchmarks``, ``results`` and ``claims`` sections (``plain``, ``sources`` and
    ``cited`` are the catalog export's value, citation and prefetch helpers)."""
    public = Benchmark.objects.filter(status=PUBLISHED, private=False)
    benchmarks = [
        {
            **{name: plain(getattr(b, name)) for name in BENCHMARK_FIELDS if name != "private"},
            "derived_from": b.derived_from.slug if b.derived_from else None,
            "sources": sources(b),
        }
        for b in cited(public.select_related("derived_from").order_by("slug"))
    ]
    rows = (
        Result.objects.filter(
            benchmark__in=public,
            variant__status=PUBLISHED,
            variant__version__status=PUBLISHED,
            variant__version__family__status=PUBLISHED,
        )
        .exclude(reported_by="internal")
        .select_related("variant__version__family", "benchmark")
        .order_by(
            "variant__version__family__slug",
            "variant__version__slug",
            "variant__slug",
            "benchmark__slug",
            "comparable_key",
            "date",
            "source_url",
            "source_title",
            "sampling",
            "checkpoint",
        )
    )
    results = [
        {
            "variant": variant_key(r.variant),
            "benchmark": r.benchmark.slug,
            "benchmark_version": r.benchmark_version,
            "value": plain(r.value.normalize()),
            "metric": r.metric,
            "setting": {name: getattr(r, name) for name in SETTING_FIELDS},
            "reported_by": r.reported_by,
            "reporter": r.reporter,
            "date": plain(r.date),
            "source": {
                "url": r.source_url,
                "title": r.source_title,
                "locator": r.source_locator,
                "quote": r.source_quote,
            },
            "note": r.note,
        }
        for r in rows
    ]
    claims = [
        {
            "seed_text": c.seed_text,
            "subject": variant_key(c.variant) if c.variant else version_key(c.version),
            "benchmark": c.benchmark.slug if c.benchmark else "",
            "verdict": c.verdict,
            "source": {
                "url": c.source_url,
                "title": c.source_title,
                "locator": c.source_locator,
                "quote": c.source_quote,
            },
            "explanation": c.explanation,
        }
        for c in Claim.objects.select_related(
            "version__family", "variant__version__family", "benchmark"
        )
        .filter(version__status=PUBLISHED, version__family__status=PUBLISHED)
        .exclude(benchmark__private=True)
        .order_by("version__family__slug", "version__slug", "seed_text")
    ]
    return {"benchmarks": benchmarks, "results": results, "claims": claims}
