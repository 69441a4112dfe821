"""The draft rules of the catalog's reads: which records a user sees (``core.visibility``, the
rule every curated record follows) and which parents a variant needs published with it."""

from django.db.models import Q

from core.visibility import PUBLISHED, shows_drafts, visible

__all__ = ["PUBLISHED", "VARIANT_PARENTS", "published_condition", "shows_drafts", "visible"]

# The parents a variant needs published, as well as itself, before everyone may see it: a
# published variant of a draft version or of a draft family stays hidden with them.
VARIANT_PARENTS = ("version__", "version__family__")


def published_condition(model, user, path: str) -> Q:
    """A condition keeping rows whose related ``path`` records are visible to ``user`` (for
    filtered aggregates, where :func:`visible` cannot be applied to a queryset)."""
    if shows_drafts(model, user):
        return Q()
    return Q(**{f"{path}status": PUBLISHED})
