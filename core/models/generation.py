"""The catalog generation: one row counting committed changes to the catalog."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogGeneration(models.Model):
    """The one row counting committed changes to the catalog: licences, hardware and
    recommendations included. Database triggers (``core/generation.py``) bump it in the
    committing transaction itself, whichever path wrote (admin, API, loader, task, SQL), so a
    cache keyed by it never serves what a committed write changed."""

    value = models.BigIntegerField(default=0)
    # The transaction that last bumped ``value``: one bump per transaction, however many rows.
    last_transaction = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalog generation")

    def __str__(self) -> str:
        return str(self.value)
