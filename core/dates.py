"""A release date as precisely as its sources give it (catalog.choices.DatePrecision): the
day, else the month or the year. Shared by the pages (template filters of the same names), the
compare table and the MCP tools."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format

_SHORT = {"day": "Y-m-d", "month": "Y-m", "year": "Y"}
_ISO = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def released(value: datetime.date | None, precision: str = "day") -> str:
    """As prose in the active language: "March 13, 2025", "March 2025" or "2025"."""
    if not value:
        return "—"
    if precision == "year":
        return date_format(value, "Y")
    if precision == "month":
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


def released_short(value: datetime.date | None, precision: str = "day") -> str:
    """For a table: "2025-03-13", "2025-03" or "2025"."""
    if not value:
        return "—"
    return date_format(value, _SHORT.get(precision, "Y-m-d"))


def released_iso(value: datetime.date | None, precision: str = "day") -> str:
    """ISO 8601 at the date's precision (an HTML ``datetime`` value); "" without a date."""
    if not value:
        return ""
    return value.strftime(_ISO.get(precision, "%Y-%m-%d"))
