from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared framework the domain apps build on (API base classes, filtering, the
    response cache, history) and its two models, API tokens and the catalog generation.

    Its label stays ``llmregistry``, the app these models were created in: the tables, the
    migration history, the permissions (``llmregistry.add_apitoken``) and the content types of
    every existing deployment stay as they are (docs/decisions/0004-core-keeps-its-label.md).
    """

    name = "core"
    label = "llmregistry"
    verbose_name = _("Access")

    def ready(self):
        from core.api import schema  # noqa: F401 - registers the OpenAPI extensions
