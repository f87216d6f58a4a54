"""Issue data is untrusted: it is printed literally and can never make printpost read files
or reach the network."""

from __future__ import annotations

import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from pdfcheck import squash, text_of
from printpost import compose, load, pipeline, render
from printpost.formats import get_format
from printpost.resources import FONTS_DIR, LAYOUTS_DIR

from conftest import SAMPLES, TYPESETTER

GOOD = SAMPLES[-1].read_text(encoding="utf-8")
HOSTILE = '<script>alert(1)</script> {{ 7*7 }} {% if 1 %}x{% endif %} <img src="file:///etc/passwd"> &amp; &#169;'


def test_renderer_refuses_everything_but_layouts_fonts_and_data():
    html = """<html><head>
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="stylesheet" href="http://127.0.0.1:9/evil.css">
      <style>@import url("file:///etc/hostname"); body { background: url(https://example.com/x.png) }</style>
      <link rel="stylesheet" href="base.css">
      <link rel="stylesheet" href="../pyproject.toml">
    </head><body><img src="file:///etc/passwd"><img src="../README.md"><p>x</p></body></html>"""
    # Twice: the second time its stylesheets are parsed already (render._stylesheets), and
    # what they asked for is refused and logged all the same.
    for _ in range(2):
        rendered = render.render(html, created="2026-04-19T06:00:00Z")
        refused = set(rendered.fetches.refused)
        assert {"file:///etc/passwd", "http://127.0.0.1:9/evil.css", "file:///etc/hostname",
                "https://example.com/x.png"} <= refused
        assert any(url.endswith("/pyproject.toml") for url in refused)
        assert any(url.endswith("/README.md") for url in refused)
        for url in rendered.fetches.served:
            assert url.startswith(("data:", LAYOUTS_DIR.as_uri(), FONTS_DIR.as_uri())), url


def test_hostile_copy_is_printed_literally(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(GOOD.replace(
        "headline: 'The Open Source Optimization Wave: Llama3-8B-OT Signals New Era'",
        "headline: '" + HOSTILE.replace("'", "''") + "'"), encoding="utf-8")
    loaded = load.load(path)
    html = compose.compose(loaded.issue, get_format("a4"))
    assert "<script>" not in html and '<img src="file:' not in html
    rendered = TYPESETTER.render(loaded, get_format("a4"))
    assert rendered.fetches.refused == []
    text = squash(text_of(rendered.pdf))
    assert squash(HOSTILE) in text


def test_inline_markup_is_the_only_markup():
    assert str(compose.inline("*new* **big** [site](https://x.example/a?b=1&c=2)")) == (
        '<em>new</em> <strong>big</strong> <a href="https://x.example/a?b=1&amp;c=2">site</a>')
    assert str(compose.inline('[x](javascript:alert(1)) <b>"q"</b>')) == (
        "[x](javascript:alert(1)) &lt;b&gt;&#34;q&#34;&lt;/b&gt;")
    assert str(compose.inline("2 * 3 * 4")) == "2 * 3 * 4"


def test_no_file_outside_the_project_and_no_network_during_a_build(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(GOOD.replace("location: Manchester, United Kingdom",
                                 "location: '<link href=\"file:///etc/passwd\">'"), encoding="utf-8")
    # printpost's own modules (imported lazily, e.g. by the first build in a process) count.
    allowed = [str(LAYOUTS_DIR), str(FONTS_DIR), str(Path(pipeline.__file__).parent),
               str(tmp_path), tempfile.gettempdir(),
               sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"], sys.prefix,
               "/usr/share/zoneinfo"]
    events: list[tuple[str, str]] = []
    recording = [True]

    def hook(event, args):
        if not recording[0]:
            return
        if event == "open" and isinstance(args[0], (str, Path)):
            events.append(("open", str(args[0])))
        elif event == "urllib.Request" and str(args[0]).startswith("data:"):
            return  # the QR code, inline: no I/O
        elif event.startswith(("socket.connect", "socket.getaddrinfo", "urllib.Request")):
            events.append((event, repr(args)[:80]))

    sys.addaudithook(hook)  # hooks cannot be removed; this one stops recording below
    try:
        result = TYPESETTER.build(path, out_dir=tmp_path / "out")
    finally:
        recording[0] = False
    assert result.outputs
    network = [event for event in events if event[0] != "open"]
    assert network == []
    outside = [name for kind, name in events
               if kind == "open" and not any(str(Path(name).resolve()).startswith(root) for root in allowed)]
    assert outside == []
    assert not any("passwd" in name for _, name in events)


@pytest.mark.parametrize("payload", [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",
    "x: " + "[" * 5000 + "]" * 5000 + "\n",
])
def test_yaml_bombs_are_refused_quickly(tmp_path, payload):
    path = tmp_path / "bomb.yaml"
    path.write_text(payload)
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    assert any(word in str(caught.value) for word in ("alias", "anchor", "nesting"))


def test_huge_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as file:
        file.truncate(100 * 1024 * 1024)
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    assert "limited to" in str(caught.value)


def test_megabyte_headline_is_rejected_with_its_field(tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(GOOD.replace(
        "headline: 'The Open Source Optimization Wave: Llama3-8B-OT Signals New Era'",
        "headline: '" + "A" * 1_000_000 + "'"), encoding="utf-8")
    with pytest.raises(load.InvalidIssue) as caught:
        load.load(path)
    [problem] = caught.value.problems
    assert problem.field == "lead.headline" and "at most 200 characters" in problem.message
