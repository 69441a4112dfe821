"""Turn upstream release records into the values a release candidate proposes.

Pure: the standard library and the hardware estimator only (no Django, no network), so every
rule here is tested on stored payloads. Three sources:

* the Hugging Face Hub: the JSON of ``GET /api/models/{owner}/{name}`` and the repository's
  config.json (:func:`parse_hf_release`);
* ModelScope: the envelope ``{"Code", "Data", "Message", "RequestId", "Success"}`` of
  ``GET /api/v1/models/{owner}/{name}`` and config.json (:func:`parse_modelscope_release`);
* the export feed of another registry, format "llmregistry-catalog" version 1
  (:func:`feed_entries` splits a document into one bundle per variant,
  :func:`parse_feed_entry` reads one bundle).

Each returns a :class:`ReleaseFacts` or raises :class:`ParseError` naming the field at fault;
no other exception leaves this module, whatever the input.

Names (Hub and ModelScope), from the repository name ("Qwen2.5-7B-Instruct"):

* variant name: the repository name, less a trailing "-hf" (a conversion marker:
  "Llama-2-7b-hf" is the variant "Llama-2-7b");
* slug (:func:`slugify`): NFKD to ASCII, lowercased, ".", "_" and spaces become "-", anything
  but ``[a-z0-9-]`` dropped, repeated "-" collapsed ("Qwen2.5-7B-Instruct" → "qwen2-5-7b-instruct");
  a name that leaves no slug is refused;
* kind: the first that matches a "-"/"_"-separated word, in this order: "distill" or "distilled"
  → distilled; "r1", "qwq", "thinking", "reasoning", "reasoner" → reasoning; "vl", "vision",
  "visual" → vision; "math" → math; a word starting with "code" (Coder, CodeGeeX2) → code;
  "base" → base; "instruct" or "it" → instruct; a word starting with "chat" (Chat, ChatGLM3)
  → chat; otherwise base;
* version: the words before the first size word ("7B", "1.5B", "1_8B", "8x7B", "A2.7B",
  "128k", "mini", "small", "medium") or "MoE"; from those, a word "Distill" ends the version
  ("DeepSeek-R1-Distill-Qwen-7B" → "DeepSeek-R1-Distill"); trailing "Base", "Instruct", "Chat",
  "it" and date stamps ("0324", "2507", "20240101") are dropped; a leading "Meta" before the
  family name is dropped; a word that is only a version number joins the word before with a
  space. So "Qwen2.5-7B-Instruct" → "Qwen2.5" (slug "qwen2-5"), "Meta-Llama-3-8B" → "Llama 3"
  ("llama-3"), "Llama-3.1-8B-Instruct" → "Llama 3.1", "DeepSeek-V3" → "DeepSeek-V3",
  "DeepSeek-V3-0324" → "DeepSeek-V3", "Mixtral-8x7B-v0.1" → "Mixtral",
  "Qwen1.5-MoE-A2.7B" → "Qwen1.5". The version slug is the slug of that name;
* family: the leading letters of the version name, lowercased ("Qwen2.5" → "qwen",
  "Llama 3" → "llama", "DeepSeek-V3" → "deepseek").

The guesses are proposals: editors map a candidate to an existing version before approving.

Dates: the variant's and the version's release date is the day the repository was created
(Hub ``createdAt``; ModelScope ``CreatedTime``, Unix seconds, read as UTC).

Licence tag: Hub ``cardData.license``, else the first "license:" tag; where it is "other",
``cardData.license_name`` when the card gives one. ModelScope: ``Data.License`` verbatim.
Feed: the variant's licence slug, else its version's, else "".

Lineage (Hub): the Hub's resolved tags come first: "base_model:{relation}:{repo}" with
relation finetune, adapter, merge or quantized (kinds finetune, adapter, merge, quantize);
"base_model:{repo}" without a relation takes ``cardData.base_model_relation``, else it is
inferred: adapter where the repository holds adapter_config.json, quantize where it is tagged
"gguf", merge where there is more than one base model, finetune otherwise.
``cardData.base_model`` is read only where no "base_model:" tag exists. ModelScope:
``Data.BaseModel`` (finetune, or quantize where the name says GPTQ, AWQ, GGUF, Int4, Int8 or
FP8). Feed: the lineage entries whose child is the variant.

Parameters (Hub and ModelScope): ``total_parameters`` (and ``active_parameters`` for a mixture
of experts) is the estimator's exact count from config.json, the catalog's convention. The Hub's
``safetensors.total`` is checked against it and the result explained by one note:

* ``parameters_equal`` {total}: the same number;
* ``parameters_within_tolerance`` {computed, hub, difference, percent}: within 0.5 %
  (non-weight buffers such as rotary ``inv_freq`` saved in the checkpoint);
* ``parameters_quantized_checkpoint`` {computed, hub, dtypes}: the checkpoint holds integer
  dtypes (I8, U8, I32…: packed quantised weights, so the file counts packed elements, not
  weights), or, where nothing closer explains a difference, 8-bit-or-smaller float dtypes
  (F8_E4M3…: their scale tensors are counted too);
* ``parameters_tied_embeddings`` {computed, hub, difference, embedding}: the difference is one
  vocabulary × hidden matrix (the output layer saved although tied, or the reverse);
* ``parameters_vision_tower`` {computed, hub, difference, vision}: the difference is the vision
  encoder, which the catalog does not count;
* ``parameters_mtp_layers`` {computed, hub, difference, mtp}: the difference is the
  multi-token-prediction layers (DeepSeek-V3), which the catalog does not count;
* ``parameters_unexplained`` {computed, hub, difference, percent}: none of the above;
* ``parameters_config_only`` {computed}: no safetensors total to compare with;
* ``parameters_from_safetensors`` {hub}: no usable config.json, so the Hub's total is proposed;
* ``parameters_unknown`` {reason}: neither ("no_config_or_safetensors"), or only a quantised
  checkpoint's total ("quantized_checkpoint", with hub and dtypes): no total is proposed.

"Explained" differences compare within 0.5 % of the computed count. Other notes:
``config_missing`` {} (no config.json), ``config_unsupported`` {model_type} (the estimator
does not know the architecture), ``license_other_unnamed`` {} (licence "other" without a
name), ``lineage_parent_unrecognised`` {parent} (a base model that is not a repository id;
left out). :data:`NOTE_CODES` lists every code.

Hostile input: a wrong type, a negative or too large number (more than 10**15 parameters,
more than 10**7 tokens of context), a NUL character or an unpaired surrogate in any string
(PostgreSQL's JSON holds neither), an over-long string (name over 150 characters, slug over
100, repository id over 200), JSON nested more than 32 levels or a non-finite number anywhere
in a payload is a :class:`ParseError`. Names are kept verbatim, script tags included (pages
escape them), unless they leave no slug; a repository id is ASCII letters, digits, ".", "_"
and "-" only, so markup in one is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import re
import reprlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hardware.estimator import ConfigError, count_parameters, parse_config

PARSER_VERSION = 1

NOTE_CODES: tuple[str, ...] = (
    "parameters_equal",
    "parameters_within_tolerance",
    "parameters_quantized_checkpoint",
    "parameters_tied_embeddings",
    "parameters_vision_tower",
    "parameters_mtp_layers",
    "parameters_unexplained",
    "parameters_config_only",
    "parameters_from_safetensors",
    "parameters_unknown",
    "config_missing",
    "config_unsupported",
    "license_other_unnamed",
    "lineage_parent_unrecognised",
)

# The variant fields that hold architecture numbers (catalog.models.families; a test keeps the
# two equal, since this module cannot import the models).
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
_ARCHITECTURE_FLAGS = ("tie_word_embeddings", "qkv_bias")
# The config.json key each string comes from (for error messages).
_CONFIG_KEYS = {
    "architecture_class": "architectures",
    "model_type": "model_type",
    "rope_scaling_type": "rope_scaling",
}
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

EXPORT_FORMAT = "llmregistry-catalog"  # catalog.services.catalog_load.EXPORT_FORMAT
EXPORT_VERSION = 1
_FEED_SECTIONS = (
    "organizations",
    "features",
    "licenses",
    "accelerators",
    "profiles",
    "size_tiers",
    "families",
    "versions",
    "variants",
    "lineage",
)

# Bounds. Each is far above any real value; together they keep what is stored small and sane.
MAX_PARAMETERS = 10**15  # 1,000 × the largest open model published (Kimi K2: 10**12)
MAX_CONTEXT_TOKENS = 10**7  # the longest published context: 10M tokens (Llama 4 Scout)
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
    """What one upstream entry says, as proposed catalog values (see the module docstring)."""

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


@dataclass(frozen=True)
class NameGuess:
    """The names guessed from a repository name (rules in the module docstring)."""

    name: str
    slug: str
    kind: str
    version_name: str
    version_slug: str
    family: str


# ---------------------------------------------------------------------------------------------
# Checked readers: each returns the value or raises ParseError naming ``where``.

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60
_SHORT.maxlist = _SHORT.maxdict = 4
_SHORT.maxlevel = 2


def _shown(value: Any) -> str:
    """``value`` as a message quotes it: short however large or deep."""
    return _SHORT.repr(value)


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ParseError(where, NOT_AN_OBJECT)
    return value


def _optional_object(value: Any, where: str) -> Mapping[str, Any]:
    return {} if value is None else _object(value, where)


def _list(value: Any, where: str, *, limit: int = MAX_TAGS) -> list[Any]:
    if not isinstance(value, list):
        raise ParseError(where, NOT_A_LIST)
    if len(value) > limit:
        raise ParseError(where, TOO_MANY.format(count=len(value), limit=limit))
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any, where: str, *, limit: int = MAX_TEXT_CHARS, required: bool = False) -> str:
    """The string ``value`` ("" when absent and not ``required``)."""
    if value is None:
        if required:
            raise ParseError(where, MISSING)
        return ""
    if not isinstance(value, str):
        raise ParseError(where, NOT_TEXT)
    if "\x00" in value:
        raise ParseError(where, HAS_NUL)
    if _SURROGATE.search(value):
        raise ParseError(where, HAS_SURROGATE)
    if len(value) > limit:
        raise ParseError(where, TOO_LONG.format(length=len(value), limit=limit))
    if required and not value.strip():
        raise ParseError(where, EMPTY)
    return value


def _bool(value: Any, where: str, *, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ParseError(where, NOT_BOOLEAN)
    return value


def _whole(value: Any, where: str, *, limit: int, positive: bool = True) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(where, NOT_A_WHOLE_NUMBER.format(value=_shown(value)))
    if positive and value <= 0:
        raise ParseError(where, NOT_POSITIVE.format(value=_shown(value)))
    if value < 0:
        raise ParseError(where, NEGATIVE.format(value=_shown(value)))
    if value > limit:
        raise ParseError(where, TOO_LARGE.format(value=_shown(value), limit=limit))
    return value


def _optional_whole(value: Any, where: str, *, limit: int, positive: bool = True) -> int | None:
    return None if value is None else _whole(value, where, limit=limit, positive=positive)


def _choice(value: Any, where: str, choices: tuple[str, ...]) -> str:
    text = _text(value, where, limit=40, required=True)
    if text not in choices:
        raise ParseError(where, NOT_A_CHOICE.format(value=_shown(text), choices=", ".join(choices)))
    return text


_REPO_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _repo_id(value: Any, where: str) -> str:
    """``owner/name`` as the Hub and ModelScope spell repositories (ASCII letters, digits,
    ".", "_" and "-"): anything else, script tags included, is no repository id."""
    text = _text(value, where, limit=MAX_REPO_ID_CHARS, required=True)
    parts = text.split("/")
    if len(parts) != 2 or not all(_REPO_PART.match(part) for part in parts):
        raise ParseError(where, NOT_REPO_ID.format(value=_shown(text)))
    return text


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: Any, where: str) -> str:
    text = _text(value, where, limit=MAX_SLUG_CHARS, required=True)
    if not _SLUG.match(text):
        raise ParseError(where, NOT_SLUG.format(value=_shown(text)))
    return text


def _date(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = _text(value, where, limit=10)
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ParseError(where, NOT_A_DATE.format(value=_shown(text))) from None


def _datetime(value: Any, where: str) -> str | None:
    """An ISO 8601 date and time as the upstream wrote it, checked; ``None`` when absent."""
    if value is None:
        return None
    text = _text(value, where, limit=40)
    try:
        datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(where, NOT_A_DATETIME.format(value=_shown(text))) from None
    return text


def _day(moment: str | None) -> str | None:
    """The date part of a checked ISO 8601 date and time."""
    return datetime.datetime.fromisoformat(moment).date().isoformat() if moment else None


# The last second of year 9999: later stamps cannot be dates.
_MAX_UNIX_SECONDS = 253_402_300_799


def _unix_time(value: Any, where: str) -> str | None:
    """ModelScope's Unix seconds as an ISO 8601 UTC string (an ISO string is accepted too)."""
    if value is None or isinstance(value, str):
        return _datetime(value, where)
    seconds = _whole(value, where, limit=_MAX_UNIX_SECONDS, positive=False)
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC).isoformat()
    except (OverflowError, OSError, ValueError):  # beyond what the platform's clock holds
        raise ParseError(where, NOT_A_DATETIME.format(value=_shown(value))) from None


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    """Every string, number and nesting level of a payload kept verbatim: the database stores
    it as JSON (which holds no NUL character and no NaN) and pages show it."""
    if depth > MAX_JSON_DEPTH:
        raise ParseError(where or "document", TOO_DEEP.format(limit=MAX_JSON_DEPTH))
    if isinstance(value, str):
        _text(value, where or "document", limit=MAX_JSON_STRING_CHARS)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_JSON_INTEGER:
            raise ParseError(
                where or "document", TOO_LARGE.format(value=_shown(value), limit=MAX_JSON_INTEGER)
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(where or "document", NOT_A_NUMBER.format(value=_shown(value)))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParseError(where or "document", NOT_JSON_VALUE.format(value=_shown(key)))
            path = f"{where}.{key[:40]}" if where else key[:40]
            _text(key, path, limit=1000)
            _check_json(item, path, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)
    else:
        raise ParseError(where or "document", NOT_JSON_VALUE.format(value=_shown(value)))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json_text(text: str | bytes, *, field: str = "document") -> Any:
    """Decode JSON text, refusing what JSON does not allow (NaN, Infinity) and what Python
    cannot decode (nesting past the recursion limit, integers of thousands of digits).

    Raises :class:`ParseError` naming ``field``."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ParseError(field, TOO_DEEP.format(limit=MAX_JSON_DEPTH)) from None
    except (ValueError, TypeError) as exc:
        raise ParseError(field, NOT_JSON.format(error=_shown(str(exc))[:200])) from None


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, UTF-8 kept (revision hashes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Names


def slugify(text: str) -> str:
    """The slug of ``text``: ASCII, lowercase, "-" for ".", "_" and spaces, only ``[a-z0-9-]``,
    no repeated, leading or trailing "-" ("Qwen2.5-7B-Instruct" → "qwen2-5-7b-instruct")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[._\s]+", "-", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9-]", "", slug)
    return re.sub(r"-{2,}", "-", slug).strip("-")


_KIND_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("distilled", frozenset({"distill", "distilled"})),
    ("reasoning", frozenset({"r1", "qwq", "thinking", "reasoning", "reasoner"})),
    ("vision", frozenset({"vl", "vision", "visual"})),
    ("math", frozenset({"math"})),
    ("code", frozenset()),  # any word starting with "code" (Coder, CodeGeeX2, CodeLlama)
    ("base", frozenset({"base"})),  # said outright: "chatglm3-6b-base" is no chat model
    ("instruct", frozenset({"instruct", "it"})),
    ("chat", frozenset()),  # any word starting with "chat" (Chat, ChatGLM3)
)
# Words that end the version part of a name: sizes (7B, 1.5B, 1_8B, 8x7B, 135M), active
# parameters of a mixture of experts (A2.7B), context lengths (4k, 128k), size names, "MoE".
_SIZE_WORD = re.compile(
    r"^(?:\d+x)?\d+(?:[._]\d+)?[bm]$|^a\d+(?:\.\d+)?b$|^\d+k$|^(?:mini|small|medium|moe)$"
)
_DROPPED_AT_END = re.compile(r"^(?:base|instruct|chat|it|\d{4}|\d{6}|\d{8})$")
_PUBLISHER_PREFIXES = frozenset({"meta"})  # "Meta-Llama-3" is the Llama 3 version
_NUMBER_WORD = re.compile(r"^\d+(?:\.\d+)*$")
_QUANTIZED_NAME = re.compile(r"(?:^|[-_.])(?:gptq|awq|gguf|int4|int8|fp8)(?:$|[-_.])", re.I)


def _kind(words: list[str]) -> str:
    lowered = [word.lower() for word in words]
    for kind, markers in _KIND_WORDS:
        if kind in ("code", "chat"):
            if any(word.startswith(kind) for word in lowered):
                return kind
        elif markers.intersection(lowered):
            return kind
    return "base"


def _version_name(words: list[str]) -> str:
    stop = next((i for i, word in enumerate(words) if _SIZE_WORD.match(word.lower())), len(words))
    part = words[:stop] or words[:1]
    distill = next((i for i, word in enumerate(part) if word.lower().startswith("distill")), None)
    if distill is not None:
        part = part[: distill + 1]
    while len(part) > 1 and _DROPPED_AT_END.match(part[-1].lower()):
        part = part[:-1]
    if len(part) > 1 and part[0].lower() in _PUBLISHER_PREFIXES:
        part = part[1:]
    name = part[0]
    for word in part[1:]:
        name += (" " if _NUMBER_WORD.match(word) else "-") + word
    return name


def guess_names(repo_name: str, *, where: str = "id") -> NameGuess:
    """Guess the variant name, slug and kind, the version and the family from a repository
    name (the part after "owner/"). Raises :class:`ParseError` naming ``where`` when the name
    leaves no slug or is too long."""
    name = re.sub(r"[-_]hf$", "", repo_name, flags=re.IGNORECASE) or repo_name
    if len(name) > MAX_NAME_CHARS:
        raise ParseError(where, TOO_LONG.format(length=len(name), limit=MAX_NAME_CHARS))
    slug = slugify(name)
    if not slug:
        raise ParseError(where, EMPTY_SLUG.format(value=_shown(repo_name)))
    if len(slug) > MAX_SLUG_CHARS:
        raise ParseError(where, TOO_LONG.format(length=len(slug), limit=MAX_SLUG_CHARS))
    words = [word for word in re.split(r"[-\s]+", name) if word]
    version_name = _version_name(words)[:MAX_VERSION_NAME_CHARS]
    version_slug = slugify(version_name)[:80] or slug[:80]
    letters = re.match(r"[A-Za-z]+", version_name)
    family = letters.group(0).lower() if letters else version_slug.split("-")[0]
    return NameGuess(
        name, slug, _kind(re.split(r"[-_\s]+", name)), version_name, version_slug, family
    )


# ---------------------------------------------------------------------------------------------
# Architecture and parameters


def _architecture(
    config: Any,
) -> tuple[dict[str, Any], Any, Any, list[Note]]:
    """(architecture values, Architecture, ParameterCount, notes) of a config.json; the
    architecture and the count are ``None`` without a usable config."""
    if config is None:
        return {}, None, None, [Note("config_missing", {})]
    config = _object(config, "config")
    _check_json(config, "config")
    try:
        arch = parse_config(config)
        count = count_parameters(arch)
    except ConfigError as exc:
        if exc.field == "model_type" and not isinstance(config.get("model_type"), str | None):
            raise ParseError("config.model_type", NOT_TEXT) from None
        if exc.field == "model_type":
            model_type = config.get("model_type") or ""
            return {}, None, None, [Note("config_unsupported", {"model_type": model_type[:60]})]
        raise ParseError(f"config.{exc.field}" if exc.field else "config", str(exc)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:
        # The estimator names every field it refuses; anything else is a config it cannot read.
        raise ParseError("config", UNREADABLE.format(error=_shown(str(exc)))) from None
    values = {name: value for name, value in arch.as_dict().items() if name in ARCHITECTURE_FIELDS}
    for name, limit in _ARCHITECTURE_TEXT.items():
        values[name] = _text(values[name], f"config.{_CONFIG_KEYS[name]}", limit=limit)
    context = values.get("max_position_embeddings")
    if context is not None and context > MAX_CONTEXT_TOKENS:
        key = next(
            (
                k
                for k in ("max_position_embeddings", "seq_length", "model_max_length")
                if k in config
            ),
            "max_position_embeddings",
        )
        raise ParseError(f"config.{key}", TOO_LARGE.format(value=context, limit=MAX_CONTEXT_TOKENS))
    for total in (count.total, count.total + count.vision + count.mtp):
        if total > MAX_PARAMETERS:
            raise ParseError(
                "config", TOO_MANY_PARAMETERS.format(value=total, limit=MAX_PARAMETERS)
            )
    return values, arch, count, []


# safetensors dtypes whose element counts are not weight counts.
_INTEGER_DTYPES = frozenset({"I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64"})
_LOW_FLOAT_DTYPES = frozenset({"F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4"})
_DTYPE = re.compile(r"^[A-Z0-9_]{1,16}$")


def _safetensors(value: Any) -> tuple[int | None, dict[str, int]]:
    """(total, parameters by dtype) of the Hub's ``safetensors``; (None, {}) when absent."""
    if value is None:
        return None, {}
    data = _object(value, "safetensors")
    parameters: dict[str, int] = {}
    for dtype, count in _optional_object(data.get("parameters"), "safetensors.parameters").items():
        if not _DTYPE.match(dtype):
            raise ParseError(
                "safetensors.parameters",
                WRONG_FORMAT.format(value=_shown(dtype), expected="a dtype"),
            )
        where = f"safetensors.parameters.{dtype}"
        parameters[dtype] = _whole(count, where, limit=MAX_PARAMETERS, positive=False)
    total = data.get("total")
    if total is None:
        total = sum(parameters.values()) if parameters else None
        if total is not None and total > MAX_PARAMETERS:
            raise ParseError(
                "safetensors.parameters", TOO_LARGE.format(value=total, limit=MAX_PARAMETERS)
            )
    else:
        total = _whole(total, "safetensors.total", limit=MAX_PARAMETERS)
    return total or None, parameters


def _close(difference: int, part: int, computed: int) -> bool:
    return abs(difference - part) * 1000 <= computed * TOLERANCE_PER_MILLE


def _percent(difference: int, computed: int) -> float:
    """The difference in percent of the computed count, to three significant digits."""
    return float(f"{difference * 100 / computed:.3g}")


def _cross_check(count: Any, arch: Any, hub: int, dtypes: dict[str, int]) -> Note:
    """The one note that explains the Hub's total against the computed count."""
    computed = count.total
    difference = hub - computed
    pair = {"computed": computed, "hub": hub}
    integer = sorted(_INTEGER_DTYPES.intersection(dtypes))
    if integer:
        return Note("parameters_quantized_checkpoint", {**pair, "dtypes": ", ".join(integer)})
    if difference == 0:
        return Note("parameters_equal", {"total": computed})
    measured = {**pair, "difference": difference}
    if abs(difference) * 1000 <= computed * TOLERANCE_PER_MILLE:
        return Note(
            "parameters_within_tolerance",
            {**measured, "percent": _percent(difference, computed)},
        )
    embedding = arch.vocab_size * arch.hidden_size
    if _close(abs(difference), embedding, computed):
        return Note("parameters_tied_embeddings", {**measured, "embedding": embedding})
    if count.vision and _close(difference, count.vision, computed):
        return Note("parameters_vision_tower", {**measured, "vision": count.vision})
    if count.mtp and _close(difference, count.mtp, computed):
        return Note("parameters_mtp_layers", {**measured, "mtp": count.mtp})
    low = sorted(_LOW_FLOAT_DTYPES.intersection(dtypes))
    if low:
        return Note("parameters_quantized_checkpoint", {**pair, "dtypes": ", ".join(low)})
    return Note("parameters_unexplained", {**measured, "percent": _percent(difference, computed)})


def _parameters(
    count: Any, arch: Any, hub: int | None, dtypes: dict[str, int]
) -> tuple[dict[str, int], Note]:
    """The proposed parameter values and the note that says where they come from."""
    if count is not None:
        values = {"total_parameters": count.total}
        if arch.is_moe:
            values["active_parameters"] = count.active
        if hub is None:
            return values, Note("parameters_config_only", {"computed": count.total})
        return values, _cross_check(count, arch, hub, dtypes)
    if hub is None:
        return {}, Note("parameters_unknown", {"reason": "no_config_or_safetensors"})
    integer = sorted(_INTEGER_DTYPES.intersection(dtypes))
    if integer:
        params = {"reason": "quantized_checkpoint", "hub": hub, "dtypes": ", ".join(integer)}
        return {}, Note("parameters_unknown", params)
    return {"total_parameters": hub}, Note("parameters_from_safetensors", {"hub": hub})


# ---------------------------------------------------------------------------------------------
# Hugging Face Hub

_HUB_RELATIONS = {
    "finetune": "finetune",
    "adapter": "adapter",
    "merge": "merge",
    "quantized": "quantize",
}
_HEX = re.compile(r"^[0-9a-f]{7,64}$")


def _tags(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = _list(value, where)
    return tuple(_text(tag, f"{where}[{i}]", limit=MAX_TAG_CHARS) for i, tag in enumerate(items))


def _license_tag(card: Mapping[str, Any], tags: tuple[str, ...]) -> tuple[str, list[Note]]:
    value = card.get("license")
    if isinstance(value, list):  # a card may list several; the Hub tags each
        value = value[0] if value else None
    tag = _text(value, "cardData.license", limit=MAX_LICENSE_CHARS).strip()
    if not tag:
        tag = next((t[len("license:") :] for t in tags if t.startswith("license:")), "")
        tag = tag[:MAX_LICENSE_CHARS]
    if tag.lower() != "other":
        return tag, []
    name = _text(card.get("license_name"), "cardData.license_name", limit=MAX_LICENSE_CHARS)
    if name.strip():
        return name.strip(), []
    return tag, [Note("license_other_unnamed", {})]


def _parents(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list):
        _list(value, where, limit=100)
    return [
        _text(item, f"{where}[{i}]" if isinstance(value, list) else where, limit=MAX_REPO_ID_CHARS)
        for i, item in enumerate(items)
    ]


def _add_parent(
    found: dict[str, str], notes: list[Note], parent: str, kind: str, own_id: str
) -> None:
    parent = parent.strip()
    if not parent or parent == own_id or parent in found:
        return
    parts = parent.split("/")
    if len(parts) != 2 or not all(_REPO_PART.match(part) for part in parts):
        notes.append(Note("lineage_parent_unrecognised", {"parent": parent[:MAX_REPO_ID_CHARS]}))
        return
    found[parent] = kind


def _hub_lineage(
    repo_id: str, card: Mapping[str, Any], tags: tuple[str, ...], files: set[str]
) -> tuple[tuple[dict[str, str], ...], list[Note]]:
    related: list[tuple[str, str]] = []
    plain: list[str] = []
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag[len("base_model:") :]
        relation, _, parent = rest.partition(":")
        if parent and relation in _HUB_RELATIONS:
            related.append((parent, _HUB_RELATIONS[relation]))
        elif rest not in plain:
            plain.append(rest)
    card_parents = _parents(card.get("base_model"), "cardData.base_model")
    relation = _text(card.get("base_model_relation"), "cardData.base_model_relation", limit=40)
    if not related and not plain:
        plain = card_parents
    if relation in _HUB_RELATIONS:
        inferred = _HUB_RELATIONS[relation]
    elif "adapter_config.json" in files:
        inferred = "adapter"
    elif "gguf" in tags:
        inferred = "quantize"
    elif len({p for p, _ in related} | set(plain)) > 1:
        inferred = "merge"
    else:
        inferred = "finetune"
    found: dict[str, str] = {}
    notes: list[Note] = []
    for parent, kind in related:
        _add_parent(found, notes, parent, kind, repo_id)
    for parent in plain:
        _add_parent(found, notes, parent, inferred, repo_id)
    return tuple({"parent": p, "kind": k} for p, k in found.items()), notes


def _files(value: Any) -> set[str]:
    names = set()
    for i, sibling in enumerate(_list(value, "siblings", limit=100_000) if value else []):
        entry = _object(sibling, f"siblings[{i}]")
        names.add(_text(entry.get("rfilename"), f"siblings[{i}].rfilename", limit=1000))
    return names


def _variant_values(names: NameGuess, architecture: dict[str, Any]) -> dict[str, Any]:
    return {"name": names.name, "slug": names.slug, "kind": names.kind, **architecture}


def _version_guess(names: NameGuess, release_date: str | None, arch: Any) -> dict[str, Any]:
    return {
        "name": names.version_name,
        "slug": names.version_slug,
        "release_date": release_date,
        "max_context_tokens": arch.max_position_embeddings if arch is not None else None,
    }


def parse_hf_release(
    info: Any, config: Any, *, web_base: str = "https://huggingface.co"
) -> ReleaseFacts:
    """Read a Hub model-info payload and its config.json.

    ``info``: the JSON of ``GET {endpoint}/api/models/{repo_id}``; ``config``: the repository's
    config.json, or ``None`` where it could not be had. Raises :class:`ParseError`."""
    info = _object(info, "info")
    _check_json(info, "")
    repo_id = _repo_id(info.get("id", info.get("modelId")), "id")
    sha = _text(info.get("sha"), "sha", limit=64, required=True)
    if not _HEX.match(sha):
        raise ParseError("sha", NOT_A_REVISION.format(value=_shown(sha)))
    created_at = _datetime(info.get("createdAt"), "createdAt")
    last_modified = _datetime(info.get("lastModified"), "lastModified")
    gated = info.get("gated")
    if not isinstance(gated, bool | None):
        gated = _text(gated, "gated", limit=20) or False
    tags = _tags(info.get("tags"), "tags")
    card = _optional_object(info.get("cardData"), "cardData")
    files = _files(info.get("siblings"))
    license_tag, license_notes = _license_tag(card, tags)
    lineage, lineage_notes = _hub_lineage(repo_id, card, tags, files)
    names = guess_names(repo_id.split("/")[1], where="id")
    architecture, arch, count, config_notes = _architecture(config)
    hub_total, dtypes = _safetensors(info.get("safetensors"))
    parameters, parameter_note = _parameters(count, arch, hub_total, dtypes)
    release_date = _day(created_at)

    variant = _variant_values(names, architecture)
    variant["hf_repo_id"] = repo_id
    if release_date:
        variant["release_date"] = release_date
    if config is not None:
        variant["config"] = config
    variant.update(parameters)
    extra: dict[str, Any] = {
        "pipeline_tag": _text(info.get("pipeline_tag"), "pipeline_tag", limit=100),
        "library_name": _text(info.get("library_name"), "library_name", limit=100),
        "private": _bool(info.get("private"), "private"),
        "disabled": _bool(info.get("disabled"), "disabled"),
        "safetensors_total": hub_total,
        "safetensors_parameters": dtypes,
    }
    return ReleaseFacts(
        source="hf",
        upstream_id=repo_id,
        revision=sha,
        upstream_url=f"{web_base.rstrip('/')}/{repo_id}",
        variant=variant,
        license_tag=license_tag,
        family_guess=names.family,
        version_guess=_version_guess(names, release_date, arch),
        lineage=lineage,
        notes=(*config_notes, parameter_note, *license_notes, *lineage_notes),
        gated=bool(gated),
        tags=tags,
        created_at=created_at,
        last_modified=last_modified,
        extra=extra,
    )


# ---------------------------------------------------------------------------------------------
# ModelScope

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def parse_modelscope_release(
    info: Any, config: Any, *, web_base: str = "https://modelscope.cn"
) -> ReleaseFacts:
    """Read a ModelScope model payload and its config.json.

    ``info``: the whole envelope of ``GET {endpoint}/api/v1/models/{owner}/{name}``
    (``{"Code": 200, "Data": {...}, "Message", "RequestId", "Success": true}``); ``config``:
    config.json or ``None``. The revision is ``Data.LastUpdatedTime``. Raises
    :class:`ParseError`."""
    envelope = _object(info, "info")
    _check_json(envelope, "")
    code = envelope.get("Code")
    if code != 200 or isinstance(code, bool) or envelope.get("Success") is not True:
        message = _shown(envelope.get("Message"))[:200]
        raise ParseError("Code", UPSTREAM_FAILED.format(code=_shown(code), message=message))
    data = _object(envelope.get("Data"), "Data")
    owner = _text(data.get("Path"), "Data.Path", limit=MAX_REPO_ID_CHARS, required=True)
    name = _text(data.get("Name"), "Data.Name", limit=MAX_REPO_ID_CHARS, required=True)
    upstream_id = _repo_id(f"{owner}/{name}", "Data.Name")
    stamp = data.get("LastUpdatedTime")
    last_modified = _unix_time(stamp, "Data.LastUpdatedTime")
    if last_modified is None:
        raise ParseError("Data.LastUpdatedTime", MISSING)
    created_at = _unix_time(data.get("CreatedTime"), "Data.CreatedTime")
    license_tag = _text(data.get("License"), "Data.License", limit=MAX_LICENSE_CHARS).strip()
    tags = _tags(data.get("Tags"), "Data.Tags")
    description = _text(data.get("Description"), "Data.Description").strip()
    chinese_name = _text(data.get("ChineseName"), "Data.ChineseName", limit=MAX_NAME_CHARS)
    branch = _text(data.get("Revision"), "Data.Revision", limit=100)
    names = guess_names(name, where="Data.Name")
    architecture, arch, count, config_notes = _architecture(config)
    parameters, parameter_note = _parameters(count, arch, None, {})
    release_date = _day(created_at)

    kind = "quantize" if _QUANTIZED_NAME.search(name) else "finetune"
    found: dict[str, str] = {}
    lineage_notes: list[Note] = []
    for parent in _parents(data.get("BaseModel"), "Data.BaseModel"):
        _add_parent(found, lineage_notes, parent, kind, upstream_id)

    variant = _variant_values(names, architecture)
    variant["modelscope_repo_id"] = upstream_id
    if release_date:
        variant["release_date"] = release_date
    if description:
        variant["description_zh" if _CJK.search(description) else "description"] = description
    if config is not None:
        variant["config"] = config
    variant.update(parameters)
    return ReleaseFacts(
        source="modelscope",
        upstream_id=upstream_id,
        revision=str(stamp),
        upstream_url=f"{web_base.rstrip('/')}/models/{upstream_id}",
        variant=variant,
        license_tag=license_tag,
        family_guess=names.family,
        version_guess=_version_guess(names, release_date, arch),
        lineage=tuple({"parent": p, "kind": k} for p, k in found.items()),
        notes=(*config_notes, parameter_note, *lineage_notes),
        tags=tags,
        created_at=created_at,
        last_modified=last_modified,
        extra={"chinese_name": chinese_name, "branch": branch},
    )


# ---------------------------------------------------------------------------------------------
# Registry export feed


def _key(entry: Mapping[str, Any], name: str) -> str | None:
    value = entry.get(name)
    return value if isinstance(value, str) else None


def _index(entries: list[Mapping[str, Any]], section: str, key) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for i, entry in enumerate(entries):
        value = key(entry)
        if value is None:
            continue
        if value in found:
            raise ParseError(f"{section}[{i}]", DUPLICATE.format(value=_shown(value)))
        found[value] = entry
    return found


def feed_entries(document: Any) -> list[dict[str, Any]]:
    """Split an export document into one bundle per variant entry.

    Each bundle: ``{"variant", "version", "family", "organization", "license", "lineage"}`` —
    the variant's entry, the entries it refers to (``None`` where the document lacks one) and
    the lineage entries whose child it is. Raises :class:`ParseError` for a document that is
    not an export (format, format_version), a section that is not a list of objects, or a key
    given twice."""
    document = _object(document, "document")
    if document.get("format") != EXPORT_FORMAT:
        raise ParseError(
            "format",
            WRONG_FORMAT.format(value=_shown(document.get("format")), expected=repr(EXPORT_FORMAT)),
        )
    version = document.get("format_version")
    if isinstance(version, bool) or version != EXPORT_VERSION:
        raise ParseError(
            "format_version", WRONG_FORMAT.format(value=_shown(version), expected=EXPORT_VERSION)
        )
    sections: dict[str, list[Mapping[str, Any]]] = {}
    for section in _FEED_SECTIONS:
        entries = _list(document.get(section, []), section, limit=1_000_000)
        for i, entry in enumerate(entries):
            _object(entry, f"{section}[{i}]")
        sections[section] = entries

    def slug(entry):
        return _key(entry, "slug")

    organizations = _index(sections["organizations"], "organizations", slug)
    licenses = _index(sections["licenses"], "licenses", slug)
    families = _index(sections["families"], "families", slug)

    def version_key(entry):
        family, own = _key(entry, "family"), _key(entry, "slug")
        return f"{family}/{own}" if family and own else None

    def variant_key(entry):
        version, own = _key(entry, "version"), _key(entry, "slug")
        return f"{version}/{own}" if version and own else None

    versions = _index(sections["versions"], "versions", version_key)
    _index(sections["variants"], "variants", variant_key)
    lineage: dict[str, list[Mapping[str, Any]]] = {}
    for entry in sections["lineage"]:
        child = _key(entry, "child")
        if child:
            lineage.setdefault(child, []).append(entry)

    bundles = []
    for variant in sections["variants"]:
        version = versions.get(_key(variant, "version") or "")
        family_slug = _key(version, "family") if version else None
        if family_slug is None:
            family_slug = (_key(variant, "version") or "").partition("/")[0]
        family = families.get(family_slug)
        organization = organizations.get(_key(family, "organization") or "") if family else None
        license_slug = _key(variant, "license") or (_key(version, "license") if version else None)
        bundles.append(
            {
                "variant": variant,
                "version": version,
                "family": family,
                "organization": organization,
                "license": licenses.get(license_slug or ""),
                "lineage": lineage.get(variant_key(variant) or "", []),
            }
        )
    return bundles


# Architecture numbers the catalog stores as zero or more rather than one or more.
_ARCHITECTURE_ZERO_ALLOWED = frozenset(("first_dense_layers", "num_shared_experts"))


def _feed_architecture(value: Any) -> dict[str, Any]:
    where = "variant.architecture"
    numbers = _optional_object(value, where)
    values: dict[str, Any] = {}
    for name in ARCHITECTURE_FIELDS:
        item, at = numbers.get(name), f"{where}.{name}"
        if name in _ARCHITECTURE_TEXT:
            values[name] = _text(item, at, limit=_ARCHITECTURE_TEXT[name])
        elif name in _ARCHITECTURE_FLAGS:
            values[name] = None if item is None else _bool(item, at)
        elif name == "rope_theta":
            if item is not None and (
                isinstance(item, bool) or not isinstance(item, int | float) or item <= 0
            ):
                raise ParseError(at, NOT_A_NUMBER.format(value=_shown(item)))
            values[name] = None if item is None else float(item)
        else:
            limit = MAX_CONTEXT_TOKENS if name == "max_position_embeddings" else None
            values[name] = _optional_whole(
                item,
                at,
                limit=limit or MAX_ARCHITECTURE_NUMBER,
                # DeepSeek-style MoE with no leading dense layer stores 0 (the catalog allows it).
                positive=name not in _ARCHITECTURE_ZERO_ALLOWED,
            )
    return values


def _feed_version(entry: Any, family: str, version: str) -> dict[str, Any]:
    if entry is None:
        return {"family": family, "slug": version}
    entry = _object(entry, "version")
    _slug(entry.get("slug"), "version.slug")
    _text(entry.get("name"), "version.name", limit=MAX_VERSION_NAME_CHARS, required=True)
    _date(entry.get("release_date"), "version.release_date")
    for name in ("default_context_tokens", "max_context_tokens"):
        _optional_whole(entry.get(name), f"version.{name}", limit=MAX_CONTEXT_TOKENS)
    _optional_whole(entry.get("training_tokens"), "version.training_tokens", limit=10**18)
    if entry.get("license") is not None:
        _slug(entry.get("license"), "version.license")
    for i, feature in enumerate(_list(entry.get("features") or [], "version.features")):
        _slug(feature, f"version.features[{i}]")
    return dict(entry)


def _feed_lineage(entries: Any, child: str) -> tuple[dict[str, str], ...]:
    found = []
    for i, item in enumerate(_list(entries or [], "lineage")):
        entry = _object(item, f"lineage[{i}]")
        if entry.get("child") != child:
            raise ParseError(
                f"lineage[{i}].child", OTHER_CHILD.format(value=_shown(entry.get("child")))
            )
        parent = _text(entry.get("parent"), f"lineage[{i}].parent", limit=300, required=True)
        if len(parent.split("/")) != 3 or not all(_SLUG.match(p) for p in parent.split("/")):
            raise ParseError(f"lineage[{i}].parent", NOT_A_VARIANT_KEY.format(value=_shown(parent)))
        kind = _choice(entry.get("kind"), f"lineage[{i}].kind", LINEAGE_KINDS)
        note = _text(entry.get("note"), f"lineage[{i}].note")
        found.append({"parent": parent, "kind": kind, "note": note})
    return tuple(sorted(found, key=canonical_json))


def parse_feed_entry(bundle: Any, *, feed_label: str) -> ReleaseFacts:
    """Read one bundle of :func:`feed_entries`.

    ``feed_label``: the export URL or file the bundle came from (the candidate's link). The
    revision is the SHA-256 of the bundle's canonical JSON (lineage in a fixed order), so it
    changes exactly when the variant or an entry it refers to changes. Raises
    :class:`ParseError` naming the field ("variant.total_parameters", "lineage[0].kind")."""
    bundle = _object(bundle, "bundle")
    _check_json(bundle, "")
    entry = _object(bundle.get("variant"), "variant")
    slug = _slug(entry.get("slug"), "variant.slug")
    version_key = _text(entry.get("version"), "variant.version", limit=200, required=True)
    family_slug, _, version_slug = version_key.partition("/")
    if not _SLUG.match(family_slug) or not _SLUG.match(version_slug):
        raise ParseError("variant.version", NOT_A_VERSION_KEY.format(value=_shown(version_key)))
    upstream_id = f"{version_key}/{slug}"

    variant: dict[str, Any] = {
        "name": _text(entry.get("name"), "variant.name", limit=MAX_NAME_CHARS, required=True),
        "slug": slug,
        "kind": _choice(entry.get("kind", "base"), "variant.kind", VARIANT_KINDS),
    }
    for name in ("description", "description_zh", "seed_claim"):
        if name in entry:
            variant[name] = _text(entry[name], f"variant.{name}")
    if "release_date" in entry:
        variant["release_date"] = _date(entry["release_date"], "variant.release_date")
    for name in ("hf_repo_id", "modelscope_repo_id"):
        if name in entry:
            value = entry[name]
            variant[name] = _repo_id(value, f"variant.{name}") if value else ""
    for name in ("total_parameters", "active_parameters"):
        if name in entry:
            variant[name] = _optional_whole(entry[name], f"variant.{name}", limit=MAX_PARAMETERS)
    if "config" in entry:
        variant["config"] = (
            None if entry["config"] is None else dict(_object(entry["config"], "variant.config"))
        )
    variant.update(_feed_architecture(entry.get("architecture")))

    version = _feed_version(bundle.get("version"), family_slug, version_slug)
    family = bundle.get("family")
    if family is not None:
        _slug(_object(family, "family").get("slug"), "family.slug")
    license_entry = bundle.get("license")
    if license_entry is not None:
        _slug(_object(license_entry, "license").get("slug"), "license.slug")
    license_tag = entry.get("license") or version.get("license") or ""
    license_tag = _slug(license_tag, "variant.license") if license_tag else ""
    lineage = _feed_lineage(bundle.get("lineage"), upstream_id)
    sources = _list(entry.get("sources") or [], "variant.sources")
    for i, source in enumerate(sources):
        _object(source, f"variant.sources[{i}]")

    try:
        stable = {**bundle, "lineage": sorted(bundle.get("lineage") or [], key=canonical_json)}
        revision = hashlib.sha256(canonical_json(stable).encode("utf-8")).hexdigest()
    except (TypeError, ValueError) as exc:  # a Mapping json cannot write
        raise ParseError("bundle", UNREADABLE.format(error=_shown(str(exc)))) from None
    return ReleaseFacts(
        source="feed",
        upstream_id=upstream_id,
        revision=revision,
        upstream_url=feed_label,
        variant=variant,
        license_tag=license_tag,
        family_guess=family_slug,
        version_guess=version,
        lineage=lineage,
        notes=(),
        extra={
            "family": family,
            "organization": bundle.get("organization"),
            "license": license_entry,
            "sources": list(sources),
        },
    )
