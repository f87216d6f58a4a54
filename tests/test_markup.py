"""Inline markup (*emphasis*, **strong**, [text](url)) is parsed, not substituted: links
first, emphasis never inside a URL, proper nesting, everything else literal (issue 19, 4)."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from ruamel.yaml import YAML

from editions import _yaml_text, small_edition
from printpost import compose, load, pipeline
from printpost.formats import get_format

WAYBACK = "https://web.archive.org/web/*/example.com/*"


@pytest.mark.parametrize("copy, html", [
    (f"[Wayback]({WAYBACK})", f'<a href="{WAYBACK}">Wayback</a>'),
    ("*see [this](https://ex.com/x*) now*",
     '<em>see <a href="https://ex.com/x*">this</a> now</em>'),
    ("[*new*](https://q.example/_a_) and **[strong](https://s.example)**",
     '<a href="https://q.example/_a_"><em>new</em></a> and '
     '<strong><a href="https://s.example">strong</a></strong>'),
    ("***both*** and *a **b** c*", "<em><strong>both</strong></em> and <em>a <strong>b</strong> c</em>"),
    ("[Wiki](https://en.wikipedia.org/wiki/Tensor_(machine_learning))",
     '<a href="https://en.wikipedia.org/wiki/Tensor_(machine_learning)">Wiki</a>'),
])
def test_links_first_and_proper_nesting(copy, html):
    assert str(compose.inline(copy)) == html


@pytest.mark.parametrize("copy", [
    "__init__ and text_generation",  # only * marks emphasis
    "&amp; &#169; C:\\path `code` <https://a.example> <b>x</b>",
    "# not a heading", "- not a list", "1. not a list", "> not a quote", "---",
    "![not an image](https://i.example/x.png)",
    '[titles](https://t.example "are not links")',
    "[empty]()", "[relative](page.html)", "[bad](https://[x)", "[js](javascript:alert(1))",
    "[angle](<https://a.example>)", "2 * 3 * 4",
])
def test_everything_else_is_literal(copy):
    expected = (copy.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&#34;").replace("'", "&#39;"))
    if copy.startswith("!["):  # the brackets after ! are a link
        expected = '!<a href="https://i.example/x.png">not an image</a>'
    assert str(compose.inline(copy)) == expected
    if not copy.startswith("!["):
        assert compose.plain(copy) == copy


def test_plain_takes_the_markup_out():
    assert compose.plain(f"*see* [**this**]({WAYBACK}) now") == "see this now"


def test_the_pdf_link_is_the_url_as_written(tmp_path):
    data = YAML(typ="safe").load(small_edition())
    data["reading"][0]["description"] = (f"Every copy on [Wayback]({WAYBACK}); "
                                         "*see [this](https://ex.example/x*) now*.")
    path = tmp_path / "2026-04-19.yaml"
    path.write_text(_yaml_text(data), encoding="utf-8")
    rendered = pipeline.Typesetter().render(load.load(path), get_format("a4"))
    import io

    uris = [annotation.get_object()["/A"]["/URI"]
            for page in pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages
            for annotation in page.get("/Annots") or []
            if "/URI" in annotation.get_object().get("/A", {})]
    assert WAYBACK in uris and "https://ex.example/x*" in uris
    assert not any("%3C" in uri or "<em>" in uri for uri in uris)


MARKED = "a **strong** word, an *emphasis* and [a link](https://ex.example/l) in the line"


def test_markup_in_a_listing_item_stays_in_its_line(tmp_path):
    """An item's parts (its name, text, address) stack as blocks; the markup inside its copy
    does not: a **strong** word in a description was set on a line of its own (found by the
    Hypothesis property test, which reads each paragraph whole)."""
    from weasyprint.formatting_structure import boxes

    data = YAML(typ="safe").load(small_edition())
    data["tools"]["items"][0]["description"] = MARKED
    data["reading"][0]["description"] = MARKED
    data["trending"]["github"][0]["description"] = MARKED
    path = tmp_path / "2026-04-19.yaml"
    path.write_text(_yaml_text(data), encoding="utf-8")
    rendered = pipeline.Typesetter().render(load.load(path), get_format("a4"),
                                            keep_document=True)
    found = []

    def collect(box, in_copy):
        element = box.element
        classes = (element.get("class") or "").split() if element is not None else []
        in_copy = in_copy or "item-text" in classes
        if in_copy and element is not None and element.tag in ("strong", "em", "a") \
                and not isinstance(box, boxes.TextBox):
            found.append((element.tag, type(box).__name__))
        for child in getattr(box, "children", ()):
            collect(child, in_copy)

    for page in rendered.document.pages:
        collect(page._page_box, False)
    assert len({tag for tag, _ in found}) == 3 and len(found) >= 9
    assert [(tag, kind) for tag, kind in found if kind != "InlineBox"] == []
