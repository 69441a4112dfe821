from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "llmregistry"
    verbose_name = _("Access")

    def ready(self):
        from llmregistry.api import schema  # noqa: F401 - registers the OpenAPI extensions
