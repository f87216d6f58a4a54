"""The subscriber site carries whatever copy load accepts, read by strict parsers.

Generated editions (tests/editions.py's small edition, sections left out or repeated, its
site-printed fields given test_properties' copy in many scripts or hostile copy: XML and
HTML specials, entity look-alikes, bidi controls, BOMs, astral and private-use characters,
inline markup, links with `&` and `*` in them; odd but good URLs; and in sites of several
editions one holding a character or link load must refuse) go through `printpost site`.
Every edition load accepts must be on the site and every one it refuses must not; then
every page is parsed by an HTML5 parser that reports parse errors (tinyhtml5, WeasyPrint's
own: any error fails, as html5lib's strict mode), feed.xml by expat (well-formed or
nothing), every href and src by the WHATWG URL parser (ada, the one browsers and Node use),
each Atom id against the tag URI grammar (RFC 4151), and the text a reader gets back is
the copy as written, its markup taken out (nothing escaped twice or not at all).

Rendering is stubbed (a blank PDF per edition and for the archive's front matter, as
test_catalog stubs it): what is tested is the site's text; test_site.py looks at a site of
real renders in a browser.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import ada_url  # the WHATWG URL parser (a test dependency)
import pytest
from editions import small_edition
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from test_properties import PROFILE, SCRIPTS, dump, field_copy
from tinyhtml5.inputstream import invalid_unicode_re
from tinyhtml5.parser import HTMLParser  # WeasyPrint's HTML parser

from printpost import cli, compose, load, models, pipeline, render
from printpost.exitcodes import EXIT_BAD_INPUT, EXIT_OK
from printpost.models import issue_number

SITES = {"long": 1000, "ci": 25}.get(PROFILE, 40)  # sites made per run (each a few editions)
ATOM = "{http://www.w3.org/2005/Atom}"
HTML = "{http://www.w3.org/1999/xhtml}"

# ---- rendering stubbed ----------------------------------------------------------------------


def _blank_pdf(pages: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


EDITION_PDF, FRONT_PDF = _blank_pdf(2), _blank_pdf(2)


class _Report:
    def summary(self) -> str:
        return "preflight: stand-in"


def _typeset(typesetter, loaded, fmt, **options):
    return render.Rendered(pdf_bytes=EDITION_PDF, pages=2, fetches=render.FetchLog()), _Report()


def _render_front(html, **options):
    """The archive's cover and contents (their HTML is composed as usual), laid out as two
    blank pages."""
    return render.Rendered(pdf_bytes=FRONT_PDF, pages=2, fetches=render.FetchLog())


@pytest.fixture(scope="module", autouse=True)
def no_rendering():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.Typesetter, "typeset", _typeset)
        patch.setattr(render, "render", _render_front)  # only archive.render_front calls it here
        yield


# ---- hostile copy ---------------------------------------------------------------------------

ACCEPTED = [
    "<", ">", "&", '"', "'", "]]>", "<!--", "-->", "</title>", "</h1>", "<script>", "<![CDATA[",
    "&amp;", "&lt;", "&#0;", "&#xFFFE;", "&nbsp", "{{ x }}", "{%", "\\", "\t", "\n", "\u00a0",
    "\u200b", "\u200d", "\u00ad", "\ufeff", "\u202e", "\u2066", "\u061c", "\U0001f600",
    "\U0010fffd", "\ue000", "\u0301", "ß", "ﬁ", "İ", "\U00020000", "*", "**", "[", "]", "(", ")",
    "[a](https://a.example/?x=1&y=2)", "[b](https://b.example/web/*/x.example/*)",
    "*[c](https://c.example/)*", "**x*", "[d](ftp://d.example/", "[x]", "[y]()",
]
# What load refuses (models.py, urls.py): put where the site would print it, in the last
# edition of a site of several (hostile_sites), which must then not be on the site.
REFUSED = ["\ufffe", "\uffff", "\x01", "\x0c", "\x1b", "\x85", "\x7f", "\ufdd0", "\U0001ffff",
           "\u2028", "[e](https://[x)", "[f](javascript:alert(1))", "[g](ftp://g.example/)"]
LETTERS = "".join(SCRIPTS.values())


def _noncharacter(char: str) -> bool:
    return 0xFDD0 <= ord(char) <= 0xFDEF or ord(char) & 0xFFFE == 0xFFFE


any_accepted_character = st.characters(
    exclude_categories=["Cs", "Cc", "Zl", "Zp"]).filter(lambda char: not _noncharacter(char))
hostile_copy = st.builds(
    lambda parts, letters, first: (letters + parts if first else parts + letters)[:80],
    st.lists(st.one_of(st.sampled_from(ACCEPTED), st.text(LETTERS, min_size=1, max_size=8),
                       any_accepted_character), min_size=1, max_size=10).map("".join),
    st.text(LETTERS, min_size=1, max_size=6),  # something to see: copy of only marks is refused
    st.booleans(),
)  # at most 80 characters: the shortest bound of a copy field (Label)

_LABEL = r"[^\W\d_](?:[^\W_]|-){0,10}[^\W_]"  # no label of digits only: that is an IPv4 address
hostile_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(("http", "https", "HTTPS")),
    st.one_of(st.from_regex(rf"{_LABEL}(\.{_LABEL}){{0,2}}\.?", fullmatch=True),
              st.sampled_from(("[2001:db8::1]", "[::1]", "192.0.2.1", "xn--bcher-kva.example",
                               "bücher.example", "موقع.example", "news.123", "aب.example",
                               "١.example"))),  # the last three: load refuses them
    st.sampled_from(("", ":8080", ":65535", ":1")),
    st.text(st.one_of(st.sampled_from("&*%#?=+;,!$~@:()[]/ab"), st.characters(
        exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"], exclude_characters="<>\"'\\")),
        max_size=20),
)

# Where the site prints copy (site.py, layouts/site/, with the headlines of Issue.headlines).
SITE_FIELDS = ("edition.title", "edition.tagline", "edition.motto", "edition.location",
               "lead.headline", "lead.dek", "deep_dive.headline", "subscribe.headline",
               "subscribe.blurb", "subscribe.call_to_action", "subscribe.scan_label")
# Optional parts, left out or kept (whole sections too: editions as they come).
OPTIONAL = ("edition.title", "edition.tagline", "edition.motto", "edition.issue", "lead.kicker",
            "deep_dive.kicker", "deep_dive.label", "deep_dive.pull_quote", "opinion.title",
            "tools.intro", "subscribe.headline", "subscribe.call_to_action",
            "subscribe.scan_label", "movers", "opinion", "tools", "trending", "reading",
            "subscribe")
BASE = YAML(typ="safe", pure=True).load(small_edition())  # tests/editions.py: one item a section


def _holder(data, path: str):
    """The dict or list that holds the field at a dotted path, and its key there."""
    *parents, last = re.findall(r"[^.\[\]]+", path)
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    return node, int(last) if isinstance(node, list) else last


def _set(data, path: str, value) -> None:
    node, key = _holder(data, path)
    node[key] = value


def _site_copy(kind: str):
    """Copy for a field the site prints: as the sample has it, generated in many scripts
    (test_properties), or hostile."""
    return st.one_of(field_copy(kind), hostile_copy)


@st.composite
def site_edition(draw, day: dt.date, refused: bool = False) -> dict:
    data = copy.deepcopy(BASE)
    data["edition"]["date"] = day.isoformat()
    data["edition"]["issue"] = issue_number(day)
    for path in draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=len(OPTIONAL))):
        *parents, last = path.split(".")
        holder = data
        for parent in parents:
            holder = holder.get(parent, {})
        holder.pop(last, None)
    if "opinion" in data:
        column = data["opinion"]["columns"][0]
        data["opinion"]["columns"] = [{**column, "headline": draw(_site_copy("headline"))}
                                      for _ in range(draw(st.integers(1, 4)))]
    if "reading" in data:
        reading = data["reading"][0]
        data["reading"] = [{**reading, "title": draw(_site_copy("headline"))}
                           for _ in range(draw(st.integers(1, 3)))]
    printed = [path for path in SITE_FIELDS if path.split(".")[0] in data]
    for path in printed:
        kind = ("label" if path.startswith("edition.") or path.endswith(("_action", "_label"))
                else "dek" if path.endswith("dek") else "blurb" if path.endswith("blurb")
                else "headline")
        if draw(st.booleans()):
            _set(data, path, draw(_site_copy(kind)))
    if "subscribe" in data and draw(st.booleans()):
        data["subscribe"]["url"] = draw(hostile_urls)
    if refused:  # a character or link load refuses, where the site would print it
        printed += [path for path in ("opinion.columns[0].headline", "reading[0].title")
                    if path.split(".")[0] in data]
        path, bad, at = draw(st.tuples(st.sampled_from(printed), st.sampled_from(REFUSED),
                                       st.integers(0, 80)))
        holder, key = _holder(data, path)
        text = (holder.get(key) if isinstance(holder, dict) else holder[key]) or "x"
        _set(data, path, f"{text[:at]}{bad}{text[at:]}")
    return data


@st.composite
def hostile_sites(draw) -> list[tuple[str, str]]:
    """(file name, text) of one to three editions on different days, maybe months; of two or
    more, the last holds something load refuses (so that it must not be on the site, and so
    that without load's check this test fails: the site would print it)."""
    offsets = draw(st.lists(st.integers(0, 45), min_size=1, max_size=3, unique=True))
    start = draw(st.dates(models.FIRST_ISSUE_DATE, dt.date(2090, 12, 31)))
    files = []
    for index, offset in enumerate(offsets):
        day = start + dt.timedelta(days=offset)
        data = draw(site_edition(day, refused=index == len(offsets) - 1 > 0))
        kind = draw(st.sampled_from(("yaml", "json")))
        # Escapes (\\ufffe) as well as the characters themselves reach load.
        files.append((f"{day.isoformat()}.{kind}", dump(data, kind, draw(st.booleans()))))
    return files


# ---- strict readers -------------------------------------------------------------------------

# RFC 4151: "tag:" DNS name "," date ":" specific (pchar, "/" and "?").
_DNS = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
TAG_URI = re.compile(rf"tag:{_DNS},\d{{4}}(?:-\d\d(?:-\d\d)?)?:"
                     r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
_NOT_IN_HREF = re.compile(r"[\s\x00-\x1f\x7f-\x9f\\<>\"]")


def strict_html(path: Path) -> ET.Element:
    parser = HTMLParser()
    data = path.read_bytes()
    tree = parser.parse(data, transport_encoding="utf-8")
    if parser.errors:
        codes = sorted({code for _, code, _ in parser.errors})
        invalid = sorted({f"U+{ord(char):04X}"
                          for char in invalid_unicode_re.findall(data.decode("utf-8"))})
        raise AssertionError(f"{path.name}: {len(parser.errors)} HTML parse errors: "
                             f"{', '.join(codes)} {' '.join(invalid)}".rstrip())
    return tree


def strict_feed(path: Path) -> ET.Element:
    try:
        return ET.fromstring(path.read_bytes())  # expat: refuses what is not well-formed
    except ET.ParseError as error:
        raise AssertionError(f"{path.name} is not well-formed XML: {error}") from None


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def check_link(site_dir: Path, page: Path, url: str, outside: set[str], base: str = "") -> None:
    """`url` (an href or src of `page`) is one the WHATWG parser takes; a link inside the site
    leads to a file of the site (and to an id on it, if it names one); a link out of the site
    is one the editions hold, as written."""
    assert not _NOT_IN_HREF.search(url), f"{page.name}: {url!r} holds a character no URL holds"
    if base and url.startswith(base):
        url = url.removeprefix(base)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        assert ada_url.check_url(url), f"{page.name}: the URL parser refuses {url!r}"
        assert url in outside, f"{page.name}: {url!r} is not a URL of the editions"
        return
    resolved = ada_url.join_url(page.resolve().as_uri(), url)
    assert resolved, f"{page.name}: the URL parser refuses {url!r}"
    target = Path(unquote(urlsplit(resolved).path))
    assert target.is_file(), f"{page.name}: {url!r} leads to no file"
    assert target.resolve().is_relative_to(site_dir.resolve()), f"{page.name}: {url!r} leaves"
    if parts.fragment and target.suffix == ".html":
        ids = {element.get("id") for element in strict_html(target).iter()}
        assert parts.fragment in ids, f"{page.name}: {url!r} names no id of {target.name}"


def search_index(site_dir: Path) -> list[dict]:
    """search-index.js: one assignment of strict JSON (no NaN, no duplicate keys)."""
    text = (site_dir / "search-index.js").read_text(encoding="utf-8")
    comment, assignment = text.split("\n", 1)
    assert comment.startswith("// ") and assignment.startswith("window.printpostSearch = ")
    assert assignment.endswith(";\n")

    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    def no_constant(name):
        raise AssertionError(f"search-index.js holds {name}, which JSON does not")

    return json.loads(assignment.removeprefix("window.printpostSearch = ").removesuffix(";\n"),
                      object_pairs_hook=no_duplicates, parse_constant=no_constant)


def check_site(site_dir: Path, issues: dict[str, models.Issue], base_url: str | None) -> None:
    """The feed, the search index and every page, read strictly; `issues` are the editions on
    the site, by date."""
    plain = compose.plain
    outside = {issue.subscribe.url for issue in issues.values() if issue.subscribe}
    newest_first = [issues[day] for day in sorted(issues, reverse=True)]
    paper = newest_first[0].edition  # the site is the newest edition's paper
    subscribe = next((issue.subscribe for issue in newest_first if issue.subscribe), None)

    feed = strict_feed(site_dir / "feed.xml")
    base = base_url.rstrip("/") + "/" if base_url else ""
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}title") == paper.title
    assert feed.findtext(f"{ATOM}subtitle") == paper.tagline
    ids = [feed.findtext(f"{ATOM}id")]
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(issues)
    for entry, issue in zip(entries, newest_first):
        ids.append(entry.findtext(f"{ATOM}id"))
        assert entry.findtext(f"{ATOM}title") == (
            f"No. {issue.edition.number}, {issue.edition.long_date}: {plain(issue.lead.headline)}")
        assert entry.findtext(f"{ATOM}summary") == plain(issue.lead.dek)
    for link in feed.iter(f"{ATOM}link"):
        check_link(site_dir, site_dir / "feed.xml", link.get("href"), outside, base)
    assert len(set(ids)) == len(ids), ids
    for atom_id in ids:
        assert (TAG_URI.fullmatch(atom_id) or base and atom_id == f"{base}feed.xml"), (
            f"Atom id {atom_id!r} is not a tag URI (RFC 4151)")

    index = search_index(site_dir)
    assert [edition["issue"] for edition in index] == [i.edition.number for i in newest_first]
    stories = {}
    for edition, issue in zip(index, newest_first):
        lead = edition["stories"][0]
        assert lead["headline"] == plain(issue.lead.headline)
        assert lead["text"].startswith(plain(issue.lead.dek))
        printed = [issue.lead.headline, issue.deep_dive.headline,
                   *(column.headline for column in (issue.opinion.columns if issue.opinion else [])),
                   *(item.title for item in (issue.reading.items if issue.reading else []))]
        assert {plain(h) for h in printed} <= {story["headline"] for story in edition["stories"]}
        for story in edition["stories"]:
            stories[(edition["page"], story["id"])] = story

    pages = [site_dir / "index.html", *sorted((site_dir / "editions").glob("*.html"))]
    assert len(pages) == 1 + len(issues)
    for page in pages:
        tree = strict_html(page)
        for element in tree.iter():
            for attribute in ("href", "src"):
                if element.get(attribute) is not None:
                    check_link(site_dir, page, element.get(attribute), outside)
        [title] = tree.iter(f"{HTML}title")
        texts = {}
        for element in tree.iter():
            texts.setdefault(element.get("class"), []).append(text_of(element))
        assert texts["masthead-tagline"] == [paper.tagline]
        if subscribe:
            assert texts["subscribe"][0].split() == (
                f"{plain(subscribe.headline)} {plain(subscribe.blurb)} "
                f"{subscribe.call_to_action} · {subscribe.scan_label}").split()
        else:
            assert "subscribe" not in texts
        if page.name == "index.html":
            assert text_of(title) == paper.title
            assert texts["edition-headline"] == [plain(i.lead.headline) for i in newest_first]
            continue
        issue = issues[page.name[:10]]
        assert text_of(title) == (f"No. {issue.edition.number}, {issue.edition.long_date} — "
                                  f"{paper.title}")
        [h1] = tree.iter(f"{HTML}h1")
        assert text_of(h1) == plain(issue.lead.headline)
        assert texts["dek"] == [plain(issue.lead.dek)]
        # Each story in the contents is the search index's, which the search links to.
        page_key = f"editions/{page.name}"
        listed = [element for element in tree.iter(f"{HTML}li") if element.get("id")]
        assert {h1.get("id"), *(li.get("id") for li in listed)} == {
            story_id for key, story_id in stories if key == page_key}
        for li in listed:
            story = stories[(page_key, li.get("id"))]
            assert text_of(li) == f"{story['section']} {story['headline']}"


def make_site(directory: Path, files: list[tuple[str, str]], base_url: str | None = None):
    """`printpost site` over these issue files: (exit code, the editions load accepted)."""
    issues_dir = directory / "issues"
    issues_dir.mkdir()
    accepted = {}
    for name, text in files:
        path = issues_dir / name
        path.write_text(text, encoding="utf-8")
        try:
            accepted[name[:10]] = load.load(path).issue
        except load.InvalidIssue:
            pass
    argv = ["site", "--issues", str(issues_dir), "--pdfs", str(directory / "output"),
            "--out", str(directory / "site"), "--jobs", "1", "--quiet"]
    code = cli.main([*argv, "--base-url", base_url] if base_url else argv)
    return code, accepted


# ---- the tests ------------------------------------------------------------------------------

@given(hostile_sites(), st.sampled_from((None, "https://news.example/paper/")))
@settings(max_examples=SITES)
def test_every_page_and_feed_of_generated_editions_reads_strictly(files, base_url):
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        code, accepted = make_site(directory, files, base_url)
        note(f"accepted: {sorted(accepted)} of {[name for name, _ in files]}")
        event(f"{len(accepted)} of {len(files)} editions accepted")
        assert code == (EXIT_OK if len(accepted) == len(files) else EXIT_BAD_INPUT)
        site_dir = directory / "site"
        if not accepted:
            assert not (site_dir / "feed.xml").exists()
            return
        check_site(site_dir, accepted, base_url)


def _edition(**changes) -> dict:
    """The small edition's data with `changes` (by dotted path)."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        _set(data, path, value)
    return data


NASTY = ("<b>&amp; ]]> \"quoted\" 'single' \u202eevil\u202c \ufeff\U0010fffd *em* "
         "[x](https://x.example/?a=1&b=2)")


def test_the_nastiest_accepted_copy_in_every_site_field_reads_strictly(tmp_path):
    """Every field the site prints holds markup look-alikes, bidi controls, a BOM and a
    private-use character; the next day's edition holds U+FFFE (a JSON escape) and is not
    on the site."""
    good = _edition(**{field: f"{NASTY} {index}" for index, field in enumerate(SITE_FIELDS)},
                    **{"subscribe.url": "https://bücher.example:8443/a&b=*c*/#x?y"})
    day = dt.date.fromisoformat(good["edition"]["date"]) + dt.timedelta(days=1)
    bad = _edition(**{"edition.date": day.isoformat(), "edition.issue": issue_number(day),
                      "lead.headline": "Bad \ufffe copy"})
    code, accepted = make_site(tmp_path, [
        (f"{good['edition']['date']}.json", json.dumps(good, ensure_ascii=False)),
        (f"{day.isoformat()}.json", json.dumps(bad))])
    assert code == EXIT_BAD_INPUT and list(accepted) == [good["edition"]["date"]]
    check_site(tmp_path / "site", accepted, None)
    assert "tag:xn--bcher-kva.example,2026-01-29:feed" in (
        tmp_path / "site" / "feed.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\x0b"])
def test_the_strict_readers_see_a_character_load_would_refuse(tmp_path, monkeypatch, char):
    """With load's check of characters taken away, the copy reaches the site, and the
    readers above fail it: feed.xml is not well-formed, the pages hold an invalid code point
    (what `site` wrote before load refused these characters)."""
    monkeypatch.setattr(models, "_REFUSED", re.compile("(?!)"))
    data = _edition(**{"lead.headline": f"Bad {char} copy"})
    code, accepted = make_site(tmp_path, [(f"{data['edition']['date']}.json", json.dumps(data))])
    assert code == EXIT_OK and len(accepted) == 1  # JSON's \\ufffe escape went through
    site_dir = tmp_path / "site"
    with pytest.raises(AssertionError, match="feed.xml is not well-formed XML"):
        check_site(site_dir, accepted, None)
    for page in [site_dir / "index.html", *(site_dir / "editions").glob("*.html")]:
        with pytest.raises(AssertionError, match=f"invalid-codepoint U\\+{ord(char):04X}$"):
            strict_html(page)
