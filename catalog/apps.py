from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self):
        # Imported once the apps are ready: extensions reads the models through the selectors.
        from catalog import extensions

        extensions.register()
