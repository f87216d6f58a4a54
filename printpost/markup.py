"""The inline markup editors may use in copy: `*emphasis*`, `**strong**`, `[text](https://…)`.

Parsed by markdown-it-py (CommonMark's rules for delimiters and nesting, so a link is found
before emphasis, a `*` inside a URL is part of the URL, and `*see [this](https://x/y*) now*`
nests properly) with every other rule off: no HTML, entities, backslash escapes, autolinks,
code spans, images, headings or lists, so the rest of the copy prints as written. Two
narrowings of CommonMark, made on the parser's rules rather than by hand:

- only `*` marks emphasis: `_` is in model names and tags (`__init__`, `text_generation`);
- a link is a link only when its destination is a good http(s) URL (`urls.problem`) with no
  title, and its `href` is the destination exactly as written (markdown-it would
  percent-encode it and decode entities in it).

Anything else in brackets stays literal text; `links()` lists what looks like a link so that
load can refuse a bad one with its field and line instead of printing brackets.
"""

from __future__ import annotations

import types
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from markdown_it import helpers as md_helpers
from markdown_it.rules_inline import emphasis as md_emphasis
from markdown_it.rules_inline.link import link as md_link
from markupsafe import Markup, escape

from . import urls


class _NoTitle:
    ok = False


def _destination(state, start: int, end: int) -> str:
    """The destination of the inline link source[start:end] (`[label](destination)`)."""
    label_end = state.md.helpers.parseLinkLabel(state, start, True)
    return state.src[label_end + 2:end - 1].strip(" \t\n")


@cache
def _parser(only_good_links: bool) -> MarkdownIt:
    parser = MarkdownIt("zero", {"maxNesting": 20})
    parser.enable(["emphasis", "link"])
    # `[text](url "title")`: no titles (they would vanish from the printed copy).
    parser.helpers = types.SimpleNamespace(
        parseLinkLabel=md_helpers.parseLinkLabel,
        parseLinkDestination=md_helpers.parseLinkDestination,
        parseLinkTitle=lambda *args, **kwargs: _NoTitle())
    parser.normalizeLink = lambda url: url  # checked below, and kept as written
    parser.validateLink = lambda url: True

    def star_emphasis(state, silent: bool) -> bool:
        return state.src[state.pos] == "*" and md_emphasis.tokenize(state, silent)

    def link(state, silent: bool) -> bool:
        start = state.pos
        if not md_link(state, True):  # is it link syntax, and where does it end?
            return False
        end = state.pos
        state.pos = start
        destination = _destination(state, start, end)
        if not destination or (only_good_links and urls.problem(destination)):
            return False
        if silent:
            state.pos = end
            return True
        first = len(state.tokens)
        md_link(state, False)
        opening = next(token for token in state.tokens[first:] if token.type == "link_open")
        opening.attrs["href"] = destination
        return True

    parser.inline.ruler.at("emphasis", star_emphasis)
    parser.inline.ruler.at("link", link)
    return parser


_TAGS = {"em_open": "<em>", "em_close": "</em>", "strong_open": "<strong>",
         "strong_close": "</strong>", "link_close": "</a>"}


def _tokens(text: str, only_good_links: bool = True):
    [line] = _parser(only_good_links).parseInline(text)
    return line.children or []


def _has_markup(text: str) -> bool:
    return "*" in text or "[" in text


# Cached: compose sets the same copy several times (contents settling, copyfit passes), and
# a paragraph of 6,000 brackets takes the parser a fifth of a second.
@lru_cache(maxsize=4096)
def inline(text: str) -> Markup:
    """Copy as HTML: escaped, with its inline markup as <em>, <strong> and <a href>."""
    if not _has_markup(text):
        return escape(text)
    html = []
    for token in _tokens(text):
        if token.type == "link_open":
            html.append(f'<a href="{escape(token.attrs["href"])}">')
        else:
            html.append(_TAGS.get(token.type) or str(escape(token.content)))
    return Markup("".join(html))


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """Copy with its inline markup taken out (for metadata, the site and checks)."""
    if not _has_markup(text):
        return text
    return "".join(token.content for token in _tokens(text) if token.type == "text")


def links(text: str) -> list[tuple[str, str]]:
    """(text, destination) of everything in `text` written as an inline link, good or not."""
    if "[" not in text:
        return []
    found, label = [], None
    for token in _tokens(text, only_good_links=False):
        if token.type == "link_open":
            label = [token.attrs["href"], ""]
        elif token.type == "link_close" and label:
            found.append((label[1], label[0]))
            label = None
        elif label is not None:
            label[1] += token.content
    return found
