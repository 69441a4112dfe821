"""Horizontal bar charts: plain bars, and stacked bars with labelled limit lines.

Each bar's label sits on its own line above the bar, so labels are never cut short and the
bars keep the whole width of the drawing, on a phone as on a wide screen.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.lib.charts import _svg
from core.lib.charts._svg import WIDTH, esc, num
from core.lib.charts.scales import linear_axis, short_number

# One row: the label's line (its baseline LABEL_BASELINE below the row's top), the bar under
# it, and a gap before the next row.
LABEL_BASELINE = 12
BAR_TOP = 16
BAR_HEIGHT = 14
ROW_HEIGHT = 38
MARGIN_LEFT = 8
MARGIN_TOP = 8
# Limit-line labels sit above the bars, on two alternating lines so neighbours don't collide.
LIMIT_LABEL_SPACE = 34
MARGIN_BOTTOM = 48
# Room right of a bar before its value, e.g. "152.3 GiB".
VALUE_GAP = 4


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar, e.g. ("weights", 15.2e9)."""

    name: str
    value: float


@dataclass(frozen=True)
class BarRow:
    """One bar: its label (linked when ``href`` is set) and its segments in stacking order."""

    label: str
    segments: tuple[Segment, ...]
    href: str = ""


def bar_chart(
    bars: Iterable[tuple[str, float]],
    *,
    title: str,
    description: str,
    value_label: str,
    value_format: Callable[[float], str] | None = None,
    empty_text: str = "No data",
) -> str:
    """Horizontal bars, one per (label, value), in the given order."""
    rows = [BarRow(label, (Segment(value_label, value),)) for label, value in bars]
    return _bars(
        "bar",
        rows,
        title=title,
        description=description,
        value_label=value_label,
        value_format=value_format,
        markers=(),
        empty_text=empty_text,
        with_legend=False,
    )


def stacked_bar_chart(
    rows: Iterable[BarRow],
    *,
    title: str,
    description: str,
    value_label: str,
    value_format: Callable[[float], str] | None = None,
    markers: tuple[tuple[str, float], ...] = (),
    empty_text: str = "No data",
) -> str:
    """Horizontal stacked bars (one colour per segment name, with a legend).

    ``markers`` are (label, value) pairs drawn as labelled vertical lines across all
    bars, e.g. a GPU's memory capacity. Negative and non-finite values count as zero.
    """
    return _bars(
        "stacked-bar",
        list(rows),
        title=title,
        description=description,
        value_label=value_label,
        value_format=value_format,
        markers=tuple(markers),
        empty_text=empty_text,
        with_legend=True,
    )


def _value(segment: Segment) -> float:
    return float(segment.value) if _svg.finite(segment.value) and segment.value > 0 else 0.0


def _bars(
    kind: str,
    rows: list[BarRow],
    *,
    title: str,
    description: str,
    value_label: str,
    value_format: Callable[[float], str] | None,
    markers: tuple[tuple[str, float], ...],
    empty_text: str,
    with_legend: bool,
) -> str:
    if not rows:
        return _svg.empty(kind, title, description, WIDTH, empty_text)
    fmt = value_format or short_number
    markers = tuple((label, float(v)) for label, v in markers if _svg.finite(v) and v >= 0)
    totals = [sum(_value(s) for s in row.segments) for row in rows]
    axis = linear_axis([*totals, *(v for _, v in markers)], value_format, include_zero=True)

    names: list[str] = []
    for row in rows:
        for segment in row.segments:
            if str(segment.name) not in names:
                names.append(str(segment.name))

    value_texts = [fmt(total) for total in totals]
    tick_texts = [label for _, label in axis.ticks]
    # The first tick label is centred on the bars' start; the widest value follows its bar.
    left = max(MARGIN_LEFT, _svg.text_width(tick_texts[0]) / 2 + 2)
    right = WIDTH - max(_svg.text_width(text) for text in value_texts) - VALUE_GAP - 4
    top = MARGIN_TOP + (LIMIT_LABEL_SPACE if markers else 0)
    bottom = top + ROW_HEIGHT * len(rows)
    parts = ['<g class="chart-axes">']
    for value, _label in axis.ticks:
        x = axis.position(value, left, right)
        parts.append(
            f'<line class="chart-grid" x1="{num(x)}" x2="{num(x)}" y1="{num(top)}" '
            f'y2="{num(bottom)}" stroke="currentColor" stroke-opacity="0.15"/>'
        )
    positions = [(axis.position(value, left, right), label) for value, label in axis.ticks]
    for x, label in _svg.axis_labels(positions):
        parts.append(
            f'<text class="chart-tick-label" x="{num(x)}" y="{num(bottom + 18)}" '
            f'text-anchor="middle" fill="currentColor">{esc(label)}</text>'
        )
    parts.append(
        f'<path class="chart-axis" d="M{num(left)} {num(top)}V{num(bottom)}H{num(right)}" '
        f'fill="none" stroke="currentColor"/>'
        f'<text class="chart-axis-label" x="{num((left + right) / 2)}" y="{num(bottom + 40)}" '
        f'text-anchor="middle" fill="currentColor">{esc(value_label)}</text></g>'
    )

    labels = []
    for row_index, (row, total, value_text) in enumerate(
        zip(rows, totals, value_texts, strict=True)
    ):
        y = top + row_index * ROW_HEIGHT + BAR_TOP
        cursor = 0.0
        for segment in row.segments:
            value = _value(segment)
            if value == 0:
                continue
            index = names.index(str(segment.name))
            x0 = axis.position(cursor, left, right)
            x1 = axis.position(cursor + value, left, right)
            cursor += value
            tip = f"{row.label} — {segment.name}: {fmt(value)}"
            parts.append(
                f'<rect class="chart-bar {_svg.series_class(index)}" x="{num(x0)}" '
                f'y="{num(y)}" width="{num(max(x1 - x0, 0.5))}" height="{BAR_HEIGHT}" '
                f'fill="{_svg.series_colour(index)}"><title>{esc(tip)}</title></rect>'
            )
        # Labels and values are drawn after the limit lines, which must not cross them.
        label = _svg.truncate(row.label, WIDTH - left)
        text = (
            f'<text class="chart-bar-label" x="{num(left)}" '
            f'y="{num(y - BAR_TOP + LABEL_BASELINE)}" fill="currentColor">{esc(label)}'
            f"<title>{esc(row.label)}</title></text>"
        )
        labels.append(_svg.link(row.href, text))
        labels.append(
            f'<text class="chart-value" x="{num(axis.position(total, left, right) + VALUE_GAP)}" '
            f'y="{num(y + BAR_HEIGHT / 2 + 4.5)}" fill="currentColor">{esc(value_text)}</text>'
        )

    for marker_index, (label, value) in enumerate(markers):
        x = axis.position(value, left, right)
        anchor = "end" if x > right - 60 else "start" if x < left + 60 else "middle"
        label_y = top - 6 - (marker_index % 2) * 15
        parts.append(
            f'<g class="chart-limit"><line x1="{num(x)}" x2="{num(x)}" y1="{num(label_y + 3)}" '
            f'y2="{num(bottom)}" stroke="currentColor" stroke-width="1.5" '
            f'stroke-dasharray="5 3"/><text x="{num(x)}" y="{num(label_y)}" '
            f'text-anchor="{anchor}" fill="currentColor">{esc(label)}</text>'
            f"<title>{esc(label)}: {esc(fmt(value))}</title></g>"
        )
    parts.extend(labels)

    height: float = bottom + MARGIN_BOTTOM
    if with_legend and len(names) > 1:
        markup, legend_height = _svg.legend(names, left, height, WIDTH - left, swatches=True)
        parts.append(markup)
        height += legend_height + 4
    return _svg.document(kind, title, description, WIDTH, height, "".join(parts))
