"""No template or static file makes the browser fetch anything from another origin."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
STATIC_DIR = ROOT / "static"

# Elements whose attributes make the browser load something (links people click do not).
LOADING_TAG = re.compile(
    r"<(?:script|link|img|iframe|frame|source|track|video|audio|embed|object|form|image|use"
    r"|input|base|meta)\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
ABSOLUTE_ATTRIBUTE = re.compile(
    r"\b(?:src|href|srcset|action|formaction|poster|data|xlink:href|content)\s*=\s*"
    r"[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
CSS_EXTERNAL = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"']?)(?:https?:)?//", re.IGNORECASE)
CODE_URL = re.compile(r"(?:https?:)?//[a-z0-9][-a-z0-9.]*\.[a-z]{2,}[/\"'\s]", re.IGNORECASE)
# Namespaces are identifiers, never fetched.
NAMESPACES = re.compile(r"https?://www\.w3\.org/[0-9]{4}/(?:svg|xlink|xhtml)[^\"'\s]*")
COMMENTS = re.compile(r"/\*.*?\*/|<!--.*?-->|\{#.*?#\}", re.DOTALL)


def external_references(text: str, suffix: str) -> list[str]:
    """Every place in ``text`` (a template or static file) that would load another origin."""
    text = NAMESPACES.sub("", COMMENTS.sub("", text))
    found = []
    if suffix in {".html", ".svg", ".txt"}:
        for tag in LOADING_TAG.findall(text):
            if ABSOLUTE_ATTRIBUTE.search(tag):
                found.append(tag)
    found += CSS_EXTERNAL.findall(text)
    if suffix in {".js", ".css", ".svg"}:
        found += [url for url in CODE_URL.findall(text) if not url.startswith("//")]
    return found


def _files():
    for folder in TEMPLATE_DIRS:
        yield from (p for p in folder.rglob("*") if p.is_file())
    yield from (p for p in STATIC_DIR.rglob("*") if p.suffix in {".css", ".js", ".svg", ".html"})


def test_no_template_or_static_file_references_another_origin():
    offenders = {}
    for path in _files():
        found = external_references(path.read_text(encoding="utf-8"), path.suffix)
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}


def test_the_check_catches_what_it_must():
    assert external_references('<script src="https://cdn.example.com/x.js"></script>', ".html")
    assert external_references('<link rel="stylesheet" href="//fonts.example.com/a">', ".html")
    assert external_references('<img alt="" src="http://example.com/a.png">', ".html")
    assert external_references("a{background:url(https://example.com/a.png)}", ".css")
    assert external_references('@import "https://example.com/a.css";', ".css")
    assert external_references('fetch("https://example.com/api")', ".js")


def test_the_check_leaves_links_namespaces_and_comments_alone():
    assert not external_references('<a href="https://huggingface.co/{{ repo }}">HF</a>', ".html")
    assert not external_references('<svg xmlns="http://www.w3.org/2000/svg"></svg>', ".html")
    assert not external_references("/*! see https://picocss.com */ a{color:red}", ".css")
    assert not external_references('<link rel="stylesheet" href="/static/app.css">', ".html")
