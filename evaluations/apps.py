from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self):
        # Imported here: it imports models, not loaded when Django imports this AppConfig.
        from evaluations import extensions

        extensions.register()
