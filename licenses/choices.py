"""Enumerations of structured licence terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenseKind(models.TextChoices):
    PERMISSIVE = "permissive", _("Permissive")
    COPYLEFT = "copyleft", _("Copyleft")
    OPEN_WEIGHTS_CONDITIONAL = "open_weights_conditional", _("Open weights with conditions")
    RESEARCH_ONLY = "research_only", _("Research only")
    NON_COMMERCIAL = "non_commercial", _("Non-commercial")


class CommercialUse(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    CONDITIONAL = "conditional", _("Conditional")
    NOT_ALLOWED = "not_allowed", _("Not allowed")


class OutputsUse(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    RESTRICTED = "restricted", _("Restricted")
    NOT_ALLOWED = "not_allowed", _("Not allowed")
