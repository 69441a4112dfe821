"""The keys and page addresses of catalog records, in one place.

A version's key is ``family/version`` and a variant's ``family/version/variant`` (slugs): the
API, the MCP tools, the catalog file, ingestion and the compare and fit pages all name records
by them. Each function reads only the slugs of the record and of the records above it, so a
caller that selected ``version__family`` with its variants runs no query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse

if TYPE_CHECKING:
    from catalog.models import ModelFamily, ModelVariant, ModelVersion


def version_key(version: ModelVersion) -> str:
    """``family/version``, the slugs of ``version`` and of its family."""
    return f"{version.family.slug}/{version.slug}"


def variant_key(variant: ModelVariant) -> str:
    """``family/version/variant``, the slugs of ``variant`` and of the records above it."""
    return f"{version_key(variant.version)}/{variant.slug}"


def family_url(family: ModelFamily) -> str:
    """The path of the family's page."""
    return reverse("catalog:family_detail", kwargs={"family": family.slug})


def version_url(version: ModelVersion) -> str:
    """The path of the version's page."""
    return reverse(
        "catalog:version_detail", kwargs={"family": version.family.slug, "version": version.slug}
    )


def variant_url(variant: ModelVariant) -> str:
    """The path of the variant's page."""
    version = variant.version
    return reverse(
        "catalog:variant_detail",
        kwargs={"family": version.family.slug, "version": version.slug, "variant": variant.slug},
    )


# A key's parts, by its depth: the slugs they match on the version or the variant.
KEY_FIELDS = {2: ("family__slug", "slug"), 3: ("version__family__slug", "version__slug", "slug")}


def keys_condition(keys, *, prefix: str, depth: int) -> Q | None:
    """The condition matching records by key on ``<prefix>``: versions (``depth`` 2,
    ``family/version``) or variants (``depth`` 3, ``family/version/variant``). ``prefix`` is
    the path to the version or variant ("" for the model itself, "variant__" through a foreign
    key). None when one of ``keys`` is not a key of that depth (the filter matches nothing)."""
    names = (
        ("family__slug", "slug")
        if depth == 2
        else ("version__family__slug", "version__slug", "slug")
    )
    condition = Q()
    for key in keys:
        parts = key.strip("/").split("/")
        if len(parts) != depth:
            return None
        condition |= Q(**{f"{prefix}{name}": part for name, part in zip(names, parts, strict=True)})
    return condition
