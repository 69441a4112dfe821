"""Server-rendered SVG charts: pure functions from data to an inline <svg> string.

Standard library only, so views, commands and tests can use it without a request.
Every text is escaped here, so callers may pass the result through ``mark_safe``.
The output carries no style attribute (the Content Security Policy forbids them):
colours come from class names styled in static/css/charts.css, with presentation
attributes as a fallback.

Class names: ``chart-svg`` ``chart-<kind>`` on the root; ``chart-axes`` ``chart-axis``
``chart-grid`` ``chart-tick`` ``chart-tick-label`` ``chart-axis-label``; ``chart-series``
``chart-line`` ``chart-marker`` ``chart-bar`` ``chart-bar-label`` ``chart-value``
``chart-limit`` ``chart-legend`` ``chart-swatch`` ``chart-empty``; ``series-0`` .. ``series-7``.
"""

from core.lib.charts.bars import BarRow, Segment, bar_chart, stacked_bar_chart
from core.lib.charts.scales import short_number
from core.lib.charts.xy import Point, line_chart, scatter_chart

__all__ = [
    "BarRow",
    "Point",
    "Segment",
    "bar_chart",
    "line_chart",
    "scatter_chart",
    "short_number",
    "stacked_bar_chart",
]
