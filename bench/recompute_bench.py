"""Benchmark: full recommendation recompute for a catalog scaled to N variants, as a ratio to
the pure estimator loop on the same inputs.

    DATABASE_URL=postgres://.../bench_db python bench/recompute_bench.py --variants 10000

Uses its own database (created from DATABASE_URL's server as `<name>_bench`, dropped after):
migrates, loads the curated catalog, clones published variants until there are N, then times
(1) the pure loop: architecture + parameters + every grid estimate for every variant, no
database; (2) the first full recompute (every row written); (3) a rerun (nothing changed).
Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import resource
import sys
import time

from benchdb import ROOT, in_bench_database, prepare_environment, scale_variants

prepare_environment()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=10_000)
    args = parser.parse_args()

    in_bench_database(run, args.variants)


def run(target: int) -> None:
    from django.core.management import call_command

    from catalog.architecture import variant_architecture
    from curation.services import catalog_load
    from estimator import count_parameters, estimate
    from hardware.models import Recommendation
    from hardware.selectors import profile_specs, variants_for_recommendations
    from hardware.services import recommendation_grid, recommendations_recompute

    call_command("migrate", verbosity=0)
    catalog_load(root=ROOT)
    Recommendation.objects.all().delete()
    scale_variants(target)
    variants = list(variants_for_recommendations())
    specs = [spec for _, spec in profile_specs()]
    print(f"variants: {len(variants)}, profiles: {len(specs)}", file=sys.stderr)

    started = time.perf_counter()
    estimates = 0
    for variant in variants:
        arch = variant_architecture(variant)
        if arch is None:
            continue
        params = count_parameters(arch)
        for options in recommendation_grid(variant):
            estimate(arch, options, specs, parameters=params)
            estimates += 1
    pure = time.perf_counter() - started

    started = time.perf_counter()
    first = recommendations_recompute()
    full = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    started = time.perf_counter()
    rerun = recommendations_recompute()
    again = time.perf_counter() - started

    print("| measurement | seconds | ratio to pure loop |")
    print("|---|---|---|")
    print(
        f"| pure estimator loop ({estimates:,} estimates, {len(variants):,} variants) "
        f"| {pure:.1f} | 1.00 |"
    )
    print(
        f"| full recompute, empty table ({first.written:,} rows written) | {full:.1f} "
        f"| {full / pure:.2f} |"
    )
    print(
        f"| rerun, nothing changed ({rerun.written} written, {rerun.unchanged:,} unchanged) "
        f"| {again:.1f} | {again / pure:.2f} |"
    )
    print(f"\nPeak resident memory of the process: {peak / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
