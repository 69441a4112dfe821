"""Full-text search: the vector expressions the GIN indexes are built on, and the query
``q`` becomes. One module for models (indexes) and filters (queries), so both use the very
same expression and PostgreSQL can match the index."""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.db.models.lookups import IContains

SEARCH_CONFIG = "simple"  # names and model ids are not English prose: no stemming
NUMBER_END = "x"  # closes each number of a run-together name: "Qwen2.5-7B" gives qwen2x5x7xb


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


RUN_TOGETHER_FUNCTION = "registry_run_together"
# Installed by catalog's migration 0008; a change to it must come with a migration that
# replaces it and rebuilds the indexes built on it (catalog_variant_names_idx).
RUN_TOGETHER_SQL = rf"""
CREATE OR REPLACE FUNCTION {RUN_TOGETHER_FUNCTION}(name text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    words text[] := regexp_split_to_array(
        regexp_replace(name, '([0-9]+)', '\1{NUMBER_END}', 'g'), '[[:punct:][:space:]]+'
    );
    tail text := '';
    tails text := '';
BEGIN
    FOR i IN REVERSE coalesce(array_length(words, 1), 0)..1 LOOP
        tail := words[i] || tail;
        tails := tails || ' ' || tail;
    END LOOP;
    RETURN tails;
END
$$;
"""


def run_together(field: str) -> SearchVector:
    """``field`` run together from each of its words to its end, every number closed by
    :data:`NUMBER_END` (:data:`RUN_TOGETHER_SQL`): ``Meta-Llama-3-8B`` gives
    ``metallama3x8xb``, ``llama3x8xb``, ``3x8xb`` and ``8xb``. People type names without
    their separators (``llama3``, ``glm4``, ``deepseekr1``, ``qwen 2.5``): run together the
    same way (:func:`run_together_query`), such a query is the start of one of these, a prefix
    match a GIN index answers as it answers words. Closed numbers keep ``qwen3`` from finding
    ``Qwen-32B`` and ``qwen 2.5`` from finding ``Qwen2-57B``. (A function, not an expression
    of regexp_replace calls: it splits the name once, not once per tail, five times cheaper
    to index.)"""
    return search_vector(Func(F(field), function=RUN_TOGETHER_FUNCTION, output_field=TextField()))


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


_NUMBER = re.compile("([0-9]+)")  # the numbers run_together closes (ASCII digits, as in SQL)
MAX_GROUPED_WORDS = 5  # 16 ways to group 5 words: a query of at most ~80 prefixes


def run_together_query(text: str) -> SearchQuery | None:
    """``q`` against names run together (:func:`run_together`): the words of ``text`` in
    groups, each group run together as the start of one, every group found. A word that
    starts with a digit may belong to the group before it (``qwen 2.5`` is ``qwen2.5``,
    ``llama3 8b`` is ``llama38b``), and the whole text may be one name (``deep seek r1``).
    ``None`` for web search syntax (its words are not regrouped) and for text without words."""
    found = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    if _WEBSEARCH_SYNTAX.search(text) or not found:
        return None
    runs: list[list[str]] = []
    for word in found:
        if runs and word[0].isdigit():
            runs[-1].append(word)
        else:
            runs.append([word])
    query = " & ".join(_groupings(run) for run in runs)
    if len(runs) > 1:
        query = f"{query} | {_prefix(found)}"
    return SearchQuery(query, config=SEARCH_CONFIG, search_type="raw")


def _groupings(run: list[str]) -> str:
    """``run`` cut into groups in every way (2^(n-1)): ``qwen 2.5 7b`` is ``qwen``, ``2``,
    ``5`` and ``7b``, or ``qwen2.5`` and ``7b``, or ``qwen2.5 7b``… Past
    :data:`MAX_GROUPED_WORDS` words, every word alone or all of them together."""
    if len(run) == 1:
        return _prefix(run)
    if len(run) > MAX_GROUPED_WORDS:
        return f"( {' & '.join(_prefix([word]) for word in run)} | {_prefix(run)} )"
    ways = [_prefix(run)]
    for cut in range(1, len(run)):
        ways.append(f"{_prefix(run[:cut])} & {_groupings(run[cut:])}")
    return f"( {' | '.join(ways)} )"


def _prefix(words: list[str]) -> str:
    """``words`` run together, numbers closed, as the start of a name run together."""
    joined = "".join(_NUMBER.sub(rf"\1{NUMBER_END}", word.lower()) for word in words)
    return f"{joined}:*"


def compact(expression) -> Func:
    """Text without punctuation and spaces (line breaks kept: they separate the names of a
    haystack), so that ``千问2.5``, ``千问 2.5`` and ``通义千问 2.5`` meet as ``千问25``."""
    return Func(
        expression,
        Value("[[:punct:][:blank:]]+"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def compact_terms(text: str) -> list[str]:
    """The space-separated terms of ``text`` without punctuation (:func:`compact` in Python);
    text in web search syntax is one term, as it was typed."""
    terms = [text] if _WEBSEARCH_SYNTAX.search(text) else text.split()
    compacted = (re.sub(r"[\W_]+", "", term) for term in terms)
    return [term for term in compacted if term][:MAX_SEARCH_WORDS]


def names_hold(text: str, fields: tuple[str, ...], arrays: tuple[str, ...] = ()) -> Q:
    """Rows whose names (``fields``, and the elements of the array fields ``arrays``) hold each
    term of ``text`` as a substring, punctuation and spaces left out on both sides. The terms
    may sit in different names: ``深度求索 R1`` is a family's Chinese name and a version's.
    A substring match, not words: Chinese is written without spaces. No index: for the small
    tables of names (organisations, families, versions), read in one pass."""
    terms = compact_terms(text)
    if not terms:
        return Q(pk__in=[])
    names = [compact(F(name)) for name in fields] + [
        compact(Func(F(name), Value("\n"), function="array_to_string", output_field=TextField()))
        for name in arrays
    ]
    # One name a line: a term (never holding a line break) cannot run from one into the next.
    haystack = Concat(
        *(part for name in names for part in (name, Value("\n"))), output_field=TextField()
    )
    condition = Q()
    for term in terms:
        condition &= Q(IContains(haystack, term))
    return condition
