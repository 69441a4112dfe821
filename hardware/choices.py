from django.db import models
from django.utils.translation import gettext_lazy as _


class MemoryUnit(models.TextChoices):
    """The unit a datasheet prints memory capacity in, and how many bytes it holds.

    For semiconductor memory capacity "GB" means 2^30 bytes: JEDEC Standard 100B.01 ("Terms,
    Definitions, and Letter Symbols for Microcomputers, Microprocessors, and Memory Integrated
    Circuits", December 2002) defines giga, "as a prefix to units of semiconductor storage
    capacity", as a multiplier of 2^30. So an "80GB" HBM card holds 80 GiB. A datasheet that
    defines its GB as 10^9 bytes is recorded as such and converted exactly.
    """

    GB = "GB", _("GB (memory capacity: 2³⁰ bytes)")
    GIB = "GiB", _("GiB (2³⁰ bytes)")
    GB_DECIMAL = "GB_decimal", _("GB of 10⁹ bytes (as the datasheet defines it)")


# Bytes per unit of MemoryUnit.
MEMORY_UNIT_BYTES = {MemoryUnit.GB: 2**30, MemoryUnit.GIB: 2**30, MemoryUnit.GB_DECIMAL: 10**9}


class FormFactor(models.TextChoices):
    """An accelerator's form factor (a choice of field values, not a Django form)."""

    DATACENTER = "datacenter", _("Datacenter GPU")
    WORKSTATION = "workstation", _("Workstation GPU")
    CONSUMER = "consumer", _("Consumer GPU")
    UNIFIED_MEMORY = "unified_memory", _("Unified memory")
    NPU = "npu", _("NPU")
    CPU = "cpu", _("CPU")
