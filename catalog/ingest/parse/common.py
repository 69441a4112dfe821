"""The parser's constants, error messages, error and result types (rules: the package
docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.ingest.parse.evaluations import CardResult

# Stored on every candidate: a candidate parsed by an older version is parsed again on the next
# run even where upstream did not change. 2: the model card's evaluation results (model-index).
PARSER_VERSION = 2

NOTE_CODES: tuple[str, ...] = (
    "parameters_equal",
    "parameters_within_tolerance",
    "parameters_quantized_checkpoint",
    "parameters_tied_embeddings",
    "parameters_vision_tower",
    "parameters_mtp_layers",
    "parameters_checkpoint_reconciled",
    "parameters_mtp_reconciled",
    "parameters_mtp_vision_reconciled",
    "parameters_unexplained",
    "parameters_config_only",
    "parameters_from_safetensors",
    "parameters_unknown",
    "config_missing",
    "config_unsupported",
    "license_other_unnamed",
    "lineage_parent_unrecognised",
    "model_index_unreadable",
    "model_index_truncated",
)

# The variant fields that hold architecture numbers: the one list of them, which the models, the
# API, the catalog file and the estimator's selectors import (a test checks each is a variant
# field).
ARCHITECTURE_FIELDS: tuple[str, ...] = (
    "architecture_class",
    "model_type",
    "num_layers",
    "hidden_size",
    "num_attention_heads",
    "num_kv_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "tie_word_embeddings",
    "qkv_bias",
    "num_experts",
    "num_experts_per_token",
    "num_shared_experts",
    "moe_intermediate_size",
    "shared_expert_intermediate_size",
    "first_dense_layers",
    "q_lora_rank",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "qk_nope_head_dim",
    "v_head_dim",
    "sliding_window",
    "max_position_embeddings",
    "rope_theta",
    "rope_scaling_type",
)
# The lengths of the string ones (the model's max_length).
_ARCHITECTURE_TEXT = {"architecture_class": 120, "model_type": 60, "rope_scaling_type": 24}

# catalog.choices.VariantKind and LineageKind values (a test keeps them equal).
VARIANT_KINDS = ("base", "chat", "instruct", "code", "math", "vision", "reasoning", "distilled")
LINEAGE_KINDS = (
    "finetune",
    "instruct_tune",
    "distill",
    "quantize",
    "merge",
    "continued_pretrain",
    "extended_vocabulary",
    "adapter",
)

EXPORT_FORMAT = "llmregistry-catalog"  # catalog.fileformat.EXPORT_FORMAT (a test keeps them equal)
EXPORT_VERSION = 1

# Bounds. Each is far above any real value; together they keep what is stored small and sane.
MAX_PARAMETERS = 10**15  # 1,000 × the largest open model published (Kimi K2: 10**12)
MAX_CONTEXT_TOKENS = (
    2**24
)  # above the longest published context: Llama 4 Scout's 10,485,760 (10 × 2^20)
MAX_NAME_CHARS = 150  # ModelVariant.name
MAX_SLUG_CHARS = 100  # ModelVariant.slug
MAX_REPO_ID_CHARS = 200  # ModelVariant.hf_repo_id / modelscope_repo_id
MAX_VERSION_NAME_CHARS = 120  # ModelVersion.name
MAX_LICENSE_CHARS = 100
MAX_TAG_CHARS = 300  # "base_model:quantized:" + a 96-character name and its owner
MAX_TAGS = 2000
MAX_TEXT_CHARS = 20_000  # descriptions and notes
MAX_JSON_DEPTH = 32  # a Hub payload nests about 7 levels (cardData.model-index)
MAX_JSON_STRING_CHARS = 2_000_000  # a ModelScope README is carried whole
MAX_JSON_INTEGER = 10**18  # within PostgreSQL's bigint; no real count comes close
MAX_ARCHITECTURE_NUMBER = 2**31 - 1  # the architecture columns are 32-bit integers
TOLERANCE_PER_MILLE = 5  # 0.5 %: differences within it are non-weight buffers

# Error messages (constants: the tests assert on them).
NOT_AN_OBJECT = "must be a JSON object"
NOT_A_LIST = "must be a list"
NOT_TEXT = "must be a string"
NOT_BOOLEAN = "must be true or false"
NOT_A_WHOLE_NUMBER = "must be a whole number; got {value}"
NOT_A_NUMBER = "must be a finite number; got {value}"
MISSING = "is missing"
EMPTY = "must not be empty"
HAS_NUL = "contains a NUL character"
HAS_SURROGATE = "contains an unpaired UTF-16 surrogate, which UTF-8 cannot hold"
TOO_LONG = "is {length} characters long; at most {limit} are accepted"
TOO_MANY = "has {count} entries; at most {limit} are accepted"
NOT_POSITIVE = "must be more than 0; got {value}"
NEGATIVE = "must be 0 or more; got {value}"
TOO_LARGE = "is {value}; at most {limit} is accepted"
TOO_DEEP = "is nested more than {limit} levels deep"
NOT_JSON = "is not valid JSON: {error}"
NOT_JSON_VALUE = "holds {value}, which JSON cannot represent"
NOT_REPO_ID = "is not a repository id of the form owner/name; got {value}"
EMPTY_SLUG = "leaves an empty slug: {value}"
NOT_SLUG = "is not a slug (lowercase letters, digits and single hyphens); got {value}"
NOT_A_DATE = "is not a date (YYYY-MM-DD); got {value}"
NOT_A_DATETIME = "is not an ISO 8601 date and time; got {value}"
NOT_A_REVISION = "is not a commit hash; got {value}"
NOT_A_CHOICE = "is {value}; expected one of {choices}"
NOT_A_VERSION_KEY = "is not a version key (family/version); got {value}"
NOT_A_VARIANT_KEY = "is not a variant key (family/version/variant); got {value}"
WRONG_FORMAT = "is {value}; expected {expected}"
UPSTREAM_FAILED = "the upstream answered code {code}: {message}"
DUPLICATE = "repeats {value}, already given earlier in the document"
OTHER_CHILD = "names the child {value}, not this variant"
UNREADABLE = "cannot be read: {error}"
TOO_MANY_PARAMETERS = "gives {value} parameters; at most {limit} are accepted"


class ParseError(ValueError):
    """An upstream entry cannot be parsed; ``field`` names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Note:
    """A machine-readable explanation; the Django side words ``code`` with ``params``."""

    code: str  # one of NOTE_CODES
    params: dict[str, Any]  # JSON-able numbers and strings for the message


@dataclass(frozen=True)
class ReleaseFacts:
    """What one upstream entry says, as proposed catalog values (see the package docstring)."""

    source: str  # "hf" | "modelscope" | "feed"
    upstream_id: str  # "Qwen/Qwen2.5-7B-Instruct"; feed: "family/version/variant"
    revision: str  # changes whenever the upstream entry changes
    upstream_url: str
    variant: dict[str, Any]  # ModelVariant values by field name; only keys the source knows
    license_tag: str
    family_guess: str
    version_guess: dict[str, Any]
    lineage: tuple[dict[str, str], ...]
    notes: tuple[Note, ...]
    gated: bool = False
    tags: tuple[str, ...] = ()
    created_at: str | None = None  # ISO 8601
    last_modified: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    results: tuple[CardResult, ...] = ()  # the model card's evaluation results (Hub only)
