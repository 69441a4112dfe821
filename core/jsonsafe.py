"""Values PostgreSQL cannot store, found in parsed JSON or YAML before they reach a query."""

import math
from typing import Any, Literal

NUL = "nul"
NOT_FINITE = "not_finite"


def unstorable(value: Any) -> Literal["nul", "not_finite"] | None:
    """The first problem in ``value`` that would fail in the database or on the way back out:
    ``"nul"`` for a NUL character in a string or a key (PostgreSQL text and jsonb cannot hold
    it), ``"not_finite"`` for a NaN or infinite float (jsonb refuses it; a float column stores
    it, but the JSON renderer then cannot write the record back). ``None`` when there is none.

    Walks mappings, lists and tuples iteratively: any depth a parser allowed is fine here.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return NUL
        elif isinstance(item, float):
            if not math.isfinite(item):
                return NOT_FINITE
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return None
