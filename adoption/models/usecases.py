from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.history import track_history
from licenses.checker import EUROPEAN_UNION, IntendedUse

UNKNOWN_TERRITORY = _("“%(code)s” is not a country code (ISO 3166-1 alpha-2) or EU.")


@track_history()
class UseCase(models.Model):
    """A use the company defines (a customer-facing chat product, internal code assistance) and
    the licence questions it implies; the licence checker answers them for each model."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("owner"), max_length=200, help_text=_("The team that owns it."))
    owner_contact = models.CharField(
        _("owner contact"), max_length=200, blank=True, help_text=_("An address or channel.")
    )
    # The licence questions (licenses.checker.IntendedUse).
    commercial_product = models.BooleanField(
        _("commercial product"), default=False, help_text=_("A product or service we charge for.")
    )
    monthly_users = models.PositiveBigIntegerField(
        _("monthly active users"),
        null=True,
        blank=True,
        help_text=_("The expected monthly active users, for licences with a user threshold."),
    )
    hosted_service = models.BooleanField(
        _("hosted service"), default=False, help_text=_("Others use the model through our service.")
    )
    publish_finetune = models.BooleanField(_("publishes a fine-tune"), default=False)
    train_other_models = models.BooleanField(_("trains other models on outputs"), default=False)
    territory = models.CharField(
        _("territory"),
        max_length=2,
        blank=True,
        help_text=_("Where it is used: a country code (ISO 3166-1 alpha-2), or EU."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="adoption_usecase_order_idx")]
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.territory = self.territory.upper()
        if self.territory and self.territory != EUROPEAN_UNION and self.territory not in countries:
            raise ValidationError({"territory": UNKNOWN_TERRITORY % {"code": self.territory}})

    def intended_use(self) -> IntendedUse:
        """The licence questions this use case asks (licenses.checker)."""
        commercial = self.commercial_product or self.hosted_service
        return IntendedUse(
            monthly_users=(self.monthly_users or 0) if commercial else None,
            publish_finetune=self.publish_finetune,
            train_other_models=self.train_other_models,
            hosted_service=self.hosted_service,
            territory=self.territory or None,
        )
