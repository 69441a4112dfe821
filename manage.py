#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llmregistry.settings")
    from django.core.management import execute_from_command_line

    from core.env import ImproperlyConfiguredEnv

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfiguredEnv as exc:
        # A bad or missing environment variable: say which, without a traceback.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()
