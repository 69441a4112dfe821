"""The family pages: every family, and one family's story (the timeline of its versions, its
lineage across families and its licences over time)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog import selectors
from catalog.choices import LineageKind
from catalog.filters import FamilyFilterSet
from catalog.keys import variant_url
from catalog.lineage_graph import Edge, Node, lineage_svg
from catalog.models import ModelVariant
from core.pagination import DeferredJoinPaginator
from core.templatetags.registry import count as format_count

FAMILY_PAGE_SIZE = 100


def family_list(request):
    """Every family with its organisation, how many versions and variants it has, and its
    latest release; ``q`` and ``organization`` filter as in the API."""
    filterset = FamilyFilterSet(
        request.GET, queryset=selectors.family_list_page(user=request.user), request=request
    )
    # Families are few (publishers), but a page stays bounded however many there are.
    page_obj = DeferredJoinPaginator(filterset.qs, FAMILY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "catalog/family_list.html",
        {
            "families": page_obj.object_list,
            "page_obj": page_obj,
            "filterset": filterset,
            "form": filterset.form,
        },
    )


def family_detail(request, family):
    """A family's story, the timeline of its versions, its lineage across families and its
    licences over time (five queries whatever its size)."""
    record = get_object_or_404(selectors.family_detail(user=request.user), slug=family)
    versions = list(selectors.family_versions(record, user=request.user))
    variants = list(selectors.family_variants(record, user=request.user))
    edges = list(selectors.family_lineage(record, user=request.user))

    by_version: dict[int, list[ModelVariant]] = {}
    for variant in variants:
        by_version.setdefault(variant.version_id, []).append(variant)
    timeline = []
    previous_license = None
    for index, version in enumerate(versions):
        members = by_version.get(version.pk, [])
        sizes = sorted({v.total_parameters for v in members if v.total_parameters})
        overrides = {}
        for variant in members:
            if variant.license_id and variant.license_id != version.license_id:
                overrides.setdefault(variant.license_id, (variant.license, []))[1].append(variant)
        timeline.append(
            {
                "version": version,
                "variant_count": len(members),
                "sizes": [format_count(size) for size in sizes],
                "license": version.license,
                "license_overrides": list(overrides.values()),
                "license_changed": index > 0 and version.license_id != previous_license,
            }
        )
        previous_license = version.license_id

    graph_svg, edge_list = _lineage(record, edges)
    return render(
        request,
        "catalog/family_detail.html",
        {
            "family": record,
            "timeline": timeline,
            "variant_total": len(variants),
            "lineage_svg": graph_svg,
            "lineage_edges": edge_list,
        },
    )


def _lineage(family, edges) -> tuple[str, list[dict]]:
    """The lineage graph's SVG (empty without edges) and its edges as text."""
    nodes: dict[int, Node] = {}
    graph_edges = []
    listed = []
    kinds = dict(LineageKind.choices)
    # This family's variants first: they take the first colour and the top of each layer.
    ends = sorted(
        (end for edge in edges for end in (edge.parent, edge.child)),
        key=lambda v: v.version.family_id != family.pk,
    )
    for variant in ends:
        nodes.setdefault(
            variant.pk,
            Node(
                key=str(variant.pk),
                label=variant.name,
                group=variant.version.family.slug,
                group_label=variant.version.family.localized("name"),
                highlight=variant.version.family_id == family.pk,
            ),
        )
    for edge in edges:
        kind = str(kinds.get(edge.kind, edge.kind))
        graph_edges.append(Edge(str(edge.parent_id), str(edge.child_id), kind))
        listed.append(
            {
                "parent": edge.parent,
                "parent_url": variant_url(edge.parent),
                "child": edge.child,
                "child_url": variant_url(edge.child),
                "kind": kind,
                "note": edge.note,
            }
        )
    family_name = family.localized("name")
    svg = lineage_svg(
        list(nodes.values()),
        graph_edges,
        title=_("Lineage of %(family)s") % {"family": family_name},
        description=ngettext(
            "%(edges)d derivation between %(variants)d variants; arrows point from the "
            "original to the derived model. The list below gives them as text.",
            "%(edges)d derivations between %(variants)d variants; arrows point from the "
            "original to the derived model. The list below gives them as text.",
            len(graph_edges),
        )
        % {"edges": len(graph_edges), "variants": len(nodes)},
        id_prefix="lineage-graph",
    )
    return mark_safe(svg), listed  # noqa: S308 (lineage_graph escapes every label)
