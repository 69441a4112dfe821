"""Reads of the lineage between variants: a variant's ancestors and descendants (the API and
the variant page) and the edges that touch a family (the family page)."""

import datetime

from django.db.models import Q, QuerySet

from catalog.models import Lineage, ModelFamily, ModelVariant
from catalog.selectors.visibility import PUBLISHED, VARIANT_PARENTS, shows_drafts, visible


def lineage_of(variant: ModelVariant, *, user=None) -> dict[str, list[Lineage]]:
    """Ancestors and descendants of ``variant`` (all generations; lineage graphs are shallow).

    The walk reads narrow rows (edge id, far end), one query per generation and direction
    plus one to end each walk; the edges found are then fetched whole, with both ends, in one
    query. An end the user may not see is not shown and not walked past.
    """
    see_all = shows_drafts(ModelVariant, user)

    def steps(end: str) -> QuerySet[Lineage]:
        edges = Lineage.objects.order_by()
        if see_all:
            return edges
        prefixes = ("", *VARIANT_PARENTS)
        return edges.filter(**{f"{end}__{prefix}status": PUBLISHED for prefix in prefixes})

    def walk(near: str, far: str) -> list[list[int]]:
        generations, frontier, seen = [], {variant.pk}, {variant.pk}
        while frontier:
            rows = list(
                steps(far).filter(**{f"{near}_id__in": frontier}).values_list("pk", f"{far}_id")
            )
            if rows:
                generations.append([pk for pk, _ in rows])
            reached = {far_id for _, far_id in rows}
            frontier = reached - seen
            seen |= reached
        return generations

    up, down = walk("child", "parent"), walk("parent", "child")
    if not up and not down:
        return {"ancestors": [], "descendants": []}
    edges = {
        edge.pk: edge
        for edge in Lineage.objects.select_related(
            "parent__version__family", "child__version__family"
        ).filter(pk__in=[pk for generation in (*up, *down) for pk in generation])
    }

    def in_order(generations: list[list[int]]) -> list[Lineage]:
        # Generation by generation, as walked; within one, the edges' own ordering.
        return [
            edge
            for generation in generations
            for edge in sorted((edges[pk] for pk in generation), key=_lineage_order)
        ]

    return {"ancestors": in_order(up), "descendants": in_order(down)}


def _variant_order(variant: ModelVariant) -> tuple:
    """``ModelVariant.Meta.ordering`` in Python (version: family name, release date, slug;
    then size, slug, pk), for rows already in memory."""
    version = variant.version
    released = version.release_date
    return (
        version.family.name,
        version.family_id,
        released is None,
        released or datetime.date.min,
        version.slug,
        version.pk,
        variant.total_parameters is None,
        variant.total_parameters or 0,
        variant.slug,
        variant.pk,
    )


def _lineage_order(edge: Lineage) -> tuple:
    """``Lineage.Meta.ordering`` (child, parent, pk) in Python."""
    return (_variant_order(edge.child), _variant_order(edge.parent), edge.pk)


def family_lineage(family: ModelFamily, *, user=None) -> QuerySet[Lineage]:
    """Lineage edges with a parent or a child in ``family`` (both directions, across
    families) whose two ends are visible, each end's version and family joined: one query."""
    shown = visible(ModelVariant.objects.all(), user, path=VARIANT_PARENTS)
    return (
        Lineage.objects.filter(Q(parent__version__family=family) | Q(child__version__family=family))
        .filter(parent__in=shown, child__in=shown)
        .select_related("parent__version__family", "child__version__family")
        .only(
            "kind",
            "note",
            "parent_id",
            "child_id",
            *(
                f"{end}__{field}"
                for end in ("parent", "child")
                for field in (
                    "slug",
                    "name",
                    "version__slug",
                    "version__name",
                    "version__name_zh",
                    "version__family__slug",
                    "version__family__name",
                    "version__family__name_zh",
                )
            ),
        )
        .order_by("parent__version__family__name", "parent__name", "child__name", "pk")
    )
