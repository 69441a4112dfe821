"""Shared SVG pieces: escaping, the <svg> document, series styling, markers and legends.

Colours: every coloured element carries a class (``series-0`` .. ``series-7``) that
static/css/charts.css colours for light, dark and print, plus a presentation attribute
with the light colour so the chart stays readable where that stylesheet is absent
(feed readers, saved pages). No style attributes: the Content Security Policy forbids them.
"""

import hashlib
import html
import itertools
import math
import re
import unicodedata

# Okabe–Ito-derived palette, each at least 4.5:1 against white (WCAG 1.4.11 asks 3:1 for
# graphics); charts.css repeats it and swaps in lighter tones for dark backgrounds.
PALETTE = (
    "#0072B2",
    "#C75000",
    "#007A5E",
    "#A6367A",
    "#876200",
    "#4F55C2",
    "#B3261E",
    "#555555",
)
# Shapes change together with colours so series stay apart without colour vision.
SHAPES = ("circle", "square", "diamond", "triangle")
FONT_SIZE = 13
LEGEND_LINE = 20
# The drawing's width in user units; a chart scales to its column. On a 390 px phone the column
# is 358 px wide, where text of FONT_SIZE renders at 10.6 px (at the old 600 units it was 7.8 px,
# too small to read); charts.css caps the width on wider screens so that the text stays near
# body size there.
WIDTH = 440
# Least room between two tick labels side by side on an axis.
LABEL_GAP = 8

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAFE_HREF = ("/", "#", "?", "https://", "http://")


def esc(text: object) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def safe_href(href: str) -> str:
    """The link escaped, or "" for schemes a chart must never carry (javascript:, data:)."""
    href = href.strip()
    return esc(href) if href.startswith(_SAFE_HREF) else ""


def num(value: float) -> str:
    """A coordinate with at most one decimal: short, and stable across runs."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def finite(value: float) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """An estimate of rendered width: CJK characters are about twice as wide as Latin."""
    text = str(text)  # lazy translations too
    return sum(
        font_size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6) for ch in text
    )


def truncate(text: str, width: float, font_size: float = FONT_SIZE) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (the full text goes in a <title>)."""
    text = str(text)
    if text_width(text, font_size) <= width:
        return text
    while text and text_width(text + "…", font_size) > width:
        text = text[:-1]
    return text + "…"


def axis_labels(ticks: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The (x, label) ticks of a horizontal axis whose labels are drawn.

    Every tick when the labels fit side by side; otherwise every second, third... tick from
    the first, so that no two labels overlap. Each x is moved inside the drawing where a label
    centred on its tick would stick out of it (its grid line stays at the tick).
    """
    placed = [(_inside(x, label), label) for x, label in ticks]
    for stride in range(1, len(placed) + 1):
        kept = placed[::stride]
        if all(
            right - left >= (text_width(left_label) + text_width(right_label)) / 2 + LABEL_GAP
            for (left, left_label), (right, right_label) in itertools.pairwise(kept)
        ):
            return kept
    return placed[:1]


def _inside(x: float, label: str) -> float:
    half = text_width(label) / 2
    return min(max(x, half), WIDTH - half)


def series_class(index: int) -> str:
    return f"series-{index % len(PALETTE)}"


def series_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def marker(
    index: int, cx: float, cy: float, radius: float, tooltip: str = "", *, in_series: bool = False
) -> str:
    """The point symbol of series ``index``, with an optional <title> tooltip.

    ``in_series``: the marker sits in its series' <g>, which carries the series class and
    fill for all its points (charts with hundreds of points stay small).
    """
    shape = SHAPES[(index + index // len(PALETTE)) % len(SHAPES)]
    if in_series:
        attrs = 'class="chart-marker"'
    else:
        attrs = f'class="chart-marker {series_class(index)}" fill="{series_colour(index)}"'
    r = radius
    if shape == "circle":
        tag, geometry = "circle", f'cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}"'
    elif shape == "square":
        side = r * 1.7
        tag = "rect"
        geometry = (
            f'x="{num(cx - side / 2)}" y="{num(cy - side / 2)}" '
            f'width="{num(side)}" height="{num(side)}"'
        )
    elif shape == "diamond":
        d = r * 1.3
        tag = "path"
        geometry = (
            f'd="M{num(cx)} {num(cy - d)}L{num(cx + d)} {num(cy)}'
            f'L{num(cx)} {num(cy + d)}L{num(cx - d)} {num(cy)}Z"'
        )
    else:
        d = r * 1.3
        tag = "path"
        geometry = (
            f'd="M{num(cx)} {num(cy - d)}L{num(cx + d)} {num(cy + d * 0.8)}'
            f'L{num(cx - d)} {num(cy + d * 0.8)}Z"'
        )
    if tooltip:
        return f"<{tag} {attrs} {geometry}><title>{esc(tooltip)}</title></{tag}>"
    return f"<{tag} {attrs} {geometry}/>"


def link(href: str, inner: str) -> str:
    """Wrap ``inner`` in an SVG link when ``href`` is usable.

    tabindex="-1": a chart can hold hundreds of points; keyboard users reach the same
    links through the data table that accompanies every chart instead of tabbing
    through each point.
    """
    href = safe_href(href) if href else ""
    if not href:
        return inner
    return f'<a href="{href}" tabindex="-1">{inner}</a>'


def legend(
    names: list[str],
    x: float,
    y: float,
    width: float,
    *,
    swatches: bool = False,
    indices: list[int] | None = None,
) -> tuple[str, float]:
    """Legend entries (symbol + name) wrapped into lines; returns markup and height.

    ``swatches``: square colour swatches (for bars) instead of the series' point symbols.
    ``indices``: each name's palette index (default: its position).
    """
    parts = ['<g class="chart-legend">']
    cursor_x, cursor_y = x, y
    for index, name in zip(indices or range(len(names)), names, strict=True):
        label = truncate(str(name) or "—", width - 24)
        item_width = 18 + text_width(label) + 16
        if cursor_x > x and cursor_x + item_width > x + width:
            cursor_x, cursor_y = x, cursor_y + LEGEND_LINE
        if swatches:
            parts.append(
                f'<rect class="chart-swatch {series_class(index)}" x="{num(cursor_x)}" '
                f'y="{num(cursor_y)}" width="12" height="12" fill="{series_colour(index)}"/>'
            )
        else:
            parts.append(marker(index, cursor_x + 6, cursor_y + 6, 5))
        parts.append(
            f'<text x="{num(cursor_x + 16)}" y="{num(cursor_y + 10.5)}" '
            f'fill="currentColor">{esc(label)}</text>'
        )
        cursor_x += item_width
    parts.append("</g>")
    return "".join(parts), cursor_y - y + LEGEND_LINE


def document(
    kind: str, title: str, description: str, width: float, height: float, body: str
) -> str:
    """The complete <svg> element: accessible name from <title>, description from <desc>.

    The ids derive from a hash of the content, so the output is deterministic and two
    different charts on one page never share an id.
    """
    digest = hashlib.sha256(
        "\x1f".join(str(part) for part in (kind, title, description, body)).encode("utf-8")
    ).hexdigest()[:12]
    chart_id = f"chart-{digest}"
    # An image has no interactive children: a chart whose points are links is a group.
    role = "group" if "<a href=" in body else "img"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'class="chart-svg chart-{kind}" role="{role}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-title">{esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{esc(description)}</desc>'
        f"{body}</svg>"
    )


def empty(kind: str, title: str, description: str, width: float, empty_text: str) -> str:
    """A small chart that says there is nothing to draw."""
    body = (
        f'<text class="chart-empty" x="{num(width / 2)}" y="34" text-anchor="middle" '
        f'fill="currentColor">{esc(empty_text)}</text>'
    )
    return document(kind, title, description, width, 60, body)
