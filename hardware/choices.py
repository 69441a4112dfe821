from django.db import models
from django.utils.translation import gettext_lazy as _


class FormFactor(models.TextChoices):
    """An accelerator's form factor (a choice of field values, not a Django form)."""

    DATACENTER = "datacenter", _("Datacenter GPU")
    WORKSTATION = "workstation", _("Workstation GPU")
    CONSUMER = "consumer", _("Consumer GPU")
    UNIFIED_MEMORY = "unified_memory", _("Unified memory")
    NPU = "npu", _("NPU")
    CPU = "cpu", _("CPU")
