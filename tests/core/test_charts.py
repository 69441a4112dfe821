"""The SVG chart module: valid, accessible, escaped, CSP-safe markup at the right places."""

import ast
import datetime as dt
import itertools
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from core.lib.charts import (
    BarRow,
    Point,
    Segment,
    bar_chart,
    line_chart,
    scatter_chart,
    short_number,
    stacked_bar_chart,
)
from core.lib.charts._svg import FONT_SIZE, text_width
from core.lib.charts.scales import date_axis, linear_axis, log_axis

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>&\"'"

TEXT = {"title": "Parameters over time", "description": "Each point is one model."}
# A chart's column on a 390 px phone: the page keeps 16 px on either side.
PHONE_COLUMN_PX = 358
# The smallest text a phone may render, in CSS pixels.
PHONE_MIN_TEXT_PX = 10


def _parse(markup: str) -> ET.Element:
    # The markup is our own output, not untrusted input.
    return ET.fromstring(markup)  # noqa: S314


def _scatter(**kwargs) -> str:
    points = kwargs.pop(
        "points",
        [
            Point(dt.date(2023, 7, 18), 7e9, "Llama 2 7B", "Llama", "/families/llama/llama-2/"),
            Point(dt.date(2024, 4, 18), 70e9, "Llama 3 70B", "Llama", "/families/llama/llama-3/"),
            Point(dt.date(2024, 12, 26), 671e9, "DeepSeek V3", "DeepSeek"),
        ],
    )
    options = {"x_label": "Release date", "y_label": "Parameters", **TEXT, **kwargs}
    return scatter_chart(points, **options)


def _all_charts() -> list[str]:
    return [
        _scatter(y_scale="log"),
        line_chart(
            {"GQA": [Point(2022, 1, "a"), Point(2023, 4, "b")], "MoE": [Point(2023, 2, "c")]},
            x_label="Year",
            y_label="Versions",
            x_kind="number",
            **TEXT,
        ),
        stacked_bar_chart(
            [BarRow("Llama 3 8B", (Segment("weights", 16e9), Segment("KV cache", 4e9)), "/x/")],
            value_label="Memory",
            markers=(("H100", 80e9),),
            **TEXT,
        ),
        bar_chart([("GQA", 12), ("MoE", 5)], value_label="Versions", **TEXT),
        bar_chart([], value_label="Versions", **TEXT),
    ]


def test_charts_import_only_the_standard_library():
    for path in (ROOT / "core/lib/charts").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("core.lib.charts"), (
                    f"{path.name} imports {name}"
                )


@pytest.mark.parametrize("index", range(5))
def test_every_chart_is_an_accessible_svg_document(index):
    root = _parse(_all_charts()[index])
    assert root.tag == f"{SVG}svg"
    # An image, or a group when its points are links (an image holds nothing interactive).
    linked = root.find(f".//{SVG}a") is not None
    assert root.get("role") == ("group" if linked else "img")
    assert re.fullmatch(r"0 0 \d+(\.\d)? \d+(\.\d)?", root.get("viewBox"))
    # Sized by its viewBox only, so it shrinks to a 375 px phone.
    assert root.get("width") is None
    assert root.get("height") is None
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == TEXT["title"]
    assert desc.text == TEXT["description"]
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


@pytest.mark.parametrize("index", range(5))
def test_chart_text_renders_at_10_px_or_more_in_a_phones_column(index):
    root = _parse(_all_charts()[index])
    drawing_width = float(root.get("viewBox").split()[2])
    font_size = float(root.get("font-size"))
    assert all(text.get("font-size") is None for text in root.iter(f"{SVG}text"))
    assert font_size * PHONE_COLUMN_PX / drawing_width >= PHONE_MIN_TEXT_PX


def _axis_labels(root: ET.Element) -> list[tuple[float, float]]:
    """The extent (left, right) of each label of the horizontal axis, left to right."""
    labels = [
        text
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "chart-tick-label" and text.get("text-anchor") == "middle"
    ]
    assert len({text.get("y") for text in labels}) == 1
    extents = []
    for text in labels:
        x, half = float(text.get("x")), text_width(text.text) / 2
        extents.append((x - half, x + half))
    return sorted(extents)


def test_axis_labels_never_overlap_and_stay_inside_the_drawing():
    gib = stacked_bar_chart(
        [
            BarRow("DeepSeek-V3 at BF16", (Segment("weights", 1252.6), Segment("KV", 61.0))),
            BarRow("Llama-3.1-70B", (Segment("weights", 131.4), Segment("KV", 40.0))),
        ],
        value_label="GiB",
        value_format=lambda value: f"{value:.1f} GiB",
        markers=(("8 × H100", 8 * 79.2),),
        **TEXT,
    )
    months = line_chart(
        {
            "a": [Point(dt.date(2024, 1, 3), 1, "a"), Point(dt.date(2024, 11, 20), 9, "b")],
            "b": [Point(dt.date(2024, 2, 1), 2, "c")],
        },
        x_label="Release date",
        y_label="Versions",
        **TEXT,
    )
    for chart in (gib, months, _scatter(y_scale="log")):
        root = _parse(chart)
        drawing_width = float(root.get("viewBox").split()[2])
        extents = _axis_labels(root)
        assert len(extents) >= 2
        assert extents[0][0] >= 0
        assert extents[-1][1] <= drawing_width
        for (_, left_end), (right_start, _) in itertools.pairwise(extents):
            assert left_end < right_start


def test_bar_labels_are_drawn_in_full_above_their_bars():
    label = "DeepSeek-R1-Distill-Qwen-32B at AWQ INT4 (g128) · 128K"
    root = _parse(bar_chart([(label, 20.5), ("Qwen3-8B", 6)], value_label="GiB", **TEXT))
    texts = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-bar-label"]
    bars = [r for r in root.iter(f"{SVG}rect") if "chart-bar" in r.get("class")]
    assert [t.text for t in texts] == [label, "Qwen3-8B"]
    for text, bar in zip(texts, bars, strict=True):
        # On the line above its bar (its baseline within a line's height), from the bar's start.
        assert float(bar.get("y")) - 1.5 * FONT_SIZE < float(text.get("y")) <= float(bar.get("y"))
        assert float(text.get("x")) == float(bar.get("x"))


@pytest.mark.parametrize("index", range(5))
def test_charts_carry_no_inline_style(index):
    markup = _all_charts()[index]
    root = _parse(markup)
    assert not list(root.iter(f"{SVG}style"))
    assert all("style" not in element.attrib for element in root.iter())
    assert "<script" not in markup


def test_hostile_text_is_escaped_everywhere():
    markup = scatter_chart(
        [
            Point(dt.date(2024, 1, 1), 1e9, HOSTILE, HOSTILE, '/a/?b="c"&d=<e>'),
            Point(dt.date(2024, 6, 1), 2e9, "b", "other"),
        ],
        title=HOSTILE,
        description=HOSTILE,
        x_label=HOSTILE,
        y_label=HOSTILE,
    )
    assert "<script>" not in markup
    root = _parse(markup)
    assert root.find(f"{SVG}title").text == HOSTILE
    texts = [element.text for element in root.iter() if element.text]
    assert texts.count(HOSTILE) >= 4  # title, desc, both axis titles, legend, tooltip text
    link = next(root.iter(f"{SVG}a"))
    assert link.get("href") == '/a/?b="c"&d=<e>'
    bars = stacked_bar_chart(
        [BarRow(HOSTILE, (Segment(HOSTILE, 1),))],
        value_label=HOSTILE,
        markers=((HOSTILE, 2),),
        **TEXT,
    )
    assert "<script>" not in bars
    _parse(bars)


def test_unsafe_link_schemes_are_dropped():
    root = _parse(_scatter(points=[Point(dt.date(2024, 1, 1), 1, "x", href="javascript:alert(1)")]))
    assert not list(root.iter(f"{SVG}a"))


def test_ids_are_unique_across_charts_and_stable_for_one_input():
    charts = _all_charts()
    ids = [element.get("id") for markup in charts for element in _parse(markup).iter()]
    ids = [i for i in ids if i]
    assert len(ids) == len(set(ids)) == 2 * len(charts)
    other = scatter_chart([Point(dt.date(2024, 1, 1), 5, "x")], x_label="a", y_label="b", **TEXT)
    # Same titles, different data: still different ids.
    assert _parse(other).find(f"{SVG}title").get("id") != _parse(charts[0]).find(f"{SVG}title").get(
        "id"
    )
    assert _all_charts() == charts


def test_points_with_href_are_links_with_a_tooltip():
    root = _parse(_scatter(y_scale="log"))
    links = list(root.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == [
        "/families/llama/llama-2/",
        "/families/llama/llama-3/",
    ]
    markers = [e for e in root.iter() if "chart-marker" in (e.get("class") or "")]
    tooltips = [m.find(f"{SVG}title").text for m in markers if m.find(f"{SVG}title") is not None]
    assert tooltips == [
        "Llama 2 7B (2023-07-18, 7B)",
        "Llama 3 70B (2024-04-18, 70B)",
        "DeepSeek V3 (2024-12-26, 671B)",
    ]


def test_legend_only_with_several_series():
    several = _parse(_scatter())
    legend = several.find(f".//{SVG}g[@class='chart-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["Llama", "DeepSeek"]
    one = _parse(_scatter(points=[Point(dt.date(2024, 1, 1), 1, "x", "Only")]))
    assert one.find(f".//{SVG}g[@class='chart-legend']") is None


def _tick_labels(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-tick-label"]


def test_log_scale_ticks_sit_on_powers_of_ten():
    axis = log_axis([7e9, 671e9], None)
    assert [label for _, label in axis.ticks] == ["1B", "10B", "100B", "1T"]
    assert (axis.lo, axis.hi) == (1e9, 1e12)
    # Equal ratios get equal distances.
    positions = [axis.position(v, 0, 300) for v, _ in axis.ticks]
    assert positions == pytest.approx([0, 100, 200, 300])
    root = _parse(_scatter(y_scale="log"))
    assert {"1B", "10B", "100B", "1T"} <= set(_tick_labels(root))


def test_log_scale_leaves_out_values_it_cannot_draw():
    root = _parse(
        _scatter(
            y_scale="log",
            points=[Point(dt.date(2024, 1, 1), 0, "zero"), Point(dt.date(2024, 2, 1), 8e9, "x")],
        )
    )
    markers = [e for e in root.iter() if "chart-marker" in (e.get("class") or "")]
    assert len(markers) == 1


def test_linear_ticks_are_round_and_include_zero():
    axis = linear_axis([3, 37], None, include_zero=True)
    values = [v for v, _ in axis.ticks]
    assert values[0] == 0
    assert values[-1] >= 37
    steps = {round(b - a, 9) for a, b in itertools.pairwise(values)}
    assert steps == {10.0}
    # Counts never get half ticks.
    assert [label for _, label in linear_axis([1, 3], None, include_zero=True).ticks] == [
        "0",
        "1",
        "2",
        "3",
    ]


def test_formatter_labels_ticks():
    axis = linear_axis([0, 131072], lambda v: f"{v / 1024:.0f}K tokens", include_zero=True)
    assert axis.ticks[-1][1].endswith("K tokens")


def test_date_axis_uses_years_over_long_spans_and_months_over_short_ones():
    long = date_axis([dt.date(2019, 5, 1).toordinal(), dt.date(2025, 3, 1).toordinal()], None)
    assert [label for _, label in long.ticks] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    short = date_axis([dt.date(2024, 2, 10).toordinal(), dt.date(2024, 9, 20).toordinal()], None)
    labels = [label for _, label in short.ticks]
    assert labels[0].startswith("2024-")
    assert all(re.fullmatch(r"\d{4}-\d{2}", label) for label in labels)
    assert len(labels) <= 8


def test_markers_are_drawn_at_their_x():
    chart = _parse(
        stacked_bar_chart(
            [BarRow("a", (Segment("weights", 40), Segment("cache", 10)))],
            value_label="GiB",
            markers=(("24 GiB", 24), ("80 GiB", 80)),
            **TEXT,
        )
    )
    bar = next(e for e in chart.iter(f"{SVG}rect") if "series-0" in e.get("class"))
    left = float(bar.get("x"))
    unit = float(bar.get("width")) / 40  # 40 GiB of weights
    limits = chart.findall(f".//{SVG}g[@class='chart-limit']")
    xs = [float(g.find(f"{SVG}line").get("x1")) for g in limits]
    assert xs == pytest.approx([left + 24 * unit, left + 80 * unit], abs=0.2)
    assert [g.find(f"{SVG}text").text for g in limits] == ["24 GiB", "80 GiB"]


def test_points_are_drawn_at_their_x():
    chart = _parse(
        line_chart(
            {"s": [Point(2030, 1, "c"), Point(2010, 1, "a"), Point(2020, 1, "b")]},
            x_label="x",
            y_label="y",
            x_kind="number",
            **TEXT,
        )
    )
    xs = [float(c.get("cx")) for c in chart.iter(f"{SVG}circle")]
    assert xs == sorted(xs)
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)


def test_step_line_holds_its_value_until_the_next_point():
    chart = _parse(
        line_chart(
            {"max": [Point(2020, 1, "a"), Point(2022, 4, "b")]},
            x_label="x",
            y_label="y",
            x_kind="number",
            step=True,
            **TEXT,
        )
    )
    path = chart.find(f".//{SVG}path[@class='chart-line series-0']").get("d")
    assert re.fullmatch(r"M[\d.]+ [\d.]+H[\d.]+V[\d.]+", path)


def test_lines_past_max_markers_drop_their_markers_and_stay_small():
    def chart(days: int, **options) -> str:
        start = dt.date(2015, 1, 1)
        series = {
            f"org {s}": [
                Point(start + dt.timedelta(days=d), d + 1, f"v{s}-{d}", href=f"/v/{s}/{d}/")
                for d in range(days)
            ]
            for s in range(8)
        }
        series["lone"] = [Point(start, 1, "only one", href="/lone/")]
        return line_chart(series, x_label="x", y_label="y", step=True, **TEXT, **options)

    few = _parse(chart(5, max_markers=41))
    assert len([e for e in few.iter() if e.get("class") == "chart-marker"]) == 41
    many = chart(1250, max_markers=41)  # 10,001 points
    root = _parse(many)
    markers = [e for e in root.iter() if e.get("class") == "chart-marker"]
    # Only the series of one point keeps its marker, and its link.
    assert [m.find(f"{SVG}title").text for m in markers] == ["only one (2015-01-01, 1)"]
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["/lone/"]
    assert len(root.findall(f".//{SVG}path[@stroke-width='2']")) == 8
    assert len(many) < len(chart(1250)) / 5
    # Without the option every point keeps its marker, as before.
    assert len([e for e in _parse(chart(5)).iter() if e.get("class") == "chart-marker"]) == 41


def test_segments_and_bars_have_tooltips_and_row_links():
    chart = _parse(
        stacked_bar_chart(
            [BarRow("Llama", (Segment("weights", 2e9),), "/llama/")],
            value_label="Bytes",
            value_format=lambda v: f"{v / 1e9:g} GB",
            **TEXT,
        )
    )
    rect = next(chart.iter(f"{SVG}rect"))
    assert rect.find(f"{SVG}title").text == "Llama — weights: 2 GB"
    assert next(chart.iter(f"{SVG}a")).get("href") == "/llama/"
    plain = _parse(bar_chart([("GQA", 3)], value_label="Versions", **TEXT))
    assert next(plain.iter(f"{SVG}rect")).find(f"{SVG}title").text == "GQA — Versions: 3"


def test_empty_data_says_so_in_the_callers_language():
    for markup in (
        _scatter(points=[], empty_text="暂无数据"),
        line_chart({}, x_label="x", y_label="y", empty_text="暂无数据", **TEXT),
        bar_chart([], value_label="v", empty_text="暂无数据", **TEXT),
        stacked_bar_chart([], value_label="v", empty_text="暂无数据", **TEXT),
    ):
        root = _parse(markup)
        assert root.find(f"{SVG}text").text == "暂无数据"
        assert root.find(f"{SVG}title").text == TEXT["title"]
    assert "No data" in bar_chart([], value_label="v", **TEXT)


def test_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="y_scale"):
        _scatter(y_scale="sqrt")
    with pytest.raises(ValueError, match="x_kind"):
        _scatter(x_kind="category")


def test_short_numbers():
    assert [short_number(v) for v in (0, 2.5, 1000, 2024, 131072, 7.6e9, 1e12)] == [
        "0",
        "2.5",
        "1K",
        "2024",
        "131K",
        "7.6B",
        "1T",
    ]


def test_a_thousand_points_render_quickly():
    points = [
        Point(dt.date(2020, 1, 1) + dt.timedelta(days=i), (i + 1) * 1e8, f"m{i}", f"s{i % 12}")
        for i in range(1000)
    ]
    started = dt.datetime.now()
    markup = _scatter(points=points, y_scale="log")
    assert (dt.datetime.now() - started).total_seconds() < 1
    _parse(markup)


class _Lazy:
    """Stands in for a lazy translation: text only once turned into a string."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def test_lazy_texts_are_turned_into_strings():
    lazy = _Lazy("权重")
    bars = stacked_bar_chart(
        [BarRow(_Lazy("行"), (Segment(lazy, 1), Segment(_Lazy("缓存"), 2)))],
        title=_Lazy("标题"),
        description=_Lazy("说明"),
        value_label=_Lazy("GiB"),
    )
    assert "权重" in bars
    assert _parse(bars).find(f"{SVG}title").text == "标题"
    lines = line_chart(
        {_Lazy("a"): [Point(1, 1, "p")], _Lazy("b"): [Point(2, 2, "q")]},
        title=_Lazy("t"),
        description="d",
        x_label=_Lazy("x"),
        y_label="y",
        x_kind="number",
    )
    legend = _parse(lines).find(f".//{SVG}g[@class='chart-legend']")
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["a", "b"]


def test_a_series_keeps_its_colour_and_marker_across_charts_given_one_palette():
    # Trends: Zhipu is the same colour in the timeline and the context chart, whichever
    # organisations each chart happens to show and in whatever order.
    day = dt.date(2024, 1, 1)
    colours = {"Meta": 0, "Qwen": 1, "Zhipu": 2}

    def classes(svg: str) -> dict[str, str]:
        found = re.findall(r'<g class="chart-series (series-\d+)"', svg)
        legend = re.findall(r"<text [^>]*>([^<]+)</text>", svg.split('class="chart-legend"')[1])
        return dict(zip(legend, found, strict=True))

    first = scatter_chart(
        [Point(day, 1, "a", series="Zhipu"), Point(day, 2, "b", series="Meta")],
        title="t",
        description="d",
        x_label="x",
        y_label="y",
        colours=colours,
    )
    second = line_chart(
        {"Other": [Point(day, 3, "c")], "Zhipu": [Point(day, 1, "d")]},
        title="t",
        description="d",
        x_label="x",
        y_label="y",
        colours=colours,
    )
    assert classes(first) == {"Meta": "series-0", "Zhipu": "series-2"}
    # A series the palette does not name takes the first free colour, never a named one.
    assert classes(second) == {"Zhipu": "series-2", "Other": "series-0"}
