"""Load the curated catalog files into the database (idempotent, atomic)."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from curation.services import CatalogLoadError, catalog_load


class Command(BaseCommand):
    help = (
        "Load the curated catalog (catalog/data, licenses/data, hardware/data) by natural key. "
        "A second run changes nothing; a bad entry aborts the whole load."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--root",
            type=Path,
            default=Path(settings.BASE_DIR),
            help="Project directory holding the catalog files (default: this project).",
        )
        parser.add_argument(
            "--actor",
            default=None,
            help="Username recorded as the author of the changes in the history.",
        )
        parser.add_argument(
            "--file",
            type=Path,
            action="append",
            default=None,
            help="Load only this file (YAML or JSON, e.g. a registry export); repeatable.",
        )
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, root: Path, actor: str | None, no_progress: bool, file, **options):
        actor_id = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"--actor: no user named '{actor}'.")
            actor_id = user.pk
        show_progress = not no_progress and options["verbosity"] > 0

        def progress(entries):
            return tqdm(
                entries,
                desc="Loading catalog",
                unit="entry",
                disable=not show_progress,
                file=self.stderr._out,
            )

        try:
            report = catalog_load(
                root=root.resolve(),
                actor_id=actor_id,
                progress=progress,
                # realpath, not Path.resolve(): a symlink loop is for the loader to report.
                files=[Path(os.path.realpath(path)) for path in file] if file else None,
            )
        except CatalogLoadError as exc:
            raise CommandError(f"Catalog not loaded, nothing was changed. {exc}") from None
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.changes:
            self.stdout.write(self.style.SUCCESS(f"Catalog loaded: {report.changes} changes."))
        else:
            self.stdout.write(self.style.SUCCESS("Catalog loaded: no changes."))
