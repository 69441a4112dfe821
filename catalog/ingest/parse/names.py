"""Names guessed from a repository name: variant, slug, kind, version, family (rules: the
package docstring)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from catalog.ingest.parse.checks import _shown
from catalog.ingest.parse.common import (
    EMPTY_SLUG,
    MAX_NAME_CHARS,
    MAX_SLUG_CHARS,
    MAX_VERSION_NAME_CHARS,
    TOO_LONG,
    ParseError,
)


@dataclass(frozen=True)
class NameGuess:
    """The names guessed from a repository name (rules in the package docstring)."""

    name: str
    slug: str
    kind: str
    version_name: str
    version_slug: str
    family: str


def slugify(text: str) -> str:
    """The slug of ``text``: ASCII, lowercase, "-" for ".", "_" and spaces, only ``[a-z0-9-]``,
    no repeated, leading or trailing "-" ("Qwen2.5-7B-Instruct" → "qwen2-5-7b-instruct")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[._\s]+", "-", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9-]", "", slug)
    return re.sub(r"-{2,}", "-", slug).strip("-")


_KIND_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("distilled", frozenset({"distill", "distilled"})),
    ("reasoning", frozenset({"r1", "qwq", "thinking", "reasoning", "reasoner"})),
    ("vision", frozenset({"vl", "vision", "visual"})),
    ("math", frozenset({"math"})),
    ("code", frozenset()),  # any word starting with "code" (Coder, CodeGeeX2, CodeLlama)
    ("base", frozenset({"base"})),  # said outright: "chatglm3-6b-base" is no chat model
    ("instruct", frozenset({"instruct", "it"})),
    ("chat", frozenset()),  # any word starting with "chat" (Chat, ChatGLM3)
)
# Words that end the version part of a name: sizes (7B, 1.5B, 1_8B, 8x7B, 135M), active
# parameters of a mixture of experts (A2.7B), context lengths (4k, 128k), size names, "MoE".
_SIZE_WORD = re.compile(
    r"^(?:\d+x)?\d+(?:[._]\d+)?[bm]$|^a\d+(?:\.\d+)?b$|^\d+k$|^(?:mini|small|medium|moe)$"
)
_DROPPED_AT_END = re.compile(r"^(?:base|instruct|chat|it|\d{4}|\d{6}|\d{8})$")
_PUBLISHER_PREFIXES = frozenset({"meta"})  # "Meta-Llama-3" is the Llama 3 version
_NUMBER_WORD = re.compile(r"^\d+(?:\.\d+)*$")


def _kind(words: list[str]) -> str:
    lowered = [word.lower() for word in words]
    for kind, markers in _KIND_WORDS:
        if kind in ("code", "chat"):
            if any(word.startswith(kind) for word in lowered):
                return kind
        elif markers.intersection(lowered):
            return kind
    return "base"


def _version_name(words: list[str]) -> str:
    stop = next((i for i, word in enumerate(words) if _SIZE_WORD.match(word.lower())), len(words))
    part = words[:stop] or words[:1]
    distill = next((i for i, word in enumerate(part) if word.lower().startswith("distill")), None)
    if distill is not None:
        part = part[: distill + 1]
    while len(part) > 1 and _DROPPED_AT_END.match(part[-1].lower()):
        part = part[:-1]
    if len(part) > 1 and part[0].lower() in _PUBLISHER_PREFIXES:
        part = part[1:]
    name = part[0]
    for word in part[1:]:
        name += (" " if _NUMBER_WORD.match(word) else "-") + word
    return name


def guess_names(repo_name: str, *, where: str = "id") -> NameGuess:
    """Guess the variant name, slug and kind, the version and the family from a repository
    name (the part after "owner/"). Raises :class:`ParseError` naming ``where`` when the name
    leaves no slug or is too long."""
    name = re.sub(r"[-_]hf$", "", repo_name, flags=re.IGNORECASE) or repo_name
    if len(name) > MAX_NAME_CHARS:
        raise ParseError(where, TOO_LONG.format(length=len(name), limit=MAX_NAME_CHARS))
    slug = slugify(name)
    if not slug:
        raise ParseError(where, EMPTY_SLUG.format(value=_shown(repo_name)))
    if len(slug) > MAX_SLUG_CHARS:
        raise ParseError(where, TOO_LONG.format(length=len(slug), limit=MAX_SLUG_CHARS))
    words = [word for word in re.split(r"[-\s]+", name) if word]
    version_name = _version_name(words)[:MAX_VERSION_NAME_CHARS]
    version_slug = slugify(version_name)[:80] or slug[:80]
    letters = re.match(r"[A-Za-z]+", version_name)
    family = letters.group(0).lower() if letters else version_slug.split("-")[0]
    return NameGuess(
        name, slug, _kind(re.split(r"[-_\s]+", name)), version_name, version_slug, family
    )
