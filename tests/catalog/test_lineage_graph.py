"""The lineage graph's layout and SVG (pure: no database)."""

import ast
import re
import sys
from pathlib import Path

from catalog import lineage_graph
from catalog.lineage_graph import Edge, Node, assign_layers, layout, lineage_svg, text_width_px


def _nodes(*specs: str) -> list[Node]:
    """``"key:group"`` specs; keys are their own labels."""
    return [
        Node(key, key, group, group.title(), group == "a")
        for key, group in (spec.split(":") for spec in specs)
    ]


def test_imports_only_the_standard_library():
    tree = ast.parse(Path(lineage_graph.__file__).read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules <= {*sys.stdlib_module_names, "__future__"}, modules


def test_parents_are_left_of_their_children():
    edges = [
        Edge("base", "chat", "tune"),
        Edge("chat", "long", "tune"),
        Edge("base", "math", "cpt"),
    ]
    layer = assign_layers(["base", "chat", "long", "math"], edges)
    assert layer["base"] < layer["chat"] < layer["long"]
    assert layer["base"] < layer["math"]


def test_a_source_sits_next_to_its_child_not_in_the_first_column():
    # r1 comes from v3 (two layers deep); the distilled model's other parent is a root.
    edges = [Edge("v3", "r1", "ft"), Edge("r1", "distill", "d"), Edge("qwen", "distill", "d")]
    layer = assign_layers(["v3", "r1", "distill", "qwen"], edges)
    assert layer == {"v3": 0, "r1": 1, "distill": 2, "qwen": 1}


def test_a_cycle_is_broken_instead_of_looping():
    edges = [Edge("a", "b", "x"), Edge("b", "c", "x"), Edge("c", "a", "x")]
    layer = assign_layers(["a", "b", "c"], edges)
    assert layer["a"] < layer["b"] < layer["c"]
    assert "<svg" in lineage_svg(_nodes("a:a", "b:a", "c:a"), edges, title="t", description="d")


def test_families_stay_together_within_a_layer():
    nodes = _nodes("p:a", "x1:b", "y1:c", "x2:b", "y2:c", "a2:a")
    edges = [Edge("p", child, "k") for child in ("x1", "y1", "x2", "y2", "a2")]
    graph = layout(nodes, edges)
    column = sorted((n for n in graph.nodes if n.layer == 1), key=lambda n: n.y_px)
    groups = [n.node.group for n in column]
    assert groups == sorted(groups, key=groups.index)  # each group contiguous
    assert {box.group for box in graph.groups if box.layer == 1} == {"a", "b", "c"}


def test_nodes_do_not_overlap_and_fit_the_drawing():
    nodes = _nodes(*(f"n{i}:{'ab'[i % 2]}" for i in range(12)))
    edges = [Edge("n0", f"n{i}", "finetune") for i in range(1, 12)]
    graph = layout(nodes, edges)
    for node in graph.nodes:
        assert node.x_px >= 0
        assert node.x_px + node.width_px <= graph.width_px
        assert node.y_px + node.height_px <= graph.height_px
        assert node.width_px >= text_width_px(node.node.label)
    boxes = [(n.x_px, n.y_px, n.x_px + n.width_px, n.y_px + n.height_px) for n in graph.nodes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_edges_fanning_out_get_labels_that_do_not_overlap():
    nodes = _nodes("root:a", *(f"c{i}:b" for i in range(6)))
    edges = [Edge("root", f"c{i}", "Instruction tune") for i in range(6)]
    graph = layout(nodes, edges)
    boxes = [
        (
            e.label_x_px - e.label_width_px / 2,
            e.label_y_px - 8,
            e.label_x_px + e.label_width_px / 2,
            e.label_y_px + 8,
        )
        for e in graph.edges
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_converging_edges_of_one_kind_share_a_label():
    nodes = _nodes("r1:a", "qwen:b", "distill:a")
    edges = [Edge("r1", "distill", "Distillation"), Edge("qwen", "distill", "Distillation")]
    svg = lineage_svg(nodes, edges, title="t", description="d")
    assert svg.count(">Distillation</text>") == 1
    assert svg.count('class="lg-edge"') == 2


def test_svg_is_accessible_and_escapes_every_label():
    nodes = [
        Node("1", "<script>alert(1)</script>", "g&co", "Family <b>", highlight=True),
        Node("2", 'Child "quoted"', "other", "通义千问"),
    ]
    svg = lineage_svg(
        nodes, [Edge("1", "2", "fine-tune <x>")], title="Lineage <of>", description="A & B"
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert 'aria-labelledby="lineage-title lineage-desc"' in svg
    assert '<title id="lineage-title">Lineage &lt;of&gt;</title>' in svg
    assert '<desc id="lineage-desc">A &amp; B</desc>' in svg
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "Family &lt;b&gt;" in svg
    assert "fine-tune &lt;x&gt;" in svg
    assert "通义千问" in svg
    assert "style=" not in svg  # the Content Security Policy forbids inline styles
    assert 'class="lg-node lg-c0 is-highlight"' in svg


def test_no_edges_draw_nothing_and_output_is_deterministic():
    assert lineage_svg(_nodes("a:a"), [], title="t", description="d") == ""
    nodes = _nodes("a:a", "b:b", "c:c", "d:a")
    edges = [Edge("a", "b", "x"), Edge("a", "c", "y"), Edge("d", "c", "x")]
    first = lineage_svg(nodes, edges, title="t", description="d")
    assert first == lineage_svg(nodes, edges, title="t", description="d")
    width, height = (
        float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', first).groups()
    )
    assert width > 0
    assert height > 0


def test_edges_to_unknown_nodes_are_ignored():
    svg = lineage_svg(
        _nodes("a:a", "b:a"),
        [Edge("a", "b", "x"), Edge("a", "zz", "y")],
        title="t",
        description="d",
    )
    assert svg.count('class="lg-edge"') == 1


def test_wide_characters_are_measured_wider():
    assert text_width_px("通义千问") > text_width_px("abcd")
