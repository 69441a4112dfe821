"""The effective values of a variant: what it inherits from its version when it records none.

The context a variant is listed, filtered, estimated and recommended at is its version's
maximum context, else the variant's own ``max_position_embeddings`` (from its config). The same
rule in Python (for one loaded variant) and in SQL (for a queryset's annotation), so that a
list, a page, the API, MCP and the recommendation grid never disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models.functions import Coalesce

if TYPE_CHECKING:
    from catalog.models import ModelVariant


def effective_context_tokens(variant: ModelVariant) -> int | None:
    """The variant's context in tokens (its version's maximum, else its own), or ``None``.

    Reads ``variant.version``: select it with the variant.
    """
    return variant.version.max_context_tokens or variant.max_position_embeddings


def effective_context_expression() -> Coalesce:
    """:func:`effective_context_tokens` as a SQL expression over variants, to annotate with."""
    return Coalesce("version__max_context_tokens", "max_position_embeddings")
