from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from assistants.common import act_for_process
from assistants.server import clean_up_between_calls, registry_server


class Command(BaseCommand):
    help = (
        "Serve the registry's MCP tools over stdio, for a desktop assistant that starts this "
        "command (docs/mcp.md). Reads only; stdout carries the protocol, logs go to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            help="Act as this user (an editor sees drafts). Required while public read is off.",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="The language of the answers' texts (verdicts, errors, model cards).",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The registry's address, for page links in answers (e.g. https://llm.example).",
        )

    def handle(self, *args, user=None, base_url="", language="en", **options):
        if user:
            acting = get_user_model().objects.filter(username=user, is_active=True).first()
            if acting is None:
                raise CommandError(f"No active user named '{user}'.")
        elif settings.REGISTRY_PUBLIC_READ:
            acting = AnonymousUser()
        else:
            raise CommandError(
                "Public read is off (REGISTRY_PUBLIC_READ): name the user to act as with --user."
            )
        act_for_process(acting, base_url=base_url)
        clean_up_between_calls()
        translation.activate(language)
        registry_server.run("stdio")
