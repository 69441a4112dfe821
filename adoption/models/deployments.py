from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adoption.choices import DeploymentStatus, Engine, Environment, Health
from catalog.models import ModelVariant
from core.history import track_history
from core.models.constraints import OneQueryCheckConstraints
from hardware.models import HardwareProfile

# The fields the health check writes (adoption.services.health), read only everywhere else.
HEALTH_FIELDS = (
    "health",
    "last_checked_at",
    "last_seen_up_at",
    "last_error",
    "consecutive_failures",
    "served_models",
)

# An HTTP header value a key can be: printable ASCII, no spaces (RFC 9110's token68 and more).
API_KEY_CHARACTERS = RegexValidator(
    r"^[\x21-\x7e]*\Z",
    _("An API key is printable ASCII without spaces."),
    code="api_key_characters",
)


# The health check rewrites its fields every few minutes: their changes are events, not history.
# The endpoint's API key is never copied into history, which every viewer may read.
@track_history(exclude=[*HEALTH_FIELDS, "api_key", "updated_at"])
class Deployment(OneQueryCheckConstraints):
    """Where a variant runs inside the company: its endpoint, engine, hardware and owners, and
    what the health check last saw. The health fields are written by the check, not edited."""

    variant = models.ForeignKey(
        ModelVariant,
        on_delete=models.PROTECT,
        related_name="deployments",
        verbose_name=_("variant"),
    )
    name = models.CharField(_("name"), max_length=200)
    environment = models.CharField(_("environment"), max_length=16, choices=Environment.choices)
    endpoint_url = models.URLField(
        _("endpoint"),
        max_length=500,
        blank=True,
        help_text=_("The OpenAI-compatible base address; the check asks <endpoint>/v1/models."),
    )
    api_key = models.CharField(
        _("API key"),
        max_length=500,
        blank=True,
        validators=[API_KEY_CHARACTERS],
        help_text=_(
            "The key the endpoint was started with (--api-key of vLLM, SGLang or llama-server), "
            "if any. Only the health check sends it, as “Authorization: Bearer …”; "
            "it is never shown again and never kept in the history."
        ),
    )
    engine = models.CharField(_("serving engine"), max_length=16, choices=Engine.choices)
    engine_version = models.CharField(_("engine version"), max_length=40, blank=True)
    profile = models.ForeignKey(
        HardwareProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
        verbose_name=_("hardware profile"),
    )
    precision = models.CharField(_("precision"), max_length=24, blank=True)
    max_context_tokens = models.PositiveIntegerField(
        _("max context (tokens)"), null=True, blank=True
    )
    owner_team = models.CharField(_("owner team"), max_length=200)
    owner_contact = models.CharField(_("owner contact"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeploymentStatus.choices,
        default=DeploymentStatus.ACTIVE,
        db_index=True,
    )
    health = models.CharField(
        _("health"), max_length=16, choices=Health.choices, default=Health.UNKNOWN, editable=False
    )
    last_checked_at = models.DateTimeField(_("last checked"), null=True, editable=False)
    last_seen_up_at = models.DateTimeField(_("last seen up"), null=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    served_models = models.JSONField(
        _("models the endpoint serves"), default=list, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["name", "id"], name="adoption_deployment_order_idx"),
            models.Index(fields=["health", "status"], name="adoption_deployment_health_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_context_tokens__isnull=True) | Q(max_context_tokens__gt=0),
                name="%(app_label)s_%(class)s_context_positive",
            ),
        ]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return self.name
