"""Provenance: where a curated fact comes from."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.history import track_history


@track_history()
class Source(models.Model):
    """A document a fact was taken from: a model card, config.json, paper, datasheet or licence."""

    url = models.URLField(_("URL"), max_length=500, unique=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.title or self.url


@track_history()
class Citation(models.Model):
    """One curated record citing one source, for some of its fields or for the whole record."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="citations", verbose_name=_("source")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("record type")
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    fields = ArrayField(
        models.CharField(max_length=64),
        blank=True,
        default=list,
        verbose_name=_("fields"),
        help_text=_("The facts this source backs; empty for the whole record."),
    )
    quote = models.TextField(_("quote"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["content_type", "object_id", "pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "id"], name="catalog_citation_record_idx"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id"],
                name="%(app_label)s_%(class)s_unique_source_per_record",
            )
        ]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")

    def __str__(self) -> str:
        return f"{self.source} → {self.content_type.model} #{self.object_id}"
