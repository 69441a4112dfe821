from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health and readiness, backups and restore, single sign-on, the dependency
    audit."""

    name = "ops"
    verbose_name = _("Operations")
