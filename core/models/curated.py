"""The abstract base of every curated record, whichever app holds it (catalog, licences,
hardware)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.choices import PublicationStatus
from core.models.constraints import OneQueryCheckConstraints


class CuratedRecord(OneQueryCheckConstraints):
    """A record editors curate: has a publication status, citations and the seed's claim."""

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PublicationStatus.choices,
        default=PublicationStatus.PUBLISHED,
        db_index=True,
    )
    seed_claim = models.TextField(
        _("seed claim"),
        blank=True,
        help_text=_(
            "What the original seed document said where it differs from the sourced value, "
            "with a note on why."
        ),
    )
    # Citations are catalog records that every curated model carries, a licence or an
    # accelerator as much as a variant: named by label, so core imports no domain app.
    citations = GenericRelation("catalog.Citation")
    catalog_digest = models.CharField(
        _("catalog digest"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Digest of the catalog file entry last applied to this record."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def localized(self, field_name: str) -> str:
        """Return ``<field>_zh`` under Chinese when it is filled in, else ``<field>``."""
        language = (get_language() or "en").lower()
        if language.startswith("zh"):
            translated = getattr(self, f"{field_name}_zh", "")
            if translated:
                return translated
        return getattr(self, field_name)
