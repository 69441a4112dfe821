import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adoption.choices import ALLOWING, ApprovalStatus
from catalog.models import ModelVariant, ModelVersion
from core.history import track_history
from core.models.constraints import OneQueryCheckConstraints

ONE_SUBJECT = _("Approve either a variant or a whole version, not both and not neither.")
EXPIRY_BEFORE_DECISION = _("The expiry date cannot be before the decision date.")


@track_history()
class Approval(OneQueryCheckConstraints):
    """The company's decision on one variant, or a whole version, for one use case: its status,
    conditions, who decided and until when, and the licence checker's answers at that moment."""

    use_case = models.ForeignKey(
        "adoption.UseCase",
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("use case"),
    )
    variant = models.ForeignKey(
        ModelVariant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("variant"),
    )
    version = models.ForeignKey(
        ModelVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("version"),
        help_text=_("Approves every variant of the version."),
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PROPOSED,
        db_index=True,
    )
    conditions = models.TextField(
        _("conditions"), blank=True, help_text=_("What the use must respect.")
    )
    risk_notes = models.TextField(_("risk notes"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Re-review is due from this date.")
    )
    # licenses.checker answers for the use case, frozen when the approver decided.
    license_answers = models.JSONField(_("licence answers at decision"), default=list, blank=True)
    license_slug = models.CharField(_("licence at decision"), max_length=100, blank=True)
    results = models.ManyToManyField(
        "evaluations.Result",
        blank=True,
        related_name="approvals",
        verbose_name=_("evaluations"),
        help_text=_("The results the decision rests on, where there are any."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["use_case", "-updated_at", "pk"]
        indexes = [
            models.Index(
                fields=["use_case", "-updated_at", "id"], name="adoption_approval_order_idx"
            ),
            models.Index(fields=["expires_on"], name="adoption_approval_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(variant__isnull=True) ^ Q(version__isnull=True),
                name="%(app_label)s_%(class)s_one_subject",
                violation_error_message=ONE_SUBJECT,
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(decided_on__isnull=True)
                | Q(expires_on__gte=F("decided_on")),
                name="%(app_label)s_%(class)s_expiry_after_decision",
                violation_error_message=EXPIRY_BEFORE_DECISION,
            ),
            models.UniqueConstraint(
                fields=["use_case", "variant"],
                condition=Q(variant__isnull=False),
                name="%(app_label)s_%(class)s_one_per_variant",
                violation_error_message=_(
                    "This variant already has an approval record for this use case: change it."
                ),
            ),
            models.UniqueConstraint(
                fields=["use_case", "version"],
                condition=Q(version__isnull=False),
                name="%(app_label)s_%(class)s_one_per_version",
                violation_error_message=_(
                    "This version already has an approval record for this use case: change it."
                ),
            ),
        ]
        permissions = [
            ("decide_approval", _("Can decide approvals (approve, reject, revoke)")),
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        subject = f"variant {self.variant_id}" if self.variant_id else f"version {self.version_id}"
        return f"{self.use_case_id} · {subject}: {self.status}"

    def _field_errors(self) -> dict[str, object]:
        errors: dict[str, object] = {}
        if (self.variant_id is None) == (self.version_id is None):
            errors["variant" if self.variant_id is None else "version"] = ONE_SUBJECT
        if self.expires_on and self.decided_on and self.expires_on < self.decided_on:
            errors["expires_on"] = EXPIRY_BEFORE_DECISION
        return errors

    def clean(self) -> None:
        # The check constraints' rules, named on the field that breaks them.
        errors = self._field_errors()
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # What clean() reported on a field is not reported again as a form-wide error.
        excluded = set(exclude or ())
        if self._field_errors():
            excluded |= {"variant", "version", "expires_on"}
        super().validate_constraints(exclude=excluded)

    @property
    def allows(self) -> bool:
        return self.status in ALLOWING

    def review_due_on(self, today: datetime.date | None = None) -> bool:
        """An allowing approval past its expiry date is due for re-review (no query)."""
        today = today or timezone.localdate()
        return self.allows and self.expires_on is not None and self.expires_on <= today
