"""Ingest new upstream releases by hand, with a progress bar and a summary."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from catalog.ingest.services import IngestOptions, ingest_run_execute
from catalog.models import IngestRun, IngestSource

MAX_ERRORS_SHOWN = 20


def _date(value: str) -> datetime.datetime:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: {value!r} is not a date (YYYY-MM-DD).") from None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


class Command(BaseCommand):
    help = (
        "Ingest new releases of the watched publishers (or of one feed file, folder or URL "
        "with --file) into release candidates for editors to review. Publishes nothing; "
        "idempotent: a second run with nothing new upstream writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            choices=IngestSource.values,
            action="append",
            help="Only this source (repeat for several). Default: all.",
        )
        parser.add_argument("--author", help="Only the watched publisher with this author name.")
        parser.add_argument(
            "--since",
            help="Only upstream repositories changed on or after this date (YYYY-MM-DD). "
            "Default: a little before each publisher's last check.",
        )
        parser.add_argument(
            "--file",
            help="Ingest this registry export instead of the watched publishers: a JSON file, "
            "a folder of them, or the http(s) URL of another registry's /api/v1/export/.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        sources = tuple(options["source"] or IngestSource.values)
        if options["file"] and sources != (IngestSource.FEED,) and options["source"]:
            raise CommandError("--file reads a registry export: use it with --source feed.")
        since = _date(options["since"]) if options["since"] else None
        if since is not None and since > timezone.now():
            raise CommandError("--since: the date is in the future.")
        ingest_options = IngestOptions(
            sources=(IngestSource.FEED,) if options["file"] else sources,
            author=options["author"],
            since=since,
            file=options["file"],
        )
        show = not options["no_progress"] and options["verbosity"] > 0
        bar = tqdm(desc="Ingesting", unit="entry", disable=not show, file=self.stderr._out)

        def progress(label: str, upstream_id: str, outcome: str) -> None:
            bar.set_postfix_str(f"{label}: {outcome}", refresh=False)
            bar.update(1)

        try:
            run = ingest_run_execute(
                trigger=IngestRun.Trigger.COMMAND, options=ingest_options, progress=progress
            )
        finally:
            bar.close()
        if run.status == IngestRun.Status.SKIPPED:
            raise CommandError("Another ingest run is in progress; nothing was done.")
        results = list(run.results.all())
        if not results:
            self.stdout.write("No active watched publisher matches; nothing to ingest.")
        for result in results:
            self.stdout.write(
                f"{result.get_source_display()} {result.label}: {result.seen} seen, "
                f"{result.created} created, {result.updated} updated, "
                f"{result.skipped} skipped, {result.failed} failed"
            )
            for error in result.errors[:MAX_ERRORS_SHOWN]:
                field = f" field '{error['field']}':" if error.get("field") else ""
                self.stderr.write(f"  {error['entry']}:{field} {error['message']}")
            if len(result.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"  … and {len(result.errors) - MAX_ERRORS_SHOWN} more")
        created = sum(r.created for r in results)
        updated = sum(r.updated for r in results)
        self.stdout.write(
            f"Run #{run.pk} {run.get_status_display().lower()}: "
            f"{_count(created, 'candidate')} created, {updated} updated. "
            "Review them in the admin (Release candidates)."
        )
        if options["file"] and results and not results[0].seen and results[0].failed:
            raise CommandError(f"--file {options['file']}: nothing could be read.")
