"""What an upstream release would change in the catalog: matching it to a variant and a
version, mapping its licence, and the field-by-field diff an editor reviews.

The catalog is read once per run (:meth:`CatalogIndex.load`, a fixed number of queries) and
every entry is matched and compared in memory.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from catalog.fileformat import KINDS
from catalog.ingest.parse.common import ARCHITECTURE_FIELDS
from catalog.keys import variant_key
from catalog.models import Lineage, ModelFamily, ModelVariant, ModelVersion
from licenses.models import License

# Variant fields an upstream release may propose, in the order editors see them: the catalog
# file format's variant fields (but its identity and curation status) and the architecture.
PROPOSABLE_FIELDS = (
    *(name for name in KINDS["variants"].plain if name not in ("slug", "status")),
    *ARCHITECTURE_FIELDS,
)
# Not model fields: resolved into a licence and lineage edges on approval.
LICENSE_FIELD = "license"
LINEAGE_FIELD = "lineage"
REVIEW_FIELDS = (*PROPOSABLE_FIELDS, LICENSE_FIELD, LINEAGE_FIELD)

# Licence identifiers the hubs use (the `license:` tag, or `license_name` when the tag is
# "other"), mapped to the catalog's licence slugs. Identifiers not listed here are matched
# against the licences' slugs and SPDX identifiers. Source: the Hub's licence list,
# https://huggingface.co/docs/hub/repositories-licenses, and the model cards of each family.
LICENSE_TAG_ALIASES = {
    "llama2": "llama-2-community",
    "llama3": "llama-3-community",
    "llama3.1": "llama-3-1-community",
    "llama3.3": "llama-3-3-community",
    "qwen": "qwen-license",
    "tongyi-qianwen": "qwen-license",
    "tongyi-qianwen-license-agreement": "qwen-license",
    "qwen-research": "qwen-research",
    "tongyi-qianwen-research": "qwen-research",
    "deepseek": "deepseek-model",
    "deepseek-license": "deepseek-model",
    "yi-license": "yi-community",
    "glm-4": "glm-4-license",
    "chatglm2-6b": "chatglm2-6b-license",
    "chatglm-6b": "chatglm-6b-license",
    "baichuan2-community": "baichuan-community",
}


def field_label(name: str) -> str:
    """What editors call a reviewed field: the variant field's verbose name, or the licence or
    lineage."""
    if name == LICENSE_FIELD:
        return _("licence")
    if name == LINEAGE_FIELD:
        return _("lineage")
    try:
        return ModelVariant._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


def _normal(value: Any) -> Any:
    """A value in comparable JSON terms (dates as ISO strings, numbers as numbers)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, tuple):
        return [_normal(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    a, b = _normal(a), _normal(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return json.dumps(a, sort_keys=True, default=str) == json.dumps(
            b, sort_keys=True, default=str
        )
    return a == b


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class CatalogIndex:
    """The parts of the catalog that matching and diffing read, held in memory for a run."""

    variants_by_key: dict[str, ModelVariant] = field(default_factory=dict)
    variants_by_hf: dict[str, ModelVariant] = field(default_factory=dict)
    variants_by_modelscope: dict[str, ModelVariant] = field(default_factory=dict)
    versions_by_key: dict[tuple[str, str], ModelVersion] = field(default_factory=dict)
    versions_by_family: dict[str, list[ModelVersion]] = field(default_factory=dict)
    families: dict[str, ModelFamily] = field(default_factory=dict)
    licenses: dict[str, License] = field(default_factory=dict)
    license_ids: dict[str, str] = field(default_factory=dict)  # lower slug/SPDX -> slug
    parents: dict[int, set[tuple[int, str]]] = field(default_factory=dict)
    key_by_pk: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CatalogIndex:
        """Read the catalog (five queries, whatever its size)."""
        index = cls()
        for family in ModelFamily.objects.select_related("organization"):
            index.families[family.slug] = family
        for version in ModelVersion.objects.select_related("family", "license").order_by(
            "family_id", F("release_date").desc(nulls_last=True), "pk"
        ):
            index.versions_by_key[(version.family.slug, version.slug)] = version
            index.versions_by_family.setdefault(version.family.slug, []).append(version)
        for variant in ModelVariant.objects.select_related(
            "version__family", "version__license", "license"
        ):
            index.variants_by_key[variant_key(variant)] = variant
            index.key_by_pk[variant.pk] = variant_key(variant)
            if variant.hf_repo_id:
                index.variants_by_hf.setdefault(variant.hf_repo_id.lower(), variant)
            if variant.modelscope_repo_id:
                index.variants_by_modelscope.setdefault(variant.modelscope_repo_id.lower(), variant)
        for lic in License.objects.all():
            index.licenses[lic.slug] = lic
            index.license_ids[lic.slug.lower()] = lic.slug
            if lic.spdx_id:
                index.license_ids[lic.spdx_id.lower()] = lic.slug
        for child_id, parent_id, kind in Lineage.objects.values_list(
            "child_id", "parent_id", "kind"
        ):
            index.parents.setdefault(child_id, set()).add((parent_id, kind))
        return index

    # -- matching --------------------------------------------------------------------------
    def match_variant(self, facts) -> ModelVariant | None:
        """The catalog variant an upstream entry describes, if any."""
        if facts.source == "feed":
            found = self.variants_by_key.get(facts.upstream_id)
            if found is not None:
                return found
        repo = (facts.variant.get("hf_repo_id") or "").lower()
        if facts.source == "hf":
            repo = facts.upstream_id.lower()
        if facts.source == "modelscope":
            found = self.variants_by_modelscope.get(facts.upstream_id.lower())
            if found is not None:
                return found
            repo = facts.upstream_id.lower()
        return self.variants_by_hf.get(repo) if repo else None

    def match_version(self, facts, publisher=None) -> ModelVersion | None:
        """The version a new release most likely belongs to (editors can change it)."""
        guess = facts.version_guess or {}
        if facts.source == "feed":
            return self.versions_by_key.get((guess.get("family") or "", guess.get("slug") or ""))
        families = []
        if publisher is not None and publisher.default_family_id:
            families.append(publisher.default_family.slug)
        if facts.family_guess and facts.family_guess not in families:
            families.append(facts.family_guess)
        slug = (guess.get("slug") or "").lower()
        name = (guess.get("name") or "").lower()
        for family in families:
            for version in self.versions_by_family.get(family, []):
                names = {version.name.lower(), *(a.lower() for a in version.aliases)}
                if (slug and version.slug == slug) or (name and name in names):
                    return version
        return None

    def license_slug(self, tag: str) -> str | None:
        tag = (tag or "").strip().lower()
        if not tag:
            return None
        slug = LICENSE_TAG_ALIASES.get(tag) or self.license_ids.get(tag)
        return slug if slug in self.licenses else None

    def resolve_parent(self, source: str, parent: str) -> ModelVariant | None:
        if source == "feed":
            return self.variants_by_key.get(parent)
        return self.variants_by_hf.get(parent.lower()) or self.variants_by_modelscope.get(
            parent.lower()
        )


def candidate_proposal(facts, index: CatalogIndex) -> dict[str, Any]:
    """The values an upstream entry proposes, in catalog terms: variant fields, the licence
    slug (when the upstream licence maps onto a catalog licence) and lineage edges (with
    their parent variant's key when the parent is in the catalog)."""
    proposed = {
        name: _normal(facts.variant[name])
        for name in (*PROPOSABLE_FIELDS, "slug")
        if name in facts.variant and not _empty(facts.variant[name])
    }
    license_slug = index.license_slug(facts.license_tag)
    if license_slug:
        proposed[LICENSE_FIELD] = license_slug
    edges = []
    for edge in facts.lineage:
        parent = index.resolve_parent(facts.source, edge.get("parent", ""))
        edges.append(
            {
                "upstream": edge.get("parent", ""),
                "parent": variant_key(parent) if parent else None,
                "kind": edge.get("kind", "finetune"),
                "note": edge.get("note", ""),
            }
        )
    if edges:
        proposed[LINEAGE_FIELD] = edges
    return proposed


def _current(variant: ModelVariant, name: str, index: CatalogIndex) -> Any:
    if name == LICENSE_FIELD:
        lic = variant.license or variant.version.license
        return lic.slug if lic else None
    if name == LINEAGE_FIELD:
        return [
            {"parent": index.key_by_pk.get(parent_id), "kind": kind}
            for parent_id, kind in sorted(index.parents.get(variant.pk, set()))
        ]
    return _normal(getattr(variant, name))


def _new_edges(proposed: list[dict], variant: ModelVariant | None, index: CatalogIndex) -> list:
    existing = set()
    if variant is not None:
        existing = {(index.key_by_pk.get(p), k) for p, k in index.parents.get(variant.pk, set())}
    return [e for e in proposed if e["parent"] and (e["parent"], e["kind"]) not in existing]


def proposal_diff(
    proposed: dict[str, Any],
    variant: ModelVariant | None,
    index: CatalogIndex,
    *,
    rejected: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Field name to ``{"current": …, "upstream": …}`` for every proposed value that differs
    from the variant (every proposed value for a new variant). A value an editor rejected is
    left out while upstream still proposes the same value. Upstream never clears a value."""
    rejected = rejected or {}
    diff: dict[str, dict[str, Any]] = {}
    for name, upstream in proposed.items():
        if name == "slug":  # a new variant's identity (shown in its upstream id), not a choice
            continue
        if name == LINEAGE_FIELD:
            upstream = _new_edges(upstream, variant, index)
            if not upstream:
                continue
        current = _current(variant, name, index) if variant is not None else None
        if variant is not None and name != LINEAGE_FIELD and _same(current, upstream):
            continue
        if name in rejected and _same(rejected[name], upstream):
            continue
        diff[name] = {"current": current, "upstream": upstream}
    return diff
