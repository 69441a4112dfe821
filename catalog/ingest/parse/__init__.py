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
no other exception leaves this package, whatever the input.

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
* ``parameters_checkpoint_reconciled`` {computed, hub, difference, scales, mtp}: the checkpoint
  is block-quantised FP8 and the Hub's total is exactly the count plus its scale tensors and
  its multi-token-prediction blocks (``estimator.checkpoint``; DeepSeek-V3: 684,531,386,000);
* ``parameters_mtp_reconciled`` {computed, hub, difference, mtp}: a 16-bit checkpoint whose
  Hub total is exactly the count plus its multi-token-prediction blocks with the embedding and
  head copies they store (GLM-4.5-Air: 110,468,824,832);
* ``parameters_mtp_vision_reconciled`` {computed, hub, difference, mtp, vision}: the same with a
  vision tower stored too (Qwen3.5-27B: 27,781,427,952);
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

Evaluation results (Hub): each metric of each result of the card's ``model-index``
(``cardData``, else the Hub's top-level copy) is one :class:`CardResult`, verbatim, with its
shots from ``num_few_shot`` in the dataset's or the metric's args; a malformed entry is a row
with its ``problem``, not an error of the release (``evaluations``; notes
``model_index_unreadable`` {field, message} and ``model_index_truncated`` {limit}). Matching
rows to the registry's benchmarks is the review's work (``curation/services/card_results.py``).

Hostile input: a wrong type, a negative or too large number (more than 10**15 parameters,
more than 2**24 tokens of context), a NUL character or an unpaired surrogate in any string
(PostgreSQL's JSON holds neither), an over-long string (name over 150 characters, slug over
100, repository id over 200), JSON nested more than 32 levels or a non-finite number anywhere
in a payload is a :class:`ParseError`. Names are kept verbatim, script tags included (pages
escape them), unless they leave no slug; a repository id is ASCII letters, digits, ".", "_"
and "-" only, so markup in one is refused.

The modules: ``common`` (constants, error messages, :class:`ParseError`, :class:`Note`,
:class:`ReleaseFacts`), ``checks`` (checked readers of values and JSON), ``names`` (slug,
kind, version and family guesses), ``parameters`` (architecture and the parameter
cross-check), ``hub`` (Hub and ModelScope payloads), ``evaluations`` (the card's model-index),
``feed`` (the export feed).
"""

from catalog.ingest.parse.checks import canonical_json, parse_json_text
from catalog.ingest.parse.common import (
    ARCHITECTURE_FIELDS,
    DUPLICATE,
    EMPTY,
    EMPTY_SLUG,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    HAS_NUL,
    HAS_SURROGATE,
    LINEAGE_KINDS,
    MAX_ARCHITECTURE_NUMBER,
    MAX_CONTEXT_TOKENS,
    MAX_JSON_DEPTH,
    MAX_JSON_INTEGER,
    MAX_JSON_STRING_CHARS,
    MAX_LICENSE_CHARS,
    MAX_NAME_CHARS,
    MAX_PARAMETERS,
    MAX_REPO_ID_CHARS,
    MAX_SLUG_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS,
    MAX_TEXT_CHARS,
    MAX_VERSION_NAME_CHARS,
    MISSING,
    NEGATIVE,
    NOT_A_CHOICE,
    NOT_A_DATE,
    NOT_A_DATETIME,
    NOT_A_LIST,
    NOT_A_NUMBER,
    NOT_A_REVISION,
    NOT_A_VARIANT_KEY,
    NOT_A_VERSION_KEY,
    NOT_A_WHOLE_NUMBER,
    NOT_AN_OBJECT,
    NOT_BOOLEAN,
    NOT_JSON,
    NOT_JSON_VALUE,
    NOT_POSITIVE,
    NOT_REPO_ID,
    NOT_SLUG,
    NOT_TEXT,
    NOTE_CODES,
    OTHER_CHILD,
    PARSER_VERSION,
    TOLERANCE_PER_MILLE,
    TOO_DEEP,
    TOO_LARGE,
    TOO_LONG,
    TOO_MANY,
    TOO_MANY_PARAMETERS,
    UNREADABLE,
    UPSTREAM_FAILED,
    VARIANT_KINDS,
    WRONG_FORMAT,
    Note,
    ParseError,
    ReleaseFacts,
)
from catalog.ingest.parse.evaluations import (
    CONFLICTING_SHOTS,
    MAX_CARD_RESULTS,
    NOT_A_SHOT_COUNT,
    SHOT_ARGS,
    CardResult,
    parse_card_results,
)
from catalog.ingest.parse.feed import feed_entries, parse_feed_entry
from catalog.ingest.parse.hub import parse_hf_release, parse_modelscope_release
from catalog.ingest.parse.names import NameGuess, guess_names, slugify

__all__ = [
    "ARCHITECTURE_FIELDS",
    "CONFLICTING_SHOTS",
    "DUPLICATE",
    "EMPTY",
    "EMPTY_SLUG",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "HAS_NUL",
    "HAS_SURROGATE",
    "LINEAGE_KINDS",
    "MAX_ARCHITECTURE_NUMBER",
    "MAX_CARD_RESULTS",
    "MAX_CONTEXT_TOKENS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INTEGER",
    "MAX_JSON_STRING_CHARS",
    "MAX_LICENSE_CHARS",
    "MAX_NAME_CHARS",
    "MAX_PARAMETERS",
    "MAX_REPO_ID_CHARS",
    "MAX_SLUG_CHARS",
    "MAX_TAGS",
    "MAX_TAG_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_VERSION_NAME_CHARS",
    "MISSING",
    "NEGATIVE",
    "NOTE_CODES",
    "NOT_AN_OBJECT",
    "NOT_A_CHOICE",
    "NOT_A_DATE",
    "NOT_A_DATETIME",
    "NOT_A_LIST",
    "NOT_A_NUMBER",
    "NOT_A_REVISION",
    "NOT_A_SHOT_COUNT",
    "NOT_A_VARIANT_KEY",
    "NOT_A_VERSION_KEY",
    "NOT_A_WHOLE_NUMBER",
    "NOT_BOOLEAN",
    "NOT_JSON",
    "NOT_JSON_VALUE",
    "NOT_POSITIVE",
    "NOT_REPO_ID",
    "NOT_SLUG",
    "NOT_TEXT",
    "OTHER_CHILD",
    "PARSER_VERSION",
    "SHOT_ARGS",
    "TOLERANCE_PER_MILLE",
    "TOO_DEEP",
    "TOO_LARGE",
    "TOO_LONG",
    "TOO_MANY",
    "TOO_MANY_PARAMETERS",
    "UNREADABLE",
    "UPSTREAM_FAILED",
    "VARIANT_KINDS",
    "WRONG_FORMAT",
    "CardResult",
    "NameGuess",
    "Note",
    "ParseError",
    "ReleaseFacts",
    "canonical_json",
    "feed_entries",
    "guess_names",
    "parse_card_results",
    "parse_feed_entry",
    "parse_hf_release",
    "parse_json_text",
    "parse_modelscope_release",
    "slugify",
]
