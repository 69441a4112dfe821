"""The catalog file format: which sections a file holds, their fields and natural keys.

One home for the format that the loader (``curation/services/load.py``) reads, the export
(``curation/services/export.py``) writes and the ingestion proposes values in. Pure data and
the standard library only, so any layer may import it; which model a section fills is the
loader's business. The format is documented in docs/catalog-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EXPORT_FORMAT = "llmregistry-catalog"  # the "format" key of an export document
EXPORT_VERSION = 1  # raised when a change would make older loaders misread a document
EXPORT_META_KEYS = frozenset({"format", "format_version", "exported_at"})
SOURCE_KEYS = frozenset({"url", "title", "publisher", "accessed", "fields", "quote", "note"})


@dataclass(frozen=True)
class Kind:
    """One top-level section of a catalog file: the fields its entries carry."""

    key: str
    plain: tuple[str, ...]  # fields copied as they are
    required: tuple[str, ...]
    references: dict[str, str] = field(default_factory=dict)  # field -> reference kind
    deferred: tuple[str, ...] = ()  # references resolved after every entry of the kind exists
    extra: tuple[str, ...] = ()  # keys handled by code of their own


_BILINGUAL_NAME = ("name", "name_zh")
_BILINGUAL_DESCRIPTION = ("description", "description_zh")
_CURATED = ("status", "seed_claim")

# In load order: a kind only refers to kinds before it (deferred references aside).
KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "organizations",
            plain=(
                "slug",
                *_BILINGUAL_NAME,
                "country",
                "kind",
                "website",
                *_BILINGUAL_DESCRIPTION,
                *_CURATED,
            ),
            required=("slug", "name"),
        ),
        Kind(
            "features",
            plain=(
                "slug",
                *_BILINGUAL_NAME,
                "category",
                "derivable",
                *_BILINGUAL_DESCRIPTION,
                "paper_url",
                *_CURATED,
            ),
            required=("slug", "name", "category"),
            references={"parent": "feature"},
            deferred=("parent",),
        ),
        Kind(
            "licenses",
            plain=(
                "slug",
                "spdx_id",
                *_BILINGUAL_NAME,
                "version",
                "url",
                "kind",
                "summary",
                "summary_zh",
                "commercial_use",
                "mau_threshold",
                "attribution_required",
                "naming_requirement",
                "patent_grant",
                "modification_allowed",
                "redistribution_allowed",
                "share_alike",
                "outputs_train_other_models",
                "acceptable_use_policy_url",
                "registration_required",
                "territory_restricted",
                "excluded_territories",
                *_CURATED,
            ),
            required=("slug", "name", "kind"),
        ),
        Kind(
            "accelerators",
            plain=(
                "slug",
                "vendor",
                "name",
                "form",
                "memory",
                "memory_unit",
                "memory_type",
                "memory_bandwidth_gbps",
                "bf16_dense_tflops",
                "fp8_dense_tflops",
                "int8_dense_tops",
                "supports_fp8",
                "supports_int4",
                "interconnect",
                "interconnect_bandwidth_gbps",
                "tdp_watts",
                "release_year",
                "datasheet_url",
                *_CURATED,
            ),
            required=("slug", "vendor", "name", "form", "memory"),
        ),
        Kind(
            "profiles",
            plain=(
                "slug",
                *_BILINGUAL_NAME,
                "count",
                "host_memory_gib",
                *_BILINGUAL_DESCRIPTION,
                *_CURATED,
            ),
            required=("slug", "name", "accelerator", "count"),
            references={"accelerator": "accelerator"},
        ),
        Kind(
            "size_tiers",
            plain=(
                "slug",
                "label",
                "parameters_billion",
                "training_memory",
                "inference_memory",
                "cpu_memory",
                "compute",
                "training_time",
                "multi_gpu",
                "use_case",
                "use_case_zh",
                *_CURATED,
            ),
            required=("slug", "label", "parameters_billion"),
        ),
        Kind(
            "families",
            plain=(
                "slug",
                *_BILINGUAL_NAME,
                "aliases",
                "website",
                *_BILINGUAL_DESCRIPTION,
                *_CURATED,
            ),
            required=("slug", "name", "organization"),
            references={"organization": "organization"},
        ),
        Kind(
            "versions",
            plain=(
                "slug",
                *_BILINGUAL_NAME,
                "aliases",
                "release_date",
                "release_date_precision",
                "default_context_tokens",
                "max_context_tokens",
                "training_tokens",
                "tokenizer",
                "vocab_size",
                "languages",
                "language_count",
                "modalities",
                "capabilities",
                "paper_url",
                "blog_url",
                "repo_url",
                *_BILINGUAL_DESCRIPTION,
                *_CURATED,
            ),
            required=("slug", "name", "family"),
            references={"family": "family", "license": "license", "predecessor": "version"},
            deferred=("predecessor",),
            extra=("features",),
        ),
        Kind(
            "variants",
            plain=(
                "slug",
                "name",
                "kind",
                *_BILINGUAL_DESCRIPTION,
                "release_date",
                "release_date_precision",
                "hf_repo_id",
                "modelscope_repo_id",
                "total_parameters",
                "active_parameters",
                "config",
                *_CURATED,
            ),
            required=("slug", "name", "version"),
            references={"version": "version", "license": "license"},
            extra=("architecture",),
        ),
        Kind(
            "lineage",
            plain=("kind", "note"),
            required=("child", "parent", "kind"),
            references={"child": "variant", "parent": "variant"},
        ),
    )
}

# A reference names a record of a kind by its slug, or by a key of that many slugs joined
# with "/" ("family/version", "family/version/variant").
REFERENCE_KINDS: dict[str, tuple[str, int]] = {
    "organization": ("organizations", 1),
    "feature": ("features", 1),
    "license": ("licenses", 1),
    "accelerator": ("accelerators", 1),
    "family": ("families", 1),
    "version": ("versions", 2),
    "variant": ("variants", 3),
}

# The repository's catalog files, in load order, each with the sections it may hold.
FILE_ORDER = (
    ("catalog/data/organizations.yaml", ("organizations",)),
    ("catalog/data/features.yaml", ("features",)),
    ("licenses/data/licenses.yaml", ("licenses",)),
    ("hardware/data/accelerators.yaml", ("accelerators",)),
    ("hardware/data/profiles.yaml", ("profiles",)),
    ("hardware/data/size_tiers.yaml", ("size_tiers",)),
)
FAMILY_GLOB = "catalog/data/families/*.yaml"
FAMILY_KINDS = ("families", "versions", "variants", "lineage")
NATURAL_KEYS = {
    "versions": ("family", "slug"),
    "variants": ("version", "slug"),
    "lineage": ("child", "parent", "kind"),
}


def catalog_files(root: Path) -> list[tuple[Path, tuple[str, ...]]]:
    """The catalog files under ``root`` in load order, each with the keys it may hold."""
    files = [(root / name, kinds) for name, kinds in FILE_ORDER]
    files += [(path, FAMILY_KINDS) for path in sorted(root.glob(FAMILY_GLOB))]
    return files
