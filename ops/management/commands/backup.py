"""Back up the whole database into one file (pg_dump, custom format)."""

from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backups import BackupError, PgTarget, database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database (catalog, history, users, tokens) into one pg_dump "
        "custom-format file; `manage.py restore FILE` puts it back. Never overwrites a file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="The backup file to write (default: llmregistry-<database>-<UTC time>.dump "
            "in the current folder). Its folder must exist; an existing file is refused.",
        )

    def handle(self, *args, output: Path | None, **options):
        if output is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            output = Path(f"llmregistry-{PgTarget.from_settings().name}-{stamp}.dump")
        self.stdout.write(f"Backing up the database into {output} …")
        try:
            size = database_backup(output=output)
        except BackupError as exc:
            raise CommandError(f"Backup not made. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Backup written: {output} ({size:,} bytes)."))
