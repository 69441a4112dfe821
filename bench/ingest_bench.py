"""Benchmark: ingest 1,000 release records from a registry export feed, then again.

    DATABASE_URL=postgres://.../postgres python bench/ingest_bench.py --records 1000

Uses its own database (`<name>_bench`, dropped afterwards): migrates, loads the curated
catalog, writes an export of it with N new variants added (copies of published variants
under new slugs and repositories, each with its lineage to the original), and times
`ingest --source feed --file` three ways: (1) the first run (N candidates created, each parsed,
matched, diffed and written in its own transaction); (2) the same file again (nothing
written); (3) for scale, parsing alone (the pure parser over the same bundles). Counts the
queries of each run and the rows written. Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import copy
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchdb import ROOT, in_bench_database, prepare_environment

prepare_environment()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()

    in_bench_database(run, args.records)


def feed_with_new_variants(document: dict, count: int) -> dict:
    """The export plus ``count`` new variants, each a copy of a published one."""
    document = copy.deepcopy(document)
    published = list(document["variants"])
    for index in range(count):
        base = published[index % len(published)]
        new = copy.deepcopy(base)
        key = f"{base['version']}/{base['slug']}"
        new.update(
            slug=f"{base['slug']}-ingest-{index}"[:100],
            name=f"{base['name']}-Ingest-{index}"[:150],
            hf_repo_id=f"bench-org/{base['slug']}-ingest-{index}"[:200],
        )
        document["variants"].append(new)
        document["lineage"].append(
            {
                "child": f"{new['version']}/{new['slug']}",
                "parent": key,
                "kind": "finetune",
                "note": "",
                "sources": [],
            }
        )
    return document


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed_run(location: str):
    from django.db import connection

    from catalog.ingest.services import IngestOptions, ingest_run_execute
    from catalog.models import IngestRun

    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        run = ingest_run_execute(
            trigger=IngestRun.Trigger.COMMAND,
            options=IngestOptions(sources=("feed",), file=location),
        )
    seconds = time.perf_counter() - started
    result = run.results.get()
    return seconds, counter.count, result


def run(records: int) -> None:
    from django.core.management import call_command

    from catalog.ingest.parse import feed_entries, parse_feed_entry
    from catalog.models import ReleaseCandidate
    from curation.services import catalog_load
    from curation.services.export import catalog_export

    call_command("migrate", verbosity=0)
    catalog_load(root=ROOT)
    document = feed_with_new_variants(catalog_export(), records)
    total = len(document["variants"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        size_mib = path.stat().st_size / 2**20

        started = time.perf_counter()
        bundles = feed_entries(json.loads(path.read_text(encoding="utf-8")))
        for bundle in bundles:
            parse_feed_entry(bundle, feed_label="bench")
        parse_seconds = time.perf_counter() - started

        first = timed_run(str(path))
        candidates = ReleaseCandidate.objects.count()
        second = timed_run(str(path))
        after = ReleaseCandidate.objects.count()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"feed: {size_mib:.1f} MiB, {total} variant entries ({records} new); "
        f"candidates after run 1: {candidates}, after run 2: {after}",
        file=sys.stderr,
    )
    print("| run | seconds | queries | seen | created | updated | skipped | failed |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| parse only (pure parser, {total} entries) | {parse_seconds:.2f} | 0 | | | | | |")
    for label, (seconds, queries, result) in (
        ("first run", first),
        ("same file again", second),
    ):
        print(
            f"| {label} | {seconds:.2f} | {queries} | {result.seen} | {result.created} | "
            f"{result.updated} | {result.skipped} | {result.failed} |"
        )
    print(f"\nPeak resident memory: {peak_mib:.0f} MiB.")
    if after != candidates or second[2].created or second[2].updated:
        sys.exit("The second run wrote something: ingestion is not idempotent.")


if __name__ == "__main__":
    main()
