"""The estimator's precisions as pages, filters and tools name them.

The pure estimator labels each precision with its technical name ("BF16", "GGUF Q4_K_M"), the
same in every language. The one label that is prose, the published checkpoint's own format,
is translated here.
"""

from django.utils.translation import gettext_lazy as _

from estimator import PRECISIONS
from estimator.precision import NATIVE

_PROSE = {NATIVE: _("Native (as published)")}


def precision_label(key: str):
    """The label of precision ``key`` (the key itself for one the estimator does not know)."""
    if key in _PROSE:
        return _PROSE[key]
    precision = PRECISIONS.get(key)
    return precision.label if precision else key


def precision_choices() -> list[tuple[str, object]]:
    return [(key, precision_label(key)) for key in PRECISIONS]
