"""Recompute hardware recommendations now, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from catalog.models import ModelVariant
from hardware.models import RecomputeRun
from hardware.services import recommendations_recompute


class Command(BaseCommand):
    help = (
        "Recompute the recommendations of every published variant (or of --variant slugs). "
        "Idempotent: rows whose inputs did not change are not written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--variant",
            action="append",
            default=[],
            help="Variant slug; repeat for several. Default: all.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, variant: list[str], no_progress: bool, **options):
        variant_ids = None
        if variant:
            found = dict(ModelVariant.objects.filter(slug__in=variant).values_list("slug", "pk"))
            missing = sorted(set(variant) - set(found))
            if missing:
                raise CommandError(f"--variant: no variant with slug {', '.join(missing)}.")
            variant_ids = sorted(found.values())
        show = not no_progress and options["verbosity"] > 0

        def progress(items):
            return tqdm(
                items, desc="Recomputing", unit="variant", disable=not show, file=self.stderr._out
            )

        run = RecomputeRun.objects.create(scope="all" if variant_ids is None else ",".join(variant))
        try:
            report = recommendations_recompute(variant_ids=variant_ids, run=run, progress=progress)
        except Exception as exc:
            RecomputeRun.objects.filter(pk=run.pk).update(
                status=RecomputeRun.Status.FAILED, finished_at=timezone.now(), error=repr(exc)
            )
            raise CommandError(f"Recompute failed, old recommendations kept: {exc}") from exc
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            variants_done=report.variants,
            rows_written=report.written,
            rows_unchanged=report.unchanged,
            rows_deleted=report.deleted,
            skipped=report.skipped,
        )
        self.stdout.write(
            f"{report.variants} variants: {report.written} rows written, "
            f"{report.unchanged} unchanged, {report.deleted} deleted."
        )
        if report.skipped:
            self.stdout.write("Skipped (no architecture numbers): " + ", ".join(report.skipped))
