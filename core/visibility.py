"""Who sees which curated records: editors every one, everyone else the published ones whose
parents are published too.

The rule is the same for every app's curated records (``core.models.CuratedRecord``), a
licence as much as a variant, so it lives here, below the apps: the licences app applies it
without importing the catalog above it.
"""

from django.db.models import QuerySet

from core.choices import PublicationStatus

PUBLISHED = PublicationStatus.PUBLISHED


def shows_drafts(model, user) -> bool:
    """Whether ``user`` sees every ``model`` record, drafts included: a signed-in user with the
    model's view permission (editors and admins)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
    )


def visible(queryset: QuerySet, user, *, path: str | tuple[str, ...] = "") -> QuerySet:
    """Editors see every record; everyone else only published ones whose parents are published.

    ``path``: the lookup prefix of each parent that must be published too (``"family__"``
    for a version, ``catalog.selectors.VARIANT_PARENTS`` for a variant).
    """
    if shows_drafts(queryset.model, user):
        return queryset
    condition = {"status": PUBLISHED}
    for parent in (path,) if isinstance(path, str) else path:
        if parent:
            condition[f"{parent}status"] = PUBLISHED
    return queryset.filter(**condition)
