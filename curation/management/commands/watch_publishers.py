"""Create the default watched publishers (catalog/data/watched_publishers.yaml)."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalog.models import ModelFamily, Organization, WatchedPublisher
from curation.services import curated_record_save

DEFAULTS_FILE = Path(settings.BASE_DIR) / "catalog" / "data" / "watched_publishers.yaml"


class Command(BaseCommand):
    help = (
        "Watch the usual open-model publishers on the Hugging Face Hub and ModelScope "
        "(catalog/data/watched_publishers.yaml). Creates only the missing ones, so an editor's "
        "changes and deactivations stay; --inactive creates them switched off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEFAULTS_FILE), help="The publishers file.")
        parser.add_argument(
            "--inactive", action="store_true", help="Create them inactive (no network yet)."
        )

    def handle(self, *args, file: str, inactive: bool, **options):
        try:
            data = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"{file}: cannot be read: {exc}") from None
        entries = data.get("publishers") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise CommandError(f"{file}: 'publishers' must be a list.")
        defaults = data.get("defaults") or {}
        organizations = {o.slug: o for o in Organization.objects.all()}
        families = {f.slug: f for f in ModelFamily.objects.all()}
        created = 0
        with transaction.atomic():
            for number, entry in enumerate(entries, start=1):
                where = f"{file}: publisher {number}"
                if not isinstance(entry, dict):
                    raise CommandError(f"{where}: must be a mapping.")
                source, author = entry.get("source"), entry.get("author")
                if WatchedPublisher.objects.filter(source=source, author=author).exists():
                    continue
                publisher = WatchedPublisher(
                    source=source,
                    author=author,
                    organization=organizations.get(entry.get("organization")),
                    default_family=families.get(entry.get("family")),
                    include_patterns=entry.get("include_patterns", []),
                    exclude_patterns=entry.get(
                        "exclude_patterns", defaults.get("exclude_patterns", [])
                    ),
                    active=not inactive,
                )
                try:
                    curated_record_save(record=publisher)
                except ValidationError as exc:
                    field, messages = next(iter(exc.message_dict.items()))
                    raise CommandError(f"{where}: field '{field}': {messages[0]}") from None
                created += 1
        self.stdout.write(f"{created} watched publishers created, {len(entries) - created} kept.")
