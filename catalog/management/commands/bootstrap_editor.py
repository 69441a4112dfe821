"""Create the first editor account from the environment, or say how to create one."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.env import env_str


class Command(BaseCommand):
    help = (
        "Create the first editor (a superuser in the editor group) from REGISTRY_ADMIN_USERNAME, "
        "REGISTRY_ADMIN_PASSWORD (or REGISTRY_ADMIN_PASSWORD_FILE) and REGISTRY_ADMIN_EMAIL; "
        "without them, print how to create one."
    )

    def handle(self, *args, **options):
        users = get_user_model()
        username = env_str("REGISTRY_ADMIN_USERNAME", default="")
        if not username:
            if not users.objects.filter(is_superuser=True).exists():
                self.stdout.write(
                    "No editor account yet. Create one with:\n"
                    "  .venv/bin/python manage.py createsuperuser\n"
                    "or set REGISTRY_ADMIN_USERNAME and REGISTRY_ADMIN_PASSWORD before `make run`."
                )
            return
        if users.objects.filter(username=username).exists():
            self.stdout.write(f"Editor account '{username}' exists.")
            return
        password = env_str("REGISTRY_ADMIN_PASSWORD", default="")
        if not password:
            raise CommandError("REGISTRY_ADMIN_PASSWORD must be set with REGISTRY_ADMIN_USERNAME.")
        user = users(username=username, email=env_str("REGISTRY_ADMIN_EMAIL", default=""))
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("REGISTRY_ADMIN_PASSWORD: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            user = users.objects.create_superuser(
                username=username, email=user.email, password=password
            )
            user.groups.add(Group.objects.get(name="editor"))
        self.stdout.write(self.style.SUCCESS(f"Editor account '{username}' created."))
