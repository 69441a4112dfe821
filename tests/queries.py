"""Query-count assertions that print the SQL when they fail."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action: Callable[[], object]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries), [q["sql"] for q in context.captured_queries]


def assert_same_query_count(
    one: tuple[int, list[str]], many: tuple[int, list[str]], label: str
) -> None:
    """Fail, printing both query lists, when the counts for 1 and for N rows differ."""
    if one[0] != many[0]:
        lines = [f"{label}: {one[0]} queries with 1 row, {many[0]} with 5 rows."]
        lines += ["-- 1 row:", *one[1], "-- 5 rows:", *many[1]]
        raise AssertionError("\n".join(lines))
