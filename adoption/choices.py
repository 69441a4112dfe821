"""The adoption layer's enumerations: approval statuses, environments, serving engines,
artifact formats, event kinds and delivery states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    UNDER_REVIEW = "under_review", _("under review")
    APPROVED = "approved", _("approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("approved with conditions")
    REJECTED = "rejected", _("rejected")
    REVOKED = "revoked", _("revoked")


# An approver's decision; proposing and reviewing are editors' steps.
DECISIONS = frozenset(
    {
        ApprovalStatus.APPROVED,
        ApprovalStatus.APPROVED_WITH_CONDITIONS,
        ApprovalStatus.REJECTED,
        ApprovalStatus.REVOKED,
    }
)
# The statuses under which the use is allowed.
ALLOWING = frozenset({ApprovalStatus.APPROVED, ApprovalStatus.APPROVED_WITH_CONDITIONS})
OPEN = frozenset({ApprovalStatus.PROPOSED, ApprovalStatus.UNDER_REVIEW})


class Environment(models.TextChoices):
    PRODUCTION = "production", _("production")
    STAGING = "staging", _("staging")
    DEVELOPMENT = "development", _("development")
    RESEARCH = "research", _("research")


class Engine(models.TextChoices):
    VLLM = "vllm", "vLLM"
    SGLANG = "sglang", "SGLang"
    LLAMA_CPP = "llama_cpp", "llama.cpp"
    TGI = "tgi", "TGI"
    OLLAMA = "ollama", "Ollama"
    OTHER = "other", _("other")


class DeploymentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("active")
    RETIRED = "retired", _("retired")


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("not checked yet")
    UP = "up", _("up")
    DOWN = "down", _("down")


class ArtifactFormat(models.TextChoices):
    SAFETENSORS = "safetensors", "safetensors"
    GGUF = "gguf", "GGUF"
    AWQ = "awq", "AWQ"
    GPTQ = "gptq", "GPTQ"
    FP8 = "fp8", "FP8 (safetensors)"
    MLX = "mlx", "MLX"
    ONNX = "onnx", "ONNX"
    OTHER = "other", _("other")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("not verified")
    VERIFIED = "verified", _("verified")
    MISMATCH = "mismatch", _("does not match")


class EventKind(models.TextChoices):
    NEW_RELEASE = "new_release", _("new release")
    NEW_VERSION = "new_version", _("new version of a followed family")
    APPROVAL_CHANGED = "approval_changed", _("approval changed")
    ENDPOINT_DOWN = "endpoint_down", _("endpoint down")
    ENDPOINT_UP = "endpoint_up", _("endpoint back up")
    TEST = "test", _("test message")


class WebhookFormat(models.TextChoices):
    JSON = "json", "JSON"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class FileCheck(models.TextChoices):
    """What the verification found for one file (``verification_report[].status``)."""

    OK = "ok", _("matches")
    CHECKSUM_DIFFERS = "checksum_differs", _("checksum differs")
    SIZE_DIFFERS = "size_differs", _("size differs")
    MISSING = "missing", _("missing from the manifest")
    EXTRA = "extra", _("in the manifest, not recorded")
