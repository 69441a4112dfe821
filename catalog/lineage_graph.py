"""The lineage graph as SVG: a layered drawing, left to right, of what was derived from what.

Pure (standard library only, no Django): the family page passes plain nodes and edges and
gets SVG markup back. Nodes are variants, grouped by family (one box per family within a
layer); edges go from a parent to its child and carry a label (the lineage kind).

Layout, after Sugiyama et al., "Methods for visual understanding of hierarchical system
structures" (IEEE SMC, 1981), simplified for the shallow graphs lineage gives:

1. layers: longest path from the roots (cycles, which curated data should not have, are
   broken by ignoring back edges), then sources pulled right next to their first child;
2. order within a layer: families stay contiguous; a few barycentre sweeps reduce crossings;
3. coordinates: columns as wide as their widest node, edge labels placed where they do not
   overlap an earlier label.

Every label is escaped here, so callers may mark the result safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from unicodedata import east_asian_width

# Sizes in SVG user units (CSS pixels at scale 1).
FONT_PX = 12  # node labels
SMALL_FONT_PX = 10.5  # family names and edge labels
NODE_HEIGHT_PX = 26
NODE_GAP_PX = 8  # between nodes of one family box
NODE_PADDING_PX = 10  # text inset inside a node
GROUP_HEADER_PX = 16  # family name above its box
GROUP_PADDING_PX = 6
GROUP_GAP_PX = 14  # between family boxes of one layer
MIN_COLUMN_GAP_PX = 90  # room for edge labels between layers
MARGIN_PX = 12
SWEEPS = 4  # barycentre passes (down and up); more rarely changes a lineage graph
# Average advance of a Latin glyph in a sans-serif face, as a share of the font size
# (Helvetica/Arial digits and lower case average about 0.55); wide (CJK) glyphs take 1.
LATIN_ADVANCE = 0.6
WIDE_ADVANCE = 1.0
# Where an edge label goes: first just before the child's arrowhead (edges fan out from a
# common parent but rarely converge on a child), else the first free spot along the curve.
LABEL_GAP_PX = 12
LABEL_POSITIONS = (0.5, 0.35, 0.65, 0.25)

# Fill and stroke per family, in order of appearance; CSS may restyle them by class.
PALETTE = (
    ("#dbeafe", "#1d4ed8"),
    ("#fde68a", "#a16207"),
    ("#dcfce7", "#15803d"),
    ("#fce7f3", "#be185d"),
    ("#ede9fe", "#6d28d9"),
    ("#ffedd5", "#c2410c"),
    ("#cffafe", "#0e7490"),
    ("#e5e7eb", "#374151"),
)
TEXT_COLOUR = "#111827"
EDGE_COLOUR = "#6b7280"


@dataclass(frozen=True)
class Node:
    """A variant: ``key`` identifies it in edges, ``group`` is its family."""

    key: str
    label: str
    group: str
    group_label: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class Edge:
    """``child`` was derived from ``parent``; ``label`` says how."""

    parent: str
    child: str
    label: str


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    layer: int
    x_px: float
    y_px: float
    width_px: float
    height_px: float
    colour: int  # index into PALETTE

    @property
    def centre_y_px(self) -> float:
        return self.y_px + self.height_px / 2


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    path: str  # SVG path data
    label_x_px: float
    label_y_px: float
    label_width_px: float
    show_label: bool = True  # False where another edge into the same child says the same


@dataclass(frozen=True)
class GroupBox:
    group: str
    label: str
    layer: int
    x_px: float
    y_px: float
    width_px: float
    height_px: float
    colour: int


@dataclass(frozen=True)
class Layout:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    groups: tuple[GroupBox, ...]
    width_px: float
    height_px: float


def text_width_px(text: str, font_px: float = FONT_PX) -> float:
    """An estimate of the rendered width of ``text`` (no font metrics without a renderer)."""
    return sum(
        font_px * (WIDE_ADVANCE if east_asian_width(ch) in ("W", "F") else LATIN_ADVANCE)
        for ch in text
    )


def assign_layers(keys: list[str], edges: list[Edge]) -> dict[str, int]:
    """Layer of each node: parents strictly left of their children.

    Longest path from the roots over the graph without its back edges (a depth-first search
    in input order finds them), then every source moves right next to its nearest child.
    """
    children: dict[str, list[str]] = {key: [] for key in keys}
    for edge in edges:
        if edge.parent in children and edge.child in children and edge.parent != edge.child:
            children[edge.parent].append(edge.child)
    # Depth-first search without recursion (long chains must not hit the recursion limit).
    state: dict[str, int] = {}  # 1 visiting, 2 done
    forward: dict[str, list[str]] = {key: [] for key in keys}
    for root in keys:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(children[root]))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if state.get(child) == 1:
                    continue  # back edge: would close a cycle
                forward[node].append(child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(children[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    parents: dict[str, list[str]] = {key: [] for key in keys}
    for parent, kids in forward.items():
        for child in kids:
            parents[child].append(parent)
    layer: dict[str, int] = {}
    for key in _topological(keys, forward, parents):
        layer[key] = max((layer[p] + 1 for p in parents[key]), default=0)
    for key in keys:
        if not parents[key] and forward[key]:
            layer[key] = min(layer[c] for c in forward[key]) - 1
    return layer


def _topological(
    keys: list[str], forward: dict[str, list[str]], parents: dict[str, list[str]]
) -> list[str]:
    remaining = {key: len(set(parents[key])) for key in keys}
    ready = [key for key in keys if remaining[key] == 0]
    order: list[str] = []
    while ready:
        key = ready.pop(0)
        order.append(key)
        for child in dict.fromkeys(forward[key]):
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    return order


def order_layers(nodes: list[Node], edges: list[Edge], layer: dict[str, int]) -> list[list[Node]]:
    """Nodes of each layer, top to bottom: families contiguous, crossings reduced by
    barycentre sweeps (families move as blocks, nodes move inside their family)."""
    group_rank = {}
    for node in nodes:
        group_rank.setdefault(node.group, len(group_rank))
    depth = max(layer.values(), default=-1) + 1
    layers: list[list[Node]] = [[] for _ in range(depth)]
    for node in sorted(nodes, key=lambda n: (group_rank[n.group], n.label, n.key)):
        layers[layer[node.key]].append(node)
    neighbours_up: dict[str, list[str]] = {node.key: [] for node in nodes}
    neighbours_down: dict[str, list[str]] = {node.key: [] for node in nodes}
    for edge in edges:
        if edge.parent in neighbours_up and edge.child in neighbours_up:
            neighbours_up[edge.child].append(edge.parent)
            neighbours_down[edge.parent].append(edge.child)

    def position() -> dict[str, float]:
        return {node.key: index for row in layers for index, node in enumerate(row)}

    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, depth) if downward else range(depth - 2, -1, -1)
        neighbours = neighbours_up if downward else neighbours_down
        for index in indices:
            where = position()
            row = layers[index]
            current = {node.key: i for i, node in enumerate(row)}

            def barycentre(
                node: Node, where=where, current=current, neighbours=neighbours
            ) -> float:
                linked = [where[k] for k in neighbours[node.key] if k in where]
                return sum(linked) / len(linked) if linked else current[node.key]

            by_group: dict[str, list[Node]] = {}
            for node in row:
                by_group.setdefault(node.group, []).append(node)
            blocks = []
            for group, members in by_group.items():
                members.sort(key=lambda n: (barycentre(n), current[n.key]))
                centre = sum(barycentre(n) for n in members) / len(members)
                blocks.append((centre, group_rank[group], members))
            blocks.sort(key=lambda block: (block[0], block[1]))
            layers[index] = [node for _, _, members in blocks for node in members]
    return layers


def layout(nodes: list[Node], edges: list[Edge]) -> Layout:
    """Coordinates of every node, family box and edge."""
    unique = list({node.key: node for node in nodes}.values())
    keys = [node.key for node in unique]
    known = set(keys)
    edges = [e for e in edges if e.parent in known and e.child in known and e.parent != e.child]
    layer = assign_layers(keys, edges)
    rows = order_layers(unique, edges, layer)
    colour = {}
    for node in unique:
        colour.setdefault(node.group, len(colour) % len(PALETTE))

    widths = [
        max((text_width_px(n.label) + 2 * NODE_PADDING_PX for n in row), default=0) for row in rows
    ]
    widths = [
        max(
            width,
            max(
                (text_width_px(n.group_label, SMALL_FONT_PX) - 2 * GROUP_PADDING_PX for n in row),
                default=0,
            ),
        )
        for width, row in zip(widths, rows, strict=True)
    ]
    label_width = max((text_width_px(e.label, SMALL_FONT_PX) for e in edges), default=0)
    column_gap = max(MIN_COLUMN_GAP_PX, label_width + LABEL_GAP_PX + 60)

    placed: dict[str, PlacedNode] = {}
    groups: list[GroupBox] = []
    x = MARGIN_PX + GROUP_PADDING_PX
    height = 0.0
    for index, row in enumerate(rows):
        y = MARGIN_PX
        start = 0
        while start < len(row):
            group = row[start].group
            end = start
            while end < len(row) and row[end].group == group:
                end += 1
            members = row[start:end]
            box_y = y
            y += GROUP_HEADER_PX + GROUP_PADDING_PX
            for node in members:
                placed[node.key] = PlacedNode(
                    node, index, x, y, widths[index], NODE_HEIGHT_PX, colour[group]
                )
                y += NODE_HEIGHT_PX + NODE_GAP_PX
            y += GROUP_PADDING_PX - NODE_GAP_PX
            groups.append(
                GroupBox(
                    group,
                    members[0].group_label or group,
                    index,
                    x - GROUP_PADDING_PX,
                    box_y,
                    widths[index] + 2 * GROUP_PADDING_PX,
                    y - box_y,
                    colour[group],
                )
            )
            y += GROUP_GAP_PX
            start = end
        height = max(height, y - GROUP_GAP_PX)
        x += widths[index] + column_gap
    width = x - column_gap + GROUP_PADDING_PX + MARGIN_PX if rows else 2 * MARGIN_PX

    placed_edges: list[PlacedEdge] = []
    taken: list[tuple[float, float, float, float]] = []
    ordered_edges = sorted(
        edges,
        key=lambda e: (placed[e.parent].layer, placed[e.parent].y_px, placed[e.child].y_px),
    )
    labelled: set[tuple[str, str]] = set()
    for edge in ordered_edges:
        parent, child = placed[edge.parent], placed[edge.child]
        start_point, end_point, c1, c2 = _curve(parent, child)
        path = (
            f"M{_n(start_point[0])},{_n(start_point[1])} "
            f"C{_n(c1[0])},{_n(c1[1])} {_n(c2[0])},{_n(c2[1])} "
            f"{_n(end_point[0])},{_n(end_point[1])}"
        )
        label_w = text_width_px(edge.label, SMALL_FONT_PX) + 8
        if (edge.child, edge.label) in labelled:
            # Edges converging on a child with the same kind share one label.
            px, py = _bezier(start_point, c1, c2, end_point, 0.5)
            placed_edges.append(PlacedEdge(edge, path, px, py, label_w, show_label=False))
            continue
        labelled.add((edge.child, edge.label))
        label_h = SMALL_FONT_PX + 6
        choice = None
        for px, py in _label_candidates(start_point, c1, c2, end_point, label_w):
            box = (px - label_w / 2, py - label_h / 2, px + label_w / 2, py + label_h / 2)
            if not any(_overlaps(box, other) for other in taken):
                choice = (px, py, box)
                break
        if choice is None:
            px, py = _bezier(start_point, c1, c2, end_point, 0.5)
            choice = (px, py, (px - label_w / 2, py - label_h / 2, px + label_w / 2, py))
        taken.append(choice[2])
        placed_edges.append(PlacedEdge(edge, path, choice[0], choice[1], label_w))

    ordered_nodes = tuple(placed[node.key] for row in rows for node in row)
    return Layout(ordered_nodes, tuple(placed_edges), tuple(groups), width, height + MARGIN_PX)


def _curve(parent: PlacedNode, child: PlacedNode):
    if child.layer > parent.layer:
        start = (parent.x_px + parent.width_px, parent.centre_y_px)
        end = (child.x_px - 2, child.centre_y_px)  # the arrowhead ends at the border
    else:  # a back edge of a broken cycle: from the parent's left to the child's right
        start = (parent.x_px, parent.centre_y_px)
        end = (child.x_px + child.width_px + 2, child.centre_y_px)
    bend = (end[0] - start[0]) / 2
    return start, end, (start[0] + bend, start[1]), (end[0] - bend, end[1])


def _label_candidates(p0, p1, p2, p3, label_w: float) -> list[tuple[float, float]]:
    """Centres to try for an edge label: on the child's lane just before its arrowhead
    (curves arrive there horizontally), then along the curve."""
    direction = 1 if p3[0] >= p0[0] else -1
    near_child = (p3[0] - direction * (LABEL_GAP_PX + label_w / 2), p3[1])
    return [near_child, *(_bezier(p0, p1, p2, p3, t) for t in LABEL_POSITIONS)]


def _bezier(p0, p1, p2, p3, t: float) -> tuple[float, float]:
    u = 1 - t
    return (
        u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
        u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
    )


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _n(value: float) -> str:
    """A coordinate with at most one decimal (small, stable markup)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def render_svg(graph: Layout, *, title: str, description: str, id_prefix: str = "lineage") -> str:
    """SVG markup of ``graph``: ``role="img"`` with a title and description (the page gives
    the edges as text beside it)."""
    prefix = escape(id_prefix)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage-graph" role="img" '
        f'width="{_n(graph.width_px)}" height="{_n(graph.height_px)}" '
        f'viewBox="0 0 {_n(graph.width_px)} {_n(graph.height_px)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<marker id="{prefix}-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L8,4 L0,8 z" class="lg-arrow" fill="{EDGE_COLOUR}"/></marker>'
        "</defs>",
        '<g class="lg-groups">',
    ]
    for box in graph.groups:
        fill, stroke = PALETTE[box.colour]
        parts.append(
            f'<g class="lg-group lg-c{box.colour}">'
            f'<rect x="{_n(box.x_px)}" y="{_n(box.y_px)}" width="{_n(box.width_px)}" '
            f'height="{_n(box.height_px)}" rx="6" fill="none" stroke="{stroke}" '
            f'stroke-dasharray="3 3"/>'
            f'<text x="{_n(box.x_px + GROUP_PADDING_PX)}" y="{_n(box.y_px + GROUP_HEADER_PX - 4)}" '
            f'font-size="{SMALL_FONT_PX}" fill="currentColor" class="lg-group-label">'
            f"{escape(box.label)}</text></g>"
        )
    parts.append('</g><g class="lg-edges">')
    for edge in graph.edges:
        parts.append(
            f'<path d="{edge.path}" fill="none" stroke="{EDGE_COLOUR}" stroke-width="1.3" '
            f'marker-end="url(#{prefix}-arrow)" class="lg-edge"/>'
        )
    parts.append('</g><g class="lg-nodes">')
    for node in graph.nodes:
        fill, stroke = PALETTE[node.colour]
        classes = f"lg-node lg-c{node.colour}" + (" is-highlight" if node.node.highlight else "")
        weight = ' font-weight="600"' if node.node.highlight else ""
        parts.append(
            f'<g class="{classes}">'
            f'<rect x="{_n(node.x_px)}" y="{_n(node.y_px)}" width="{_n(node.width_px)}" '
            f'height="{_n(node.height_px)}" rx="4" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{2 if node.node.highlight else 1}"/>'
            f'<text x="{_n(node.x_px + NODE_PADDING_PX)}" y="{_n(node.centre_y_px + FONT_PX / 3)}" '
            f'font-size="{FONT_PX}" fill="{TEXT_COLOUR}"{weight}>'
            f"{escape(node.node.label)}</text></g>"
        )
    parts.append('</g><g class="lg-edge-labels">')
    for edge in graph.edges:
        if not edge.show_label:
            continue
        height = SMALL_FONT_PX + 4
        parts.append(
            f'<rect x="{_n(edge.label_x_px - edge.label_width_px / 2)}" '
            f'y="{_n(edge.label_y_px - height / 2)}" width="{_n(edge.label_width_px)}" '
            f'height="{_n(height)}" rx="3" fill="#ffffff" fill-opacity="0.9" class="lg-label-bg"/>'
            f'<text x="{_n(edge.label_x_px)}" y="{_n(edge.label_y_px + SMALL_FONT_PX / 3)}" '
            f'font-size="{SMALL_FONT_PX}" text-anchor="middle" fill="{TEXT_COLOUR}" '
            f'class="lg-label">{escape(edge.edge.label)}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def lineage_svg(
    nodes: list[Node],
    edges: list[Edge],
    *,
    title: str,
    description: str,
    id_prefix: str = "lineage",
) -> str:
    """Lay out and draw a lineage graph; an empty string when there are no edges."""
    if not edges:
        return ""
    return render_svg(
        layout(nodes, edges), title=title, description=description, id_prefix=id_prefix
    )
