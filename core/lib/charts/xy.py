"""Charts with two axes: scatter plots and line (or step) charts."""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from core.lib.charts import _svg
from core.lib.charts._svg import WIDTH, esc, num
from core.lib.charts.scales import (
    Axis,
    date_axis,
    linear_axis,
    log_axis,
    short_number,
    to_ordinal,
)

PLOT_HEIGHT = 280
# Left margin fits tick labels such as "100B"; bottom fits tick labels and the axis title.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 66, 18, 12, 50
MARKER_RADIUS = 4.5


@dataclass(frozen=True)
class Point:
    """One data point; ``x`` is a date on a date axis. ``href`` links the point."""

    x: float | dt.date
    y: float
    label: str
    series: str = ""
    href: str = ""


def scatter_chart(
    points: Iterable[Point],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    x_kind: str = "date",
    y_scale: str = "linear",
    y_format: Callable[[float], str] | None = None,
    x_format: Callable | None = None,
    empty_text: str = "No data",
    colours: Mapping[str, int] | None = None,
) -> str:
    """An SVG scatter plot, one colour and shape per ``Point.series``.

    ``colours``: the palette index of each series name, for a page whose charts show the
    same series (organisations) in the same colour and shape; other series take the next ones.

    ``x_kind`` is "date" (x values are dates) or "number"; ``y_scale`` is "linear" or
    "log" (non-positive values are left out on a log scale). ``y_format``/``x_format``
    format tick labels and tooltips; on a date axis ``x_format`` receives a date.
    Returns a complete <svg> element; every text is escaped.
    """
    series: dict[str, list[Point]] = {}
    for point in points:
        series.setdefault(str(point.series), []).append(point)
    return _xy_chart(
        "scatter",
        series,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        x_kind=x_kind,
        y_scale=y_scale,
        y_format=y_format,
        x_format=x_format,
        empty_text=empty_text,
        lines=False,
        step=False,
        colours=colours,
    )


def line_chart(
    series: Mapping[str, Iterable[Point]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    x_kind: str = "date",
    y_scale: str = "linear",
    y_format: Callable[[float], str] | None = None,
    step: bool = False,
    x_format: Callable | None = None,
    empty_text: str = "No data",
    max_markers: int | None = None,
    colours: Mapping[str, int] | None = None,
) -> str:
    """An SVG line chart, one line per key of ``series`` (points sorted by x).

    ``step=True`` draws a step line (the value holds until the next point), right for
    "largest so far" series. ``max_markers``: beyond this many points in the whole chart the
    lines are drawn without a marker (nor its tooltip and link) per point, so that the
    markup stays small however many points there are; a series of one point keeps its
    marker. Other parameters as :func:`scatter_chart`.
    """
    ordered = {
        str(name): sorted(points, key=lambda p: to_ordinal(p.x)) for name, points in series.items()
    }
    return _xy_chart(
        "line",
        ordered,
        title=title,
        description=description,
        x_label=x_label,
        y_label=y_label,
        x_kind=x_kind,
        y_scale=y_scale,
        y_format=y_format,
        x_format=x_format,
        empty_text=empty_text,
        lines=True,
        step=step,
        max_markers=max_markers,
        colours=colours,
    )


def _palette_indices(names: list[str], colours: Mapping[str, int]) -> dict[str, int]:
    """Each series' palette index: the one ``colours`` gives, else the next unused one."""
    taken = {colours[name] for name in names if name in colours}
    free = (index for index in range(len(names) + len(taken) + 1) if index not in taken)
    return {name: colours[name] if name in colours else next(free) for name in names}


def _usable(point: Point, log: bool) -> bool:
    if not _svg.finite(point.y) or (log and point.y <= 0):
        return False
    if isinstance(point.x, dt.date):
        return True
    return _svg.finite(point.x)


def _xy_chart(
    kind: str,
    series: dict[str, list[Point]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    x_kind: str,
    y_scale: str,
    y_format: Callable[[float], str] | None,
    x_format: Callable | None,
    empty_text: str,
    lines: bool,
    step: bool,
    max_markers: int | None = None,
    colours: Mapping[str, int] | None = None,
) -> str:
    if x_kind not in ("date", "number"):
        raise ValueError(f"x_kind must be 'date' or 'number', not {x_kind!r}")
    if y_scale not in ("linear", "log"):
        raise ValueError(f"y_scale must be 'linear' or 'log', not {y_scale!r}")
    log = y_scale == "log"
    series = {name: [p for p in pts if _usable(p, log)] for name, pts in series.items()}
    series = {name: pts for name, pts in series.items() if pts}
    if not series:
        return _svg.empty(kind, title, description, WIDTH, empty_text)

    all_points = [p for pts in series.values() for p in pts]
    with_markers = max_markers is None or len(all_points) <= max_markers
    xs = [to_ordinal(p.x) for p in all_points]
    ys = [float(p.y) for p in all_points]
    x_axis = (
        date_axis(xs, x_format)
        if x_kind == "date"
        else linear_axis(xs, x_format, include_zero=False)
    )
    y_axis = log_axis(ys, y_format) if log else linear_axis(ys, y_format, include_zero=True)

    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, MARGIN_TOP + PLOT_HEIGHT
    parts = [_axes(x_axis, y_axis, left, right, top, bottom, x_label, y_label)]

    def place(point: Point) -> tuple[float, float]:
        return (
            x_axis.position(to_ordinal(point.x), left, right),
            y_axis.position(float(point.y), bottom, top),
        )

    def tooltip(point: Point) -> str:
        if isinstance(point.x, dt.date):
            x_text = x_format(point.x) if x_format else point.x.isoformat()
        else:
            x_text = x_format(point.x) if x_format else short_number(float(point.x))
        y_text = y_format(point.y) if y_format else short_number(float(point.y))
        return f"{point.label} ({x_text}, {y_text})"

    index_of = _palette_indices(list(series), colours or {})
    if colours:
        series = dict(sorted(series.items(), key=lambda item: index_of[item[0]]))
    for name, points in series.items():
        index = index_of[name]
        parts.append(
            f'<g class="chart-series {_svg.series_class(index)}" '
            f'fill="{_svg.series_colour(index)}">'
        )
        if lines and len(points) > 1:
            coords = [place(p) for p in points]
            path = f"M{num(coords[0][0])} {num(coords[0][1])}"
            for x, y in coords[1:]:
                path += f"H{num(x)}V{num(y)}" if step else f"L{num(x)} {num(y)}"
            parts.append(
                f'<path class="chart-line {_svg.series_class(index)}" d="{path}" fill="none" '
                f'stroke="{_svg.series_colour(index)}" stroke-width="2"/>'
            )
        for point in points if with_markers or len(points) == 1 else ():
            x, y = place(point)
            parts.append(
                _svg.link(
                    point.href,
                    _svg.marker(index, x, y, MARKER_RADIUS, tooltip(point), in_series=True),
                )
            )
        parts.append("</g>")

    height: float = bottom + MARGIN_BOTTOM
    names = list(series)
    if len(names) > 1:
        markup, legend_height = _svg.legend(
            names, left, height, right - left, indices=[index_of[name] for name in names]
        )
        parts.append(markup)
        height += legend_height + 4
    return _svg.document(kind, title, description, WIDTH, height, "".join(parts))


def _axes(
    x_axis: Axis,
    y_axis: Axis,
    left: float,
    right: float,
    top: float,
    bottom: float,
    x_label: str,
    y_label: str,
) -> str:
    """Grid lines, ticks, tick labels, the two axis lines and their titles."""
    parts = ['<g class="chart-axes">']
    for value, label in y_axis.ticks:
        y = y_axis.position(value, bottom, top)
        parts.append(
            f'<line class="chart-grid" x1="{num(left)}" x2="{num(right)}" y1="{num(y)}" '
            f'y2="{num(y)}" stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text class="chart-tick-label" x="{num(left - 6)}" y="{num(y + 4)}" '
            f'text-anchor="end" fill="currentColor">{esc(label)}</text>'
        )
    positions = [(x_axis.position(value, left, right), label) for value, label in x_axis.ticks]
    for x, _label in positions:
        parts.append(
            f'<line class="chart-tick" x1="{num(x)}" x2="{num(x)}" y1="{num(bottom)}" '
            f'y2="{num(bottom + 5)}" stroke="currentColor"/>'
        )
    for x, label in _svg.axis_labels(positions):
        parts.append(
            f'<text class="chart-tick-label" x="{num(x)}" y="{num(bottom + 19)}" '
            f'text-anchor="middle" fill="currentColor">{esc(label)}</text>'
        )
    parts.append(
        f'<path class="chart-axis" d="M{num(left)} {num(top)}V{num(bottom)}H{num(right)}" '
        f'fill="none" stroke="currentColor"/>'
        f'<text class="chart-axis-label" x="{num((left + right) / 2)}" y="{num(bottom + 42)}" '
        f'text-anchor="middle" fill="currentColor">{esc(x_label)}</text>'
        f'<text class="chart-axis-label" transform="rotate(-90)" '
        f'x="{num(-(top + bottom) / 2)}" y="14" text-anchor="middle" '
        f'fill="currentColor">{esc(y_label)}</text>'
    )
    parts.append("</g>")
    return "".join(parts)
