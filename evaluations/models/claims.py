from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ModelVariant, ModelVersion
from core.history import track_history
from evaluations.choices import Verdict


@track_history()
class Claim(models.Model):
    """A benchmark claim of the seed document, kept in its words, with the verdict of the
    primary source read against it."""

    seed_text = models.TextField(_("seed text"))
    version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("version"),
    )
    variant = models.ForeignKey(
        ModelVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("variant"),
    )
    benchmark = models.ForeignKey(
        "evaluations.Benchmark",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("benchmark"),
    )
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    explanation = models.TextField(_("explanation"))
    source_url = models.URLField(_("source"), max_length=500)
    source_title = models.CharField(_("source title"), max_length=300, blank=True)
    source_locator = models.CharField(_("where in the source"), max_length=300, blank=True)
    source_quote = models.TextField(_("quote"), blank=True)
    catalog_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "seed_text"], name="%(app_label)s_%(class)s_unique_text"
            )
        ]
        verbose_name = _("seed claim")
        verbose_name_plural = _("seed claims")

    def __str__(self) -> str:
        return self.seed_text[:80]
