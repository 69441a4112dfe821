from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardwareConfig(AppConfig):
    name = "hardware"
    verbose_name = _("Hardware")

    def ready(self):
        # Imported here, not at the top: it imports models, which are not loaded when Django
        # imports this AppConfig.
        from hardware import extensions

        extensions.register()
