from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Our adoption")

    def ready(self):
        # Imported here: it imports models, not loaded when Django imports this AppConfig.
        from adoption import extensions

        extensions.register()
