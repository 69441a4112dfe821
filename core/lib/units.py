"""Memory units, in one place: binary gibibytes and decimal gigabytes.

Standard library only (the estimator imports it). Accelerator memory is sold and reported in
GiB (an "80 GB" H100 holds 80 GiB); disk sizes and the seed document's "GB" figures are
decimal. Conversions to bytes are exact; conversions from bytes return floats for display.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

# IEC 80000-13 binary prefix: one gibibyte.
GIB = 1024**3
# SI prefix: one gigabyte.
GB = 10**9


def gib_to_bytes(gib: int | Decimal | Fraction) -> int:
    """``gib`` gibibytes in whole bytes, rounded down (exact: no float on the way)."""
    return int(Fraction(gib) * GIB)


def bytes_to_gib(memory_bytes: int | float) -> float:
    """``memory_bytes`` in gibibytes, as a float for charts and text."""
    return memory_bytes / GIB


def bytes_to_gb(memory_bytes: int | float) -> float:
    """``memory_bytes`` in decimal gigabytes, as a float for charts and text."""
    return memory_bytes / GB
