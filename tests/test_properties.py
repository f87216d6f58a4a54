"""Property-based tests (Hypothesis): generated editions, valid and broken.

Valid editions: every section, lengths within the model's bounds (kept small enough to render
in a few seconds), copy in many scripts (Latin with accents, Greek, Cyrillic, Hebrew and
Arabic), combining marks, zero-width characters, emoji and 200-letter words, drawn only from
characters the bundled fonts cover. Each loads exactly as written, builds, and reads back:
every headline and the first and last word of every paragraph are in the PDF's text, and no
letter is set past its column or the page.

Broken editions: mutated fields, wrong types, missing and unknown keys, deep nesting, junk
bytes and the wrong text encoding. Each is refused with `load.InvalidIssue`, one line per
problem; for a few the CLI is run too (exit 2, `error:` lines, no traceback).

Profiles: `default` (local) and `ci` (chosen when CI=true; derandomized, so CI is
reproducible) keep this file around a minute; HYPOTHESIS_PROFILE=long runs 10,000 examples
of each cheap property and 100 rendered editions (see the README's "Reliability").
"""

from __future__ import annotations

import copy as copy_module
import datetime as dt
import io
import json
import html
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pdfcheck import FOLIO_BAND, place_differences, placed_text, squash
from printpost import compose, glyphs, load, pipeline, wordbreaks
from printpost.engine.patches import EngineOptions
from printpost.formats import get_format
from printpost.models import FIRST_ISSUE_DATE, Issue, issue_number

from conftest import TYPESETTER

A4 = get_format("a4")

# ---- profiles ------------------------------------------------------------------------------

settings.register_profile(
    "default", max_examples=150, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much])
# CI: a fixed seed and fewer examples, to keep the whole suite well under 10 minutes.
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True,
                          max_examples=50)
settings.register_profile("long", parent=settings.get_profile("default"), max_examples=10_000)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "default")
settings.load_profile(PROFILE)
RENDERED = {"long": 100, "ci": 4}.get(PROFILE, 8)  # editions laid out and read back (~3 s each)
# Characters of copy in one rendered edition: larger ones take up to half a minute each to
# lay out, so the bounded runs stay small; the long run has no cap.
RENDERED_SIZE = {"long": 10**9}.get(PROFILE, 8_000)
CLI_RUNS = {"long": 30}.get(PROFILE, 3)  # broken files through `python -m printpost build`

SCHEMA = Issue.model_json_schema()

# ---- the alphabet: what the bundled fonts cover -------------------------------------------

COVERED = glyphs.covered_codepoints()


def _letters(first: int, last: int) -> str:
    return "".join(chr(point) for point in range(first, last + 1)
                   if point in COVERED and unicodedata.category(chr(point)).startswith("L"))


SCRIPTS = {
    "latin": string.ascii_letters + string.digits + _letters(0xC0, 0x24F),
    "greek": _letters(0x370, 0x3FF),
    "cyrillic": _letters(0x400, 0x4FF),
    "hebrew": _letters(0x5D0, 0x5EA),
    "arabic": _letters(0x621, 0x64A),
}
RTL_SCRIPTS = ("hebrew", "arabic")
COMBINING = "".join(chr(point) for point in range(0x300, 0x370) if point in COVERED)
EMOJI = "".join(chr(point) for point in range(0x1F300, 0x1FB00)
                if point in COVERED and unicodedata.category(chr(point)) == "So")
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u00ad"  # ZWSP, ZWNJ, ZWJ, word joiner, soft hyphen
ZERO_WIDTH_ALONE = "\u200b\u2060\u00ad"  # those that never join the letters beside them
PUNCTUATION = ".,;:!?'\"()&<>{}%#@/=+–—…«»“”$€£°"  # no * [ ]: those are the inline markup
ZWJ, VS16 = "\u200d", "\ufe0f"
LONG_WORD = 200

assert all(len(letters) > 20 for letters in SCRIPTS.values()), SCRIPTS
assert len(COMBINING) > 50 and len(EMOJI) > 500
assert all(ord(char) in COVERED for char in PUNCTUATION + ZERO_WIDTH + VS16)


# Arabic letters join, and WeasyPrint 70 measures a word it breaks (overflow-wrap) before
# the letters at the break take their final and initial forms, so the pieces of a long
# Arabic word can end a few pixels past their column: see test_a_long_arabic_word_...
LONG_SCRIPTS = sorted(set(SCRIPTS) - {"arabic"})
MAX_ARABIC_WORD = 6


def _word(rng: random.Random, kind: str, clusters: bool, longest: int = 12) -> str:
    """One word of a kind: a script's letters, emoji, or a long unbroken word. With
    `clusters`, also letters with combining marks, emoji joined by ZWJ or followed by VS16,
    and ZWJ/ZWNJ inside words: characters that shape into one cluster of several glyphs."""
    if kind == "emoji":
        chars = rng.choices(EMOJI, k=rng.randint(1, 3))
        if not clusters:
            return "".join(chars)
        return rng.choice(("", ZWJ)).join(chars) + rng.choice(("", VS16))
    if kind.startswith("long"):  # an unbroken word: no spaces, no hyphens, no break at all
        return "".join(rng.choices(SCRIPTS[rng.choice(LONG_SCRIPTS)], k=int(kind[4:])))
    most = min(MAX_ARABIC_WORD, longest) if kind == "arabic" else longest
    chars = rng.choices(SCRIPTS[kind], k=rng.randint(1, most))
    if clusters and kind not in RTL_SCRIPTS and rng.random() < 0.3:  # combining marks
        chars = [char + "".join(rng.choices(COMBINING, k=rng.choice((0, 0, 1, 2))))
                 for char in chars]
    if len(chars) > 1 and rng.random() < 0.15:  # a zero-width character inside
        chars.insert(rng.randint(1, len(chars) - 1),
                     rng.choice(ZERO_WIDTH if clusters else ZERO_WIDTH_ALONE))
    word = "".join(chars)
    if kind == "latin":
        if rng.random() < 0.15:
            word = rng.choice(PUNCTUATION) + word
        if rng.random() < 0.15:
            word += rng.choice(PUNCTUATION)
        if rng.random() < 0.08:
            word = rng.choice(("*{}*", "**{}**")).format(word)  # inline markup
    return word


@st.composite
def copy(draw, max_length: int, max_words: int = 12, long: int = 0, clusters: bool = True,
         letters_only: bool = False, longest: int = 12) -> str:
    """Words joined by spaces, as many as fit in max_length (at least one). Hypothesis draws
    the kinds of word (so it can shrink to the kind that fails); a seeded generator draws
    their letters (hundreds of draws per field would make examples too big)."""
    kinds = [*SCRIPTS] + ([] if letters_only else ["emoji"])
    kinds += [f"long{long}"] if long and long <= max_length else []
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=max_words))
    rng = random.Random(draw(st.integers(0, 2**32)))
    text = ""
    for kind in chosen:
        word = _word(rng, kind, clusters, longest)
        candidate = f"{text} {word}" if text else word
        if len(candidate) <= max_length:
            text = candidate
    assume(text)
    return text


# Copy within each kind of field's bounds (models.py): Label 80, Headline 200, Blurb 400,
# Dek 600, Paragraph 6000 characters.
LENGTHS = {"label": (80, 6, 80), "headline": (200, 12, LONG_WORD), "blurb": (400, 20, LONG_WORD),
           "dek": (600, 20, LONG_WORD), "paragraph": (6000, 30, LONG_WORD)}


def field_copy(kind: str, clusters: bool = True):
    max_length, max_words, long = LENGTHS[kind]
    return copy(max_length, max_words=max_words, long=long, clusters=clusters)


def urls():
    safe = string.ascii_letters + string.digits + "-._~/?=&%#+"
    return st.builds(lambda scheme, host, path: f"{scheme}://{host}.example/{path}",
                     st.sampled_from(("http", "https")),
                     st.text(string.ascii_lowercase, min_size=1, max_size=12),
                     st.text(safe, max_size=60))


# What fits the nameplate (one line of title, ears 30 mm wide and 72 pt high, one line of
# tagline) and the dateline (24 pt), in characters of words of at most 8 letters of the widest
# of each script (Щ, W, Ϣ: checked by hand). The model allows 80 in each of these fields.
NAMEPLATE_FITS = {"title": 12, "tagline": 30, "motto": 80, "location": 12, "condition": 8}


def _maybe(draw, section: dict, key: str, strategy, none: bool = False) -> None:
    """Leave an optional field out, set it, or (where the model allows) set it to null."""
    choice = draw(st.integers(0, 2 if none else 1))
    if choice == 1:
        section[key] = draw(strategy)
    elif choice == 2:
        section[key] = None


@st.composite
def editions(draw) -> dict:
    """The data of a valid edition, as a YAML or JSON file would hold it. Half of them
    have multi-glyph clusters (see _word)."""
    clusters = draw(st.booleans())

    def label():
        return field_copy("label", clusters)

    def headline():
        return field_copy("headline", clusters)

    def blurb():
        return field_copy("blurb", clusters)

    def dek():
        return field_copy("dek", clusters)

    def paragraph():
        return field_copy("paragraph", clusters)

    day = draw(st.dates(FIRST_ISSUE_DATE, dt.date(2099, 12, 31)))

    def nameplate(length):
        """The nameplate and dateline are fixed in size: copy there is kept to what fits
        (NAMEPLATE_FITS); test_known_layout_limits shows what longer copy does."""
        return copy(length, max_words=10, clusters=clusters, letters_only=True, longest=8)

    edition = {"date": day.isoformat(), "location": draw(nameplate(NAMEPLATE_FITS["location"])),
               "weather": {"temperature_c": draw(st.integers(-60, 60)),
                           "condition": draw(nameplate(NAMEPLATE_FITS["condition"]))}}
    _maybe(draw, edition, "issue", st.just(issue_number(day)), none=True)
    for key in ("title", "tagline", "motto"):
        _maybe(draw, edition, key, nameplate(NAMEPLATE_FITS[key]))
    _maybe(draw, edition, "established", st.integers(1900, 2100))

    def body(most):
        return st.lists(paragraph(), min_size=1, max_size=most)

    lead = {"score": draw(st.integers(0, 10)), "headline": draw(headline()),
            "dek": draw(dek()), "body": draw(body(3))}
    _maybe(draw, lead, "kicker", label())
    _maybe(draw, lead, "metrics", st.fixed_dictionaries(
        {"rows": st.lists(st.fixed_dictionaries(
            {"label": label(), "value": copy(12, max_words=2, long=12, clusters=clusters)},
            optional={"trend": st.sampled_from(("up", "down", "flat"))}), min_size=1, max_size=3)},
        optional={"title": label()}), none=True)
    deep_dive = {"headline": draw(headline()), "body": draw(body(3))}
    for key in ("kicker", "label"):
        _maybe(draw, deep_dive, key, label())
    _maybe(draw, deep_dive, "dek", dek(), none=True)
    _maybe(draw, deep_dive, "pull_quote", blurb(), none=True)
    opinion = {"columns": draw(st.lists(st.fixed_dictionaries(
        {"role": label(), "headline": headline(), "body": body(2)},
        optional={"byline": label()}), min_size=1, max_size=4))}
    _maybe(draw, opinion, "title", label())
    tools = {"items": draw(st.lists(st.fixed_dictionaries(
        {"name": label(), "description": blurb()}, optional={"url": urls()}),
        min_size=1, max_size=3))}
    _maybe(draw, tools, "title", label())
    _maybe(draw, tools, "intro", blurb(), none=True)
    trending = {
        "huggingface": draw(st.lists(st.fixed_dictionaries(
            {"name": label()},
            optional={"kind": st.sampled_from(("model", "dataset", "space")),
                      "tags": st.lists(label(), max_size=3), "downloads": label()}), max_size=2)),
        "github": draw(st.lists(st.fixed_dictionaries(
            {"name": label(), "description": blurb()},
            optional={"language": label(), "stars": st.integers(0, 10**12)}), max_size=2)),
    }
    _maybe(draw, trending, "title", label())
    _maybe(draw, trending, "intro", blurb(), none=True)
    data = {"edition": edition, "lead": lead, "deep_dive": deep_dive, "opinion": opinion,
            "tools": tools, "trending": trending,
            "reading": draw(st.lists(st.fixed_dictionaries(
                {"title": headline(), "description": blurb()}, optional={"url": urls()}),
                min_size=1, max_size=3)),
            "subscribe": draw(st.fixed_dictionaries(
                {"blurb": blurb(), "url": urls()},
                optional={"headline": headline(), "call_to_action": label(),
                          "scan_label": label()}))}
    _maybe(draw, data, "movers", st.lists(st.fixed_dictionaries(
        {"name": label(), "change": label(), "direction": st.sampled_from(("up", "down"))},
        optional={"note": blurb()}), max_size=2))
    # Every section but the edition, the lead and the deep dive may be left out.
    for name in ("opinion", "tools", "trending", "movers", "reading", "subscribe"):
        if name in data and draw(st.integers(0, 4)) == 0:
            del data[name]
    return data


def dump(data: dict, kind: str, ascii_only: bool = False) -> str:
    if kind == "json":
        return json.dumps(data, ensure_ascii=ascii_only, indent=1)
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = not ascii_only
    # No line wrapping: ruamel's emitter can wrap an escaped (ASCII-only) double-quoted string
    # inside a word without the escaping backslash, which reads back with a space there.
    yaml.width = 10**9
    # Block style, as editors write it (ruamel's emitter writes "?x" unquoted in a flow list,
    # where its parser reads "?" as a key).
    yaml.default_flow_style = False
    yaml.representer.ignore_aliases = lambda *args: True  # repeated items written out in full
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def files():
    """(data, file text, suffix) of valid editions."""
    return st.tuples(editions(), st.sampled_from(("yaml", "json")), st.booleans()).map(
        lambda args: (args[0], dump(args[0], args[1], args[2]), args[1]))


def _as_written(expected, actual, path="") -> list[str]:
    """Every value the file holds, compared with what the model made of it."""
    if isinstance(expected, dict):
        return [diff for key, value in expected.items()
                for diff in _as_written(value, actual.get(key), f"{path}.{key}")]
    if isinstance(expected, list) and isinstance(actual, dict) and "items" in actual:
        actual = actual["items"]  # a listing written as the bare list of its items
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(actual)} items, not {len(expected)}"]
        return [diff for index, (value, got) in enumerate(zip(expected, actual))
                for diff in _as_written(value, got, f"{path}[{index}]")]
    if expected is None and path == ".edition.issue":
        return []  # left for the model to derive (checked by the caller)
    return [] if expected == actual else [f"{path}: {actual!r} != {expected!r}"]


# ---- valid editions ------------------------------------------------------------------------

@given(files())
def test_valid_editions_load_exactly_as_written(example):
    data, text, suffix = example
    issue = load.parse(text, f"generated.{suffix}")
    dumped = issue.model_dump(mode="json")
    assert _as_written(data, dumped) == []
    assert issue.edition.number == issue_number(issue.edition.date)
    assert glyphs.missing_glyphs(issue) == []  # the alphabet is what the fonts cover


def _clean(text: str, marks: bool = True) -> str:
    """Text as compared with the PDF's: compatibility-normalised (a base letter and its
    combining accent read as the accented letter; Arabic presentation forms as letters),
    without format characters (zero-width spaces and joiners, soft hyphens, bidi marks) or
    variation selectors, which draw nothing, and without white space or hyphens (line ends)."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf"
                   and not 0xFE00 <= ord(char) <= 0xFE0F
                   and (marks or not unicodedata.category(char).startswith("M")))
    return squash(text)


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def _paragraphs(issue: Issue) -> list[tuple[str, str]]:
    found = [(f"lead.body[{i}]", p) for i, p in enumerate(issue.lead.body)]
    found += [(f"deep_dive.body[{i}]", p) for i, p in enumerate(issue.deep_dive.body)]
    for c, column in enumerate(issue.opinion.columns if issue.opinion else []):
        found += [(f"opinion.columns[{c}].body[{i}]", p) for i, p in enumerate(column.body)]
    found += [("lead.dek", issue.lead.dek)]
    if issue.deep_dive.dek:
        found.append(("deep_dive.dek", issue.deep_dive.dek))
    found += [(f"reading[{i}].description", r.description)
              for i, r in enumerate(issue.reading.items if issue.reading else [])]
    found += [(f"tools.items[{i}].description", t.description)
              for i, t in enumerate(issue.tools.items if issue.tools else [])]
    if issue.subscribe:
        found.append(("subscribe.blurb", issue.subscribe.blurb))
    return found


def _has_clusters(issue: Issue) -> bool:
    """Copy with characters that shape into one cluster of several glyphs: a letter with
    combining marks, an emoji with a variation selector, ZWJ or ZWNJ between letters, a
    soft hyphen between Arabic letters (transparent to joining: 'ل\xadأ' is one lam-alef
    glyph, which pypdf reads back without its lam; found by the random Hypothesis profile)."""
    return any(unicodedata.category(char) in ("Mn", "Me") or char in "\u200c\u200d"
               for _, text in glyphs._strings(issue, "") for char in text) or any(
        _ARABIC_SOFT_HYPHEN.search(text) for _, text in glyphs._strings(issue, ""))


_ARABIC_SOFT_HYPHEN = re.compile("[\u0600-\u06ff]\u00ad+[\u0600-\u06ff]")


def layout_text(document) -> str:
    """The text of every text box WeasyPrint laid out, running heads and feet left out, in
    the order of the box tree (the copy's logical order), each block's lines together: a
    paragraph that runs on to the next page reads whole, although on that page boxes set
    before it in the tree (a contents box beside its columns) come first."""
    from weasyprint.formatting_structure import boxes

    blocks: dict[int, list[str]] = {}  # a block element's text, from every page it is on

    def walk(box, block):
        if isinstance(box, boxes.TextBox):
            blocks.setdefault(id(block), []).append(box.text)
        elif not isinstance(box, boxes.MarginBox):
            if isinstance(box, boxes.BlockContainerBox) and box.element is not None:
                block = box.element
            for child in getattr(box, "children", ()):
                walk(child, block)

    for page in document.pages:
        walk(page._page_box, None)
    return " ".join(" ".join(parts) for parts in blocks.values())


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pypdf reads it, in the order it is drawn (pdfium, pdfcheck.text_of,
    sorts by position, and mixes a line set in fallback fonts with the line below it), the
    running heads and feet left out (as text_of does) so that a paragraph runs on."""
    import pypdf

    parts = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        height = float(page.mediabox.height)

        def keep(text, cm, tm, font, size, height=height):
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if FOLIO_BAND < y < height - FOLIO_BAND:
                parts.append(text)

        page.extract_text(visitor_text=keep)
    return "".join(parts)


# Arabic letters that join the letter before them but never the one after.
RIGHT_JOINING = set("\u0622\u0623\u0624\u0625\u0627\u0629\u062f\u0630\u0631\u0632\u0648"
                    "\u0671\u0688\u0691\u0698")


NON_JOINING = "\u200b\u200c\u00ad"  # zero-width space, zero-width non-joiner, soft hyphen


def _joined(word: str) -> list[str]:
    """The pieces of a word's letters that are drawn joined: the word breaks after each
    letter that does not join the next, and at each character that joins nothing."""
    pieces, current = [], ""
    for char in word:
        if char in NON_JOINING:
            pieces.append(current)
            current = ""
            continue
        current += char
        if char in RIGHT_JOINING:
            pieces.append(current)
            current = ""
    return [run for piece in pieces + [current] for run in _letter_runs(piece)]


def _letter_runs(word: str) -> list[str]:
    """The runs of letters of one direction in `word` (other characters dropped)."""
    runs, current, direction = [], "", None
    for char in word:
        if char == "\u00ad" and current:  # a soft hyphen: the word may break there
            runs.append(current)
            current, direction = "", None
            continue
        if unicodedata.category(char) == "Cf":
            continue  # other zero-width characters draw nothing and split nothing
        kind = unicodedata.bidirectional(char)
        kind = "R" if kind in ("R", "AL") else kind
        if kind in ("L", "R") or (unicodedata.category(char).startswith("M") and current):
            if kind in ("L", "R") and kind != direction and current:
                runs.append(current)
                current = ""
            direction = kind if kind in ("L", "R") else direction
            current += char
        elif current:
            runs.append(current)
            current, direction = "", None
    return [run for run in runs + [current] if run]


def missing_copy(issue: Issue, text: str, *, pdf: bool = False, marks: bool = True) -> list[str]:
    """Every headline and paragraph (deks, descriptions and blurbs too), whole, and its first
    and last word, that `text` does not contain. In the PDF's text (`pdf`), paragraphs are
    looked for by their first and last word only, and headlines with right-to-left letters
    word by word; emoji among right-to-left words and right-to-left words too long for a
    line, which are reordered with the words beside them, are not looked for there."""
    printed = _clean(text, marks)

    def absent(piece, context):
        if pdf and _is_rtl(context):
            if not any(unicodedata.bidirectional(char) in ("L", "R", "AL") for char in piece):
                return False  # emoji among right-to-left words
            if _is_rtl(piece) and len(piece) > 20:
                return False  # a right-to-left word broken over lines: reordered per line
            # Digits and punctuation take the direction of the letters around them, so in
            # display order they may stand apart from their word: look for its letters. An
            # Arabic word is drawn in pieces where its letters do not join (after ا, د, ر,
            # و…, and at a zero-width space or non-joiner), and read back in the order the
            # pieces were drawn: then look for each piece.
            if all(_clean(run, marks) in printed for run in _letter_runs(piece)):
                return False
            return not all(_clean(part, marks) in printed for part in _joined(piece))
        return bool(_clean(piece, marks)) and _clean(piece, marks) not in printed

    missing = []
    for index, headline_text in enumerate(issue.headlines()):
        plain = compose.plain(headline_text)
        pieces = plain.split() if pdf and _is_rtl(plain) else [plain]
        missing += [f"headline {index} {piece!r}" for piece in pieces if absent(piece, plain)]
    for field, paragraph_text in _paragraphs(issue):
        plain = compose.plain(paragraph_text)
        found = plain.split()
        if pdf:
            # A very long word gets break opportunities (wordbreaks.py) and may run over a
            # page, whose other boxes are drawn before the rest of it: the paragraph starts
            # with its first word's first run and ends with its last word's last run.
            pieces = {_runs(found[0])[0], _runs(found[-1])[-1]}
        else:
            pieces = {found[0], found[-1], plain}
        missing += [f"{field} {piece[:60]!r}" for piece in sorted(pieces)
                    if absent(piece, plain)]
    return missing


def _runs(word: str) -> list[str]:
    """`word` cut where compose gives it added break opportunities (wordbreaks.py)."""
    marked = wordbreaks.break_long_runs(html.escape(word, quote=False))
    return html.unescape(marked).split(wordbreaks.BREAK)


def _class_of(box) -> str:
    element = getattr(box, "element", None)
    return (element.get("class") or "") if element is not None else ""


def clipped_text(rendered) -> list[str]:
    """Letters outside the page's content area (PDF), and text boxes reaching past the box
    they are set in: their line's block and every block or flex box around it, across (and
    down, for boxes of a fixed height) (layout)."""
    import pypdfium2
    from weasyprint.formatting_structure import boxes

    problems = []
    pdf = pypdfium2.PdfDocument(rendered.pdf)
    try:
        for index, page in enumerate(rendered.document.pages):
            page_box = page._page_box
            left = page_box.content_box_x() * 0.75  # CSS px → PDF points
            right = (page_box.content_box_x() + page_box.width) * 0.75
            pdf_page = pdf[index]
            width, height = pdf_page.get_size()
            textpage = pdf_page.get_textpage()
            for char_index in range(textpage.count_chars()):
                char = textpage.get_text_range(char_index, 1)
                if not char.strip():
                    continue
                x0, y0, x1, y1 = textpage.get_charbox(char_index)
                # A letter's ink may hang a little past its advance (a g's tail, an italic):
                # up to a quarter of its size, not more.
                overhang = pypdfium2.raw.FPDFText_GetFontSize(textpage, char_index) / 4 + 0.5
                if (x0 < left - overhang or x1 > right + overhang or x0 < 0 or x1 > width
                        or y0 < 0 or y1 > height):
                    problems.append(f"page {index + 1}: {char!r} at x {x0:.0f}–{x1:.0f} pt "
                                    f"(text area {left:.0f}–{right:.0f} of {width:.0f})")
                    break
    finally:
        pdf.close()

    def walk(box, frames):
        if isinstance(box, boxes.TextBox) and box.text.strip():
            # WeasyPrint 70 measures a line with Arabic letters before they take their
            # joining forms (see KNOWN_LIMITS): such a line may run up to 3 px (2 pt) wide.
            slack = 3 if any(unicodedata.bidirectional(char) == "AL" for char in box.text) else 1
            x0, x1 = box.position_x, box.position_x + box.margin_width()
            y0, y1 = box.position_y, box.position_y + box.margin_height()
            for frame in reversed(frames):  # the innermost box it runs past
                left, right = frame.content_box_x(), frame.content_box_x() + frame.width
                top, bottom = frame.border_box_y(), frame.border_box_y() + frame.border_height()
                fixed = frame.style["height"] != "auto"  # boxes that do not grow with their text
                if x0 < left - slack or x1 > right + slack or (
                        fixed and (y0 < top - 1 or y1 > bottom + 1)):
                    problems.append(f"{box.text[:30]!r} at x {x0:.0f}–{x1:.0f}, y {y0:.0f}–{y1:.0f}"
                                    f" px runs past <{frame.element_tag} class="
                                    f"{_class_of(frame)!r}> (x {left:.0f}–{right:.0f}, "
                                    f"y {top:.0f}–{bottom:.0f} px)")
                    return
            return
        if isinstance(box, (boxes.BlockContainerBox, boxes.FlexContainerBox)) \
                and not isinstance(box, boxes.PageBox) and box.width is not None:
            frames = [*frames, box]
        for child in getattr(box, "children", ()):
            walk(child, frames)

    for page in rendered.document.pages:
        walk(page._page_box, [])
    return problems


@given(files())
@settings(max_examples=RENDERED)
def test_valid_editions_build_and_print_every_headline_and_paragraph(example):
    data, text, suffix = example
    assume(len(text) <= RENDERED_SIZE)
    issue = load.parse(text, f"generated.{suffix}")
    loaded = load.LoadedIssue(path=Path(f"generated.{suffix}"), issue=issue,
                              source=text.encode("utf-8"))
    rendered = TYPESETTER.render(loaded, A4, keep_document=True)
    note(f"{rendered.pages} pages")
    assert rendered.pages >= 1
    assert rendered.fetches.refused == []
    # All of the copy was laid out, and none of it runs past its column or the page.
    assert missing_copy(issue, layout_text(rendered.document)) == []
    assert clipped_text(rendered) == []
    # The PDF's own text has it too. (WeasyPrint 70 maps each glyph to text once, from the
    # first cluster it is drawn in, so once one glyph is shared by clusters of several
    # characters, e.g. emoji joined by ZWJ, the PDF's text reads back wrongly: such
    # editions are checked in the layout only.)
    if _has_clusters(issue):
        note("multi-glyph clusters: the PDF's text is not compared")
    else:
        assert missing_copy(issue, pdf_text(rendered.pdf), pdf=True) == []


@given(files())
@settings(max_examples=RENDERED)
def test_lines_kept_for_a_second_layout_are_the_lines_set_again(example):
    """printpost/engine/linebreaks.py reuses a paragraph's lines when it is laid out again as wide
    (the listing's columns, the opinion row): on any copy, the same lines at the same places
    as setting every line anew, and the same text in the PDF."""
    data, text, suffix = example
    assume(len(text) <= RENDERED_SIZE)
    issue = load.parse(text, f"generated.{suffix}")
    loaded = load.LoadedIssue(path=Path(f"generated.{suffix}"), issue=issue,
                              source=text.encode("utf-8"))
    kept = TYPESETTER.render(loaded, get_format("press"), keep_document=True)
    set_again = pipeline.Typesetter(EngineOptions(lines="fresh")).render(
        loaded, get_format("press"), keep_document=True)
    assert place_differences(placed_text(kept.document),
                            placed_text(set_again.document)) == []
    assert pdf_text(kept.pdf) == pdf_text(set_again.pdf)


def test_the_read_back_checks_can_fail(tmp_path):
    """The checks above are not vacuous: a headline that is not printed is missed, and a
    200-letter word in a fixed-width box that may not wrap is found past its box."""
    from printpost import render

    issue = load.parse(SMALL_SAMPLE, "small.yaml")
    html = compose.compose(issue, A4)
    html = html.replace(compose.inline(issue.lead.headline), "Something else entirely", 1)
    html = html.replace("</body>", f'<p style="width: 30mm; white-space: nowrap">{"W" * 200}</p>'
                                   "</body>")
    rendered = render.render(html, created="2026-04-19T06:00:00Z", keep_document=True)
    assert any(issue.lead.headline in problem
               for problem in missing_copy(issue, pdf_text(rendered.pdf), pdf=True))
    assert any(issue.lead.headline in problem
               for problem in missing_copy(issue, layout_text(rendered.document)))
    problems = clipped_text(rendered)
    assert any("page" in problem for problem in problems)
    assert any("WWWW" in problem and "runs past <p" in problem for problem in problems)


SMALL_DATA = {
    "edition": {"date": "2026-04-19", "location": "Manchester",
                "weather": {"temperature_c": 6, "condition": "Cloudy"}},
    "lead": {"score": 7, "headline": "Efficiency wins", "dek": "A dek.", "body": ["One paragraph."]},
    "deep_dive": {"headline": "Smaller models", "body": ["Another paragraph."]},
    "opinion": {"columns": [{"role": "Editor", "headline": "Opinion", "body": ["Views."]}]},
    "tools": {"items": [{"name": "Tool", "description": "Does things."}]},
    "trending": {"github": [{"name": "a/b", "description": "A repository.", "stars": 5}]},
    "reading": [{"title": "Reading", "description": "Worth it."}],
    "subscribe": {"blurb": "Daily.", "url": "https://aimorningpost.example/subscribe"},
}
SMALL_SAMPLE = dump(SMALL_DATA, "yaml")


KNOWN_LIMITS = {
    # The nameplate is one line of title (white-space: nowrap) and 72 pt high, its ears
    # 30 mm wide, the dateline 24 pt high (layouts/base.css); the model allows 80 characters
    # in each of these fields.
    "long title": {"edition": {"title": "The Artificial Intelligence Morning Post"}},
    "long location and weather": {"edition": {
        "location": "Greater Manchester Combined Authority, North West England",
        "weather": {"temperature_c": -12, "condition": "Freezing fog with occasional snow flurries"}}},
    "long tagline, unbroken motto": {"edition": {
        "tagline": "Artificial Intelligence • Machine Learning • Future Tech • Robotics • Policy",
        "motto": "M" * 80}},
}
# WeasyPrint 70 measures a word it breaks (overflow-wrap) before the letters at the break take
# their joining forms, so the pieces of a long Arabic word ran a few points past their column
# (a known limit until compose gave long words break opportunities: printpost/wordbreaks.py).
LONG_ARABIC_WORD = {"lead": {"body": ["كلمة " + "مستقبلية" * 25]}}


def _merged(base: dict, changes: dict) -> dict:
    merged = copy_module.deepcopy(base)
    for key, value in changes.items():
        merged[key] = _merged(merged[key], value) if isinstance(value, dict) else value
    return merged


@pytest.mark.parametrize("case", KNOWN_LIMITS)
@pytest.mark.xfail(strict=True, reason="known limits of the layout (see KNOWN_LIMITS), valid "
                   "copy that runs past its box; strict, so a fix shows up as XPASS")
def test_known_layout_limits(case):
    text = dump(_merged(SMALL_DATA, KNOWN_LIMITS[case]), "yaml")
    issue = load.parse(text, f"{case}.yaml")
    rendered = TYPESETTER.render(load.LoadedIssue(Path(f"{case}.yaml"), issue, b""), A4,
                                 keep_document=True)
    assert clipped_text(rendered) == []


def test_a_long_arabic_word_is_broken_within_its_column():
    text = dump(_merged(SMALL_DATA, LONG_ARABIC_WORD), "yaml")
    issue = load.parse(text, "arabic.yaml")
    rendered = TYPESETTER.render(load.LoadedIssue(Path("arabic.yaml"), issue, b""), A4,
                                 keep_document=True)
    assert clipped_text(rendered) == []
    assert missing_copy(issue, layout_text(rendered.document)) == []


def test_a_combining_mark_from_a_fallback_font_reads_back_in_its_word():
    """WeasyPrint 70 draws a mark that the text font lacks (set in a fallback font) after
    the rest of its line; read in drawing order, as pdf_text reads, it is still found in
    its word (pdfium's position-sorted text, pdfcheck.text_of, loses it)."""
    text = dump(_merged(SMALL_DATA, {"lead": {"headline": "Zw\u0342q wins"}}), "yaml")
    issue = load.parse(text, "marks.yaml")
    assert "\u0342" in issue.lead.headline
    rendered = TYPESETTER.render(load.LoadedIssue(Path("marks.yaml"), issue, b""), A4,
                                 keep_document=True)
    assert missing_copy(issue, layout_text(rendered.document)) == []  # laid out in full
    assert missing_copy(issue, pdf_text(rendered.pdf), pdf=True) == []


# ---- characters no bundled font has ---------------------------------------------------------

UNCOVERED = [chr(point) for point in (*range(0x4E00, 0x4E40), *range(0x0E01, 0x0E2F),
                                      *range(0x0905, 0x0939), *range(0xAC00, 0xAC20))
             if point not in COVERED]


def _text_fields(data, path=""):
    """Paths of every copy field of the data (not dates, URLs or fixed choices)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in ("date", "url", "kind", "trend", "direction"):
                yield from _text_fields(value, f"{path}.{key}" if path else key)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _text_fields(value, f"{path}[{index}]")
    elif isinstance(data, str):
        yield path


def _get(data, path):
    node = data
    for part in re.findall(r"[^.\[\]]+", path):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _set(data, path, value):
    parts = re.findall(r"[^.\[\]]+", path)
    node = _get(data, ".".join(parts[:-1])) if len(parts) > 1 else data
    key = parts[-1]
    node[int(key) if isinstance(node, list) else key] = value


@given(editions(), st.data())
def test_a_character_no_bundled_font_has_is_reported_with_its_field(data, draw):
    assert UNCOVERED and not any(ord(char) in COVERED for char in UNCOVERED)
    field = draw.draw(st.sampled_from(sorted(_text_fields(data))))
    char = draw.draw(st.sampled_from(UNCOVERED))
    old = _get(data, field)
    _set(data, field, (old[:-1] if len(old) > 1 else old) + char)  # stays within its bound
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "uncovered.yaml"
        path.write_text(dump(data, "yaml"), encoding="utf-8")
        _, warnings = pipeline.check(path)
    assert len(warnings) == 1, warnings
    assert f"{field}: U+{ord(char):04X} {unicodedata.name(char)}" in warnings[0]
    assert warnings[0].startswith(str(path))


# ---- broken editions ------------------------------------------------------------------------

def _resolve(schema: dict) -> dict:
    if "$ref" in schema:
        return _resolve(SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]])
    if "anyOf" in schema:  # X | None: the X
        return _resolve(next(option for option in schema["anyOf"] if option.get("type") != "null"))
    return schema


def _nodes(data, schema, path=()):
    """(path, value, schema) of every node of the data, the root excepted."""
    schema = _resolve(schema)
    if isinstance(data, dict):
        for key, value in data.items():
            sub = schema["properties"][key]
            yield (*path, key), value, _resolve(sub)
            yield from _nodes(value, sub, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*path, index), value, _resolve(schema["items"])
            yield from _nodes(value, schema["items"], (*path, index))


def _dotted(path) -> str:
    return load._field_path(tuple(path))


def _replace(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(data, path):
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


NUMBERS = st.integers(-10**30, 10**30)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
OTHER_TYPES = {
    "string": st.one_of(NUMBERS, FLOATS, st.booleans(),
                        st.lists(st.text(max_size=3), max_size=2), st.just({"a": 1})),
    "integer": st.one_of(st.text(max_size=5), FLOATS, st.booleans(),
                         st.lists(NUMBERS, max_size=2), st.just({"a": 1})),
    "array": st.one_of(st.text(max_size=5), NUMBERS, st.just({"a": 1})),
    "object": st.one_of(st.text(max_size=5), NUMBERS, st.lists(NUMBERS, max_size=2)),
}
CONTROL = [chr(point) for point in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
# What the YAML reader refuses anywhere in a file, escaped or not (YAML 1.2, 5.1).
# What the reader refuses: characters YAML allows nowhere, and the line breaks other than
# \n and \r (NEL, LS, PS), which the YAML reader would silently fold into a space.
NOT_YAML = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Copy is stripped of white space at its ends, and some control characters are white space.
CONTROL_NOT_SPACE = [char for char in CONTROL if not char.isspace()]


@st.composite
def broken_editions(draw):
    """(data, kind of break, field path it is at) of an edition made invalid in one place."""
    data = draw(editions())
    nodes = list(_nodes(data, SCHEMA))
    kind = draw(st.sampled_from(("unknown-key", "missing-key", "wrong-type", "out-of-bounds",
                                 "control-char", "empty", "too-deep")))
    if kind == "unknown-key":
        objects = [((), data)] + [(path, value) for path, value, _ in nodes if isinstance(value, dict)]
        path, node = draw(st.sampled_from(objects))
        schema = _resolve(SCHEMA) if not path else next(s for p, _, s in nodes if p == path)
        key = draw(st.text(min_size=1, max_size=20).filter(
            lambda k: k not in schema["properties"] and k != "<<"))  # << is YAML's merge key
        node[key] = draw(st.one_of(st.text(max_size=10), st.integers(), st.none()))
        return data, kind, (*path, key)
    if kind == "missing-key":
        required = [((), data)] + [(path, value) for path, value, schema in nodes
                                   if isinstance(value, dict) and schema.get("required")]
        path, node = draw(st.sampled_from(required))
        schema = _resolve(SCHEMA) if not path else next(s for p, _, s in nodes if p == path)
        key = draw(st.sampled_from(sorted(set(schema.get("required", [])) & set(node))))
        del node[key]
        return data, kind, (*path, key)
    if kind == "too-deep":
        path, value, _ = draw(st.sampled_from(nodes))
        for _ in range(draw(st.integers(load.MAX_DEPTH, load.MAX_DEPTH + 40))):
            value = draw(st.sampled_from(([value], {"x": value})))
        _replace(data, path, value)
        return data, kind, path
    if kind == "wrong-type":
        path, value, schema = draw(st.sampled_from(nodes))
        _replace(data, path, draw(OTHER_TYPES[schema["type"]]))
        return data, kind, path
    strings = [(path, value, schema) for path, value, schema in nodes if isinstance(value, str)]
    if kind == "control-char":
        path, value, _ = draw(st.sampled_from(strings))
        position = draw(st.integers(0, len(value)))
        inside = 0 < position < len(value)
        char = draw(st.sampled_from(CONTROL if inside else CONTROL_NOT_SPACE))
        _replace(data, path, value[:position] + char + value[position:])
        return data, kind, path
    if kind == "empty":
        path, value, _ = draw(st.sampled_from(strings))
        _replace(data, path, draw(st.sampled_from(("", " ", "\t\n  "))))
        return data, kind, path
    # out of bounds: past a length, a number range, a list size, an enumeration, a pattern
    bounded = [(path, value, schema) for path, value, schema in nodes
               if {"maxLength", "maximum", "minimum", "maxItems", "minItems", "enum", "pattern"}
               & set(schema) or path[-1:] == ("issue",)]
    path, value, schema = draw(st.sampled_from(bounded))
    choices = []
    if "maxLength" in schema:
        choices.append(st.integers(1, 50).map(lambda n: "x" * (schema["maxLength"] + n)))
    if "maximum" in schema:
        choices.append(st.integers(schema["maximum"] + 1, schema["maximum"] + 10**6))
    if "minimum" in schema:
        choices.append(st.integers(schema["minimum"] - 10**6, schema["minimum"] - 1))
    if "maxItems" in schema and value:
        choices.append(st.integers(1, 5).map(lambda n: copy_module.deepcopy(
            value * (schema["maxItems"] // len(value) + 1) + value[:1] * n)))
    if schema.get("minItems", 0) >= 1:
        choices.append(st.just([]))
    if "enum" in schema:
        choices.append(st.text(min_size=1, max_size=10).filter(lambda t: t not in schema["enum"]))
    if "pattern" in schema:
        choices.append(st.sampled_from(("ftp://x.example", "javascript:alert(1)", "//x.example",
                                        "https://x.example/a b", "https://x.example/<", "mailto:a@b")))
    if path[-1:] == ("issue",):
        right = value
        choices.append(st.integers(1, 10**6).filter(lambda n: n != right))
    _replace(data, path, draw(st.one_of(*choices)))
    return data, kind, path


def _broken_text(data: dict, kind: str) -> str:
    if kind == "yaml":
        return dump(data, "yaml")
    return json.dumps(data, ensure_ascii=False, indent=1)


def _check_problems(problems, name):
    assert problems, "InvalidIssue without a problem"
    for problem in problems:
        line = str(problem)
        assert line.startswith(name) and "\n" not in line and line.isprintable(), line
        assert not re.search(r"Input should|valid dictionary|instance of|String should|"
                             r"List should|Value error|Field required|Extra inputs", line), line


@given(broken_editions(), st.sampled_from(("yaml", "json")))
def test_broken_editions_are_refused_naming_the_field(broken, kind):
    data, how, path = broken
    note(f"{how} at {_dotted(path)}")
    name = f"broken.{kind}"
    with pytest.raises(load.InvalidIssue) as caught:
        load.parse(_broken_text(data, kind), name)
    problems = caught.value.problems
    note("\n".join(map(str, problems)))
    _check_problems(problems, name)
    if how == "too-deep":
        assert [p.message for p in problems] == [f"nesting deeper than {load.MAX_DEPTH} levels"]
        return
    field = _dotted(path)
    text = _broken_text(data, kind)
    if refused := NOT_YAML.search(text):
        # A character YAML allows nowhere, raw (JSON leaves C1 controls and U+FFFE unescaped),
        # is refused by the reader before any field is known: the problem gives its line.
        assert [(p.line, p.message) for p in problems] == [
            (text[:refused.start()].count("\n") + 1,
             f"not valid YAML/JSON: U+{ord(refused.group()):04X} is not allowed in YAML/JSON text; remove it")]
        return
    # The problem is reported at the field (for a wrong list or section, at its own path).
    assert any(p.field == field or p.field.startswith((f"{field}.", f"{field}["))
               for p in problems), [str(p) for p in problems]
    for problem in problems:
        assert problem.line is None or problem.line >= 1


@given(st.binary(max_size=3000), st.sampled_from((".yaml", ".yml", ".json")))
def test_junk_bytes_are_refused(junk, suffix):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"junk{suffix}"
        path.write_bytes(junk)
        with pytest.raises(load.InvalidIssue) as caught:
            load.load(path)
    _check_problems(caught.value.problems, str(path))


@given(files(), st.data())
def test_any_damage_to_a_file_is_refused_or_loaded_never_a_crash(example, draw):
    """Bytes flipped, cut or inserted anywhere: printpost either loads the file (the damage
    hit copy) or refuses it with its problems; it never fails any other way."""
    _, text, suffix = example
    raw = bytearray(text.encode("utf-8"))
    for _ in range(draw.draw(st.integers(1, 4))):
        position = draw.draw(st.integers(0, len(raw)))
        how = draw.draw(st.sampled_from(("flip", "cut", "insert")))
        if how == "flip" and position < len(raw):
            raw[position] = draw.draw(st.integers(0, 255))
        elif how == "cut":
            del raw[position:position + draw.draw(st.integers(1, 200))]
        else:
            raw[position:position] = draw.draw(st.binary(min_size=1, max_size=8))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"damaged.{suffix}"
        path.write_bytes(bytes(raw))
        try:
            load.load(path)
        except load.InvalidIssue as error:
            _check_problems(error.problems, str(path))


@given(files(), st.data())
def test_truncated_json_is_refused(example, draw):
    data, _, _ = example
    text = json.dumps(data, ensure_ascii=False)
    cut = draw.draw(st.integers(0, len(text) - 1))
    with pytest.raises(load.InvalidIssue) as caught:
        load.parse(text[:cut], "truncated.json")
    _check_problems(caught.value.problems, "truncated.json")


ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "latin-1", "cp1252")


@given(editions(), st.sampled_from(ENCODINGS), st.sampled_from(("yaml", "json")),
       st.sampled_from("éüñçÅßøé°£"), st.data())
def test_files_in_another_encoding_are_refused(data, encoding, kind, accent, draw):
    """UTF-16/32 (with or without a byte order mark) and Latin-1/cp1252 files: refused as
    not UTF-8, not read as other text. (A Latin-1 file that is plain ASCII is UTF-8, so the
    generated file carries one accented letter, as any real one in another encoding does.)"""
    fields = sorted(_text_fields(data))
    field = draw.draw(st.sampled_from(fields))
    _set(data, field, accent + "x")
    text = dump(data, kind).encode("latin-1", errors="replace").decode("latin-1") \
        if encoding in ("latin-1", "cp1252") else dump(data, kind)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"encoded.{kind}"
        path.write_bytes(text.encode(encoding, errors="replace"))
        with pytest.raises(load.InvalidIssue) as caught:
            load.load(path)
    [problem] = caught.value.problems
    assert "not UTF-8 text" in problem.message, problem


# ---- the CLI on broken files -----------------------------------------------------------------

@st.composite
def broken_files(draw) -> tuple[str, bytes]:
    how = draw(st.sampled_from(("mutated", "junk", "utf-16", "latin-1")))
    if how == "junk":
        return ".yaml", draw(st.binary(min_size=1, max_size=500))
    data = draw(editions())
    if how == "mutated":
        data, _, _ = draw(broken_editions())
        return ".yaml", dump(data, "yaml").encode("utf-8")
    _set(data, "edition.location", "Zürich")
    if how == "utf-16":
        return ".yaml", dump(data, "yaml").encode("utf-16")
    return ".json", dump(data, "json").encode("latin-1", errors="replace")


@given(broken_files())
@settings(max_examples=CLI_RUNS)
def test_cli_refuses_broken_files_with_exit_2_and_error_lines(broken):
    suffix, raw = broken
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"broken{suffix}"
        path.write_bytes(raw)
        out = Path(directory) / "out"
        result = subprocess.run([sys.executable, "-m", "printpost", "build", str(path),
                                 "--out", str(out)], capture_output=True, text=True,
                                timeout=120, cwd=directory)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        # One line per problem; a syntax error's place in the file (indented) under its line.
        lines = [line for line in result.stderr.splitlines() if not line.startswith("    ")]
        assert lines and all(line.startswith("error: ") for line in lines), result.stderr
        assert all(str(path) in line for line in lines), lines
        assert not result.stderr.startswith("    ")
        assert not out.exists() or not list(out.rglob("*"))
