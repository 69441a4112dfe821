"""Axes: where a value lands on the drawing and which ticks label it.

Pure: standard library only. Positions are SVG user units; the chart sizes itself
through its viewBox.
"""

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# At most this many labelled ticks on one axis: more crowd each other at 375 px.
MAX_TICKS = 8


@dataclass(frozen=True)
class Axis:
    """A value domain, linear or logarithmic, with its labelled ticks."""

    lo: float
    hi: float
    log: bool
    ticks: tuple[tuple[float, str], ...]

    def position(self, value: float, start: float, end: float) -> float:
        """Map ``value`` onto the segment ``start``..``end`` (either direction)."""
        if self.log:
            value, lo, hi = math.log10(value), math.log10(self.lo), math.log10(self.hi)
        else:
            lo, hi = self.lo, self.hi
        fraction = (value - lo) / (hi - lo) if hi != lo else 0.5
        return start + fraction * (end - start)


def short_number(value: float) -> str:
    """1_500_000_000 -> "1.5B", 131_072 -> "131K", 2024 -> "2024", 0.25 -> "0.25"."""
    magnitude = abs(value)
    for divisor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        # Four-digit numbers stay whole (years, "1500") unless they are round thousands.
        if magnitude >= divisor and (divisor > 1e3 or magnitude >= 1e4 or value % 1000 == 0):
            return _significant(value / divisor) + suffix
    return _significant(value)


def _significant(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def to_ordinal(value: float | dt.date) -> float:
    """A date (or datetime) as a day number; numbers pass through."""
    if isinstance(value, dt.datetime):
        midnight = value.replace(hour=0, minute=0, second=0, microsecond=0)
        return value.toordinal() + (value - midnight).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float(value.toordinal())
    return float(value)


def _clean(value: float) -> float:
    # Float steps leave noise such as 0.30000000000000004 in tick values.
    rounded = round(value, 9)
    return 0.0 if rounded == 0 else rounded


def linear_axis(
    values: Iterable[float], fmt: Callable[[float], str] | None, *, include_zero: bool
) -> Axis:
    """A linear axis over ``values`` extended to round ticks (1, 2, 2.5, 5 × 10^k)."""
    values = list(values)
    lo, hi = min(values), max(values)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        hi += pad
        if not include_zero:
            lo -= pad
    raw_step = (hi - lo) / (MAX_TICKS - 2)
    power = 10 ** math.floor(math.log10(raw_step))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if raw_step <= m * power)
    # Whole things (versions, years) get no half ticks such as "2.5" or "2021.5".
    if all(float(v).is_integer() for v in values) and not float(step).is_integer():
        step = 1.0 if step < 1 else 5.0
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    count = round((end - start) / step)
    fmt = fmt or short_number
    ticks = tuple(
        (_clean(start + i * step), fmt(_clean(start + i * step))) for i in range(count + 1)
    )
    return Axis(_clean(start), _clean(end), log=False, ticks=ticks)


def log_axis(values: Iterable[float], fmt: Callable[[float], str] | None) -> Axis:
    """A base-10 log axis over positive ``values``: ticks on powers of ten (1B, 10B, 100B)."""
    values = list(values)
    low_exp = math.floor(math.log10(min(values)) + 1e-9)
    high_exp = math.ceil(math.log10(max(values)) - 1e-9)
    if high_exp == low_exp:
        high_exp += 1
    decades = high_exp - low_exp
    stride = max(1, math.ceil(decades / (MAX_TICKS - 1)))
    tick_values = [10.0**e for e in range(low_exp, high_exp + 1, stride)]
    if decades <= 2:
        # Within two decades powers of ten alone leave the axis nearly unlabelled.
        tick_values += [m * 10.0**e for e in range(low_exp, high_exp) for m in (2, 5)]
        tick_values.sort()
    fmt = fmt or short_number
    ticks = tuple((v, fmt(v)) for v in tick_values)
    return Axis(10.0**low_exp, 10.0**high_exp, log=True, ticks=ticks)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def date_axis(ordinals: Iterable[float], fmt: Callable[[dt.date], str] | None) -> Axis:
    """A time axis: ticks on 1 January (labelled "2024") or on month starts ("2024-03")."""
    ordinals = list(ordinals)
    lo, hi = min(ordinals), max(ordinals)
    if hi - lo < 90:
        # A lone release still gets a readable quarter of a year around it.
        middle = (lo + hi) / 2
        lo, hi = middle - 45, middle + 45
    pad = (hi - lo) * 0.03
    lo, hi = lo - pad, hi + pad
    first, last = dt.date.fromordinal(math.floor(lo)), dt.date.fromordinal(math.floor(hi))
    years = [
        y for y in range(first.year, last.year + 1) if lo <= dt.date(y, 1, 1).toordinal() <= hi
    ]
    if len(years) >= 3:
        stride = next(s for s in (1, 2, 5, 10, 20, 50, 100) if len(years) / s <= MAX_TICKS)
        days = [dt.date(y, 1, 1) for y in years if y % stride == 0] or [dt.date(years[0], 1, 1)]
        default = lambda day: str(day.year)  # noqa: E731
    else:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        stride = next(s for s in (1, 2, 3, 6, 12) if months / s <= MAX_TICKS)
        days = []
        day = _add_months(first, 0)
        while day.toordinal() <= hi:
            if day.toordinal() >= lo and (day.month - 1) % stride == 0:
                days.append(day)
            day = _add_months(day, 1)
        default = lambda day: f"{day.year}-{day.month:02d}"  # noqa: E731
    fmt = fmt or default
    ticks = tuple((float(day.toordinal()), fmt(day)) for day in days)
    return Axis(lo, hi, log=False, ticks=ticks)
