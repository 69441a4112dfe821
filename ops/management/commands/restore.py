"""Restore a backup made by `manage.py backup` (pg_restore) into the configured database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backups import BackupError, PgTarget, database_restore


class Command(BaseCommand):
    help = (
        "Restore a file made by `manage.py backup` into the database of DATABASE_URL, in one "
        "transaction. The database must be empty (freshly created) unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore into a database that holds data: every table the backup holds is "
            "dropped and replaced (pg_restore --clean --if-exists).",
        )

    def handle(self, *args, path: Path, force: bool, **options):
        database = PgTarget.from_settings().name
        self.stdout.write(f"Restoring {path} into the database {database} …")
        try:
            database_restore(archive=path, force=force)
        except BackupError as exc:
            raise CommandError(f"Nothing restored. {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} into {database}. Run `manage.py migrate` if the backup "
                "comes from an older version of the registry."
            )
        )
