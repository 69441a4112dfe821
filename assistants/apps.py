from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    """The MCP interface for AI assistants (docs/mcp.md): tools over the domain apps'
    selectors, services and forms, served at /mcp/ and by ``manage.py mcp``."""

    name = "assistants"
    verbose_name = _("AI assistants")
