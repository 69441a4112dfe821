from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user and print it once (only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--read-only", action="store_true")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, username, name, read_only, expires_days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires = timezone.now() + timedelta(days=expires_days) if expires_days else None
        _, plaintext = ApiToken.issue(user=user, name=name, read_only=read_only, expires_at=expires)
        self.stdout.write(plaintext)
