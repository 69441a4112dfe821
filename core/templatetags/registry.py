"""Template filters shared by the public pages: numbers people read, the record's own language."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import dates
from core.lib.units import GIB

register = template.Library()

# Decimal (SI) prefixes, as model cards write parameter and token counts ("7B", "1.5T").
_COUNT_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


@register.filter
def count(value, digits: int = 3):
    """``7615616512`` → ``7.62B``: a count with an SI suffix and ``digits`` significant figures."""
    if value in (None, ""):
        return "—"
    number = Decimal(value)
    for size, suffix in _COUNT_UNITS:
        if abs(number) >= size:
            scaled = number / size
            return f"{_significant(scaled, int(digits))}{suffix}"
    return str(int(number))


def _significant(number: Decimal, digits: int) -> str:
    text = f"{float(number):.{digits}g}"
    return text


@register.filter
def gib(value, places: int = 1):
    """Bytes → ``15.2 GiB`` (binary gibibytes, as accelerator memory is sold and reported)."""
    if value in (None, ""):
        return "—"
    amount = (Decimal(value) / GIB).quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)
    return _("%(amount)s GiB") % {"amount": number_format(amount, decimal_pos=int(places))}


@register.filter
def tokens(value):
    """A context length in tokens: ``131072`` → ``128K`` (powers of two, as configs set them)."""
    if value in (None, ""):
        return "—"
    value = int(value)
    if value >= 1024 * 1024 and value % (1024 * 1024) == 0:
        return f"{value // (1024 * 1024)}M"
    if value >= 1024 and value % 1024 == 0:
        return f"{value // 1024}K"
    return number_format(value, force_grouping=True)


@register.filter
def localized(record, field_name: str):
    """``record.localized(field_name)``: the Chinese text under zh-hans where filled in, else
    the English one."""
    if record is None:
        return ""
    return record.localized(field_name)


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, ``None`` when absent."""
    if mapping is None:
        return None
    return mapping.get(key)


# A release date as precisely as its sources give it (core/dates.py): ``released`` reads
# as prose, ``released_short`` fits a table, ``released_iso`` is the HTML ``datetime``.
register.filter("released", dates.released)
register.filter("released_short", dates.released_short)
register.filter("released_iso", dates.released_iso)
