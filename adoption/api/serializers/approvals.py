"""Approvals in the API: the company's decisions on a variant (or every variant of a version)
for a use case, and an approver's decision."""

from __future__ import annotations

import datetime
from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adoption.api.serializers.common import (
    StrictFieldsMixin,
    UsernameField,
    VariantKeyRelatedField,
    VersionKeyRelatedField,
    service_errors,
)
from adoption.choices import DECISIONS, ApprovalStatus
from adoption.display import frozen_answers_in_words
from adoption.models import Approval, UseCase
from adoption.models.approvals import EXPIRY_BEFORE_DECISION
from adoption.services.approvals import approval_propose, approval_update
from evaluations.models import Result

# Error messages users see (constants: the tests assert on them).
PROPOSED_FIRST = _("A new approval is proposed; move it to under review once it exists.")
FIXED_AFTER_PROPOSAL = _("Cannot be changed once proposed: propose a new approval instead.")
# An approver's decisions (named in the OpenAPI schema by
# settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
DECISION_CHOICES = [
    (status.value, status.label) for status in ApprovalStatus if status in DECISIONS
]


class LicenseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    message = serializers.CharField()
    term = serializers.CharField()


class LicenseAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    question_text = serializers.CharField()
    verdict = serializers.CharField()
    verdict_text = serializers.CharField()
    reasons = LicenseReasonSerializer(many=True)


def frozen_answers(approval: Approval) -> list[dict]:
    """The licence checker's answers frozen with the decision, in words (the current
    language), with the licence the view attached as ``license_at_decision``; codes only when
    that licence is gone."""
    license = getattr(approval, "license_at_decision", None)
    return [
        {**asdict(answer), "reasons": [asdict(reason) for reason in answer.reasons]}
        for answer in frozen_answers_in_words(approval, license)
    ]


class ApprovalSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """The company's decision on a variant (or every variant of a version) for a use case.
    Editors propose (``use_case``, ``variant`` or ``version``, ``conditions``, ``risk_notes``,
    ``evaluations``) and move an open approval between proposed and under review; approvers
    decide with ``POST /api/v1/approvals/{id}/decide/``. ``license_answers`` are the licence
    checker's answers frozen with the decision; ``review_due`` is true for an allowing
    approval whose expiry date has come."""

    use_case = serializers.SlugRelatedField(slug_field="slug", queryset=UseCase.objects.all())
    use_case_name = serializers.CharField(source="use_case.name", read_only=True)
    variant = VariantKeyRelatedField(required=False, allow_null=True)
    version = VersionKeyRelatedField(required=False, allow_null=True)
    # Every status is read; an editor writes only the open ones (the service refuses a
    # decision on "status": decisions go through decide/).
    status = serializers.ChoiceField(
        choices=ApprovalStatus.choices,
        required=False,
        help_text=_("Editors move an open approval; decisions go through decide/."),
    )
    proposed_by = UsernameField(allow_null=True)
    reviewer = UsernameField(allow_null=True)
    review_due = serializers.BooleanField(read_only=True)
    license = serializers.CharField(source="license_slug", read_only=True)
    license_answers = serializers.SerializerMethodField()
    evaluations = serializers.PrimaryKeyRelatedField(
        source="results",
        many=True,
        required=False,
        queryset=Result.objects.all(),
        help_text=_("Ids of the evaluation results the decision rests on."),
    )

    class Meta:
        model = Approval
        fields = [
            "id",
            "use_case",
            "use_case_name",
            "variant",
            "version",
            "status",
            "conditions",
            "risk_notes",
            "proposed_by",
            "reviewer",
            "decided_on",
            "expires_on",
            "review_due",
            "license",
            "license_answers",
            "evaluations",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["decided_on", "expires_on", "created_at", "updated_at"]
        # The write path names a repeated pair itself (one approval per use case and model).
        validators: list = []

    @extend_schema_field(LicenseAnswerSerializer(many=True))
    def get_license_answers(self, approval) -> list[dict]:
        return frozen_answers(approval)

    def validate(self, attrs):
        if self.instance is None and attrs.get("status", ApprovalStatus.PROPOSED) != (
            ApprovalStatus.PROPOSED
        ):
            raise serializers.ValidationError({"status": [PROPOSED_FIRST]})
        if self.instance is not None:
            for name in ("use_case", "variant", "version"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: [FIXED_AFTER_PROPOSAL]})
        return attrs

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def create(self, validated_data):
        try:
            return approval_propose(
                use_case=validated_data["use_case"],
                variant=validated_data.get("variant"),
                version=validated_data.get("version"),
                conditions=validated_data.get("conditions", ""),
                risk_notes=validated_data.get("risk_notes", ""),
                results=validated_data.get("results", ()),
                user=self._user(),
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from None

    def update(self, instance, validated_data):
        fields = {k: validated_data[k] for k in ("conditions", "risk_notes") if k in validated_data}
        try:
            return approval_update(
                approval=instance,
                user=self._user(),
                status=validated_data.get("status"),
                results=validated_data.get("results"),
                **fields,
            )
        except DjangoValidationError as exc:
            raise service_errors(exc) from None


class DecisionSerializer(StrictFieldsMixin, serializers.Serializer):
    """An approver's decision (``POST /api/v1/approvals/{id}/decide/``)."""

    status = serializers.ChoiceField(choices=DECISION_CHOICES)
    conditions = serializers.CharField(required=False, allow_blank=True)
    risk_notes = serializers.CharField(required=False, allow_blank=True)
    decided_on = serializers.DateField(
        required=False, help_text=_("Default: today in the registry's time zone.")
    )
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Re-review is due from this date.")
    )

    def validate(self, attrs):
        decided_on: datetime.date = attrs.get("decided_on") or timezone.localdate()
        expires_on = attrs.get("expires_on")
        if expires_on is not None and expires_on < decided_on:
            raise serializers.ValidationError({"expires_on": [EXPIRY_BEFORE_DECISION]})
        return attrs
