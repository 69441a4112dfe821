"""The adoption layer's API representations, by resource. Every write goes through the
services (``adoption.services``): the serializers only turn JSON into their arguments and their
errors into field-keyed 400s."""

from adoption.api.serializers.approvals import (
    DECISION_CHOICES,
    FIXED_AFTER_PROPOSAL,
    PROPOSED_FIRST,
    ApprovalSerializer,
    DecisionSerializer,
    LicenseAnswerSerializer,
    LicenseReasonSerializer,
    frozen_answers,
)
from adoption.api.serializers.artifacts import (
    ArtifactFileSerializer,
    ArtifactSerializer,
    ManifestSerializer,
)
from adoption.api.serializers.common import (
    NO_SUCH_PROFILE,
    NO_SUCH_VARIANT,
    NO_SUCH_VERSION,
    UNKNOWN_FIELD,
    KeyRelatedField,
    StrictFieldsMixin,
    UsernameField,
    VariantKeyRelatedField,
    VersionKeyRelatedField,
    service_errors,
)
from adoption.api.serializers.deployments import (
    DeploymentSerializer,
)
from adoption.api.serializers.recipes import (
    ENGINE_CHOICES,
    RecipeQuerySerializer,
    RecipeSerializer,
)
from adoption.api.serializers.usecases import (
    UseCaseSerializer,
)

__all__ = [
    "DECISION_CHOICES",
    "ENGINE_CHOICES",
    "FIXED_AFTER_PROPOSAL",
    "NO_SUCH_PROFILE",
    "NO_SUCH_VARIANT",
    "NO_SUCH_VERSION",
    "PROPOSED_FIRST",
    "UNKNOWN_FIELD",
    "ApprovalSerializer",
    "ArtifactFileSerializer",
    "ArtifactSerializer",
    "DecisionSerializer",
    "DeploymentSerializer",
    "KeyRelatedField",
    "LicenseAnswerSerializer",
    "LicenseReasonSerializer",
    "ManifestSerializer",
    "RecipeQuerySerializer",
    "RecipeSerializer",
    "StrictFieldsMixin",
    "UseCaseSerializer",
    "UsernameField",
    "VariantKeyRelatedField",
    "VersionKeyRelatedField",
    "frozen_answers",
    "service_errors",
]
