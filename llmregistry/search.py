"""Full-text search: the vector expressions the GIN indexes are built on, and the query
``q`` becomes. One module for models (indexes) and filters (queries), so both use the very
same expression and PostgreSQL can match the index."""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import F, Func, TextField, Value

SEARCH_CONFIG = "simple"  # names and model ids are not English prose: no stemming


def search_vector(*fields) -> SearchVector:
    """The full-text vector of ``fields`` (an index on the same expression serves it)."""
    return SearchVector(*fields, config=SEARCH_CONFIG)


def words(field: str) -> Func:
    """``field`` with punctuation as spaces: the parser reads ``Qwen2.5-7B-Instruct`` as one
    file-name token and ``Llama-3.1-8B`` as negative numbers; ``Qwen2 5 7B Instruct`` is four
    words. (ASCII punctuation only: Chinese text is kept as it is.)"""
    return Func(
        F(field),
        Value("[[:punct:]]+"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


# Operators of PostgreSQL's web search syntax: a quoted phrase, an excluded word, "or".
_WEBSEARCH_SYNTAX = re.compile(r'"|(^|\s)-\w|\s+or\s+', re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
MAX_SEARCH_WORDS = 16


def search_query(text: str) -> SearchQuery:
    """What ``q`` asks for: every word as a prefix (``qwen 7b inst`` finds
    ``Qwen2.5-7B-Instruct``), or PostgreSQL's web search syntax when the text uses it
    (``"exact phrase"``, ``-excluded``, ``or``)."""
    found = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    if _WEBSEARCH_SYNTAX.search(text) or not found:
        return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return SearchQuery(
        " & ".join(f"{word}:*" for word in found), config=SEARCH_CONFIG, search_type="raw"
    )
