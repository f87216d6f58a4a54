"""Maintainer script: page images of one sample edition in every format → docs/gallery/.

  .venv/bin/python scripts/gallery.py [issues/2026-04-19.yaml]

Writes docs/gallery/<format>-p<N>.png and docs/gallery.md (with each page's preflight
summary and page plan), so the README can show what every format looks like; then the same
sample's copy at 250 % of its length (tests/editions.py) as the four-page press edition it
becomes, and its inside spread (pages 2 and 3 side by side) as docs/press-spread.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

from PIL import Image  # noqa: E402

from printpost import load, pipeline, raster, render  # noqa: E402
from printpost.formats import formats  # noqa: E402


def main() -> None:
    sample = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "issues" / "2026-04-19.yaml"
    out = PROJECT / "docs" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    render.quiet_weasyprint_logs()
    loaded = load.load(sample)
    typesetter = pipeline.Typesetter()
    lines = ["# Gallery", "", f"Every format of `{sample.relative_to(PROJECT)}`, page by page "
             "(made by `scripts/gallery.py`).", ""]
    for name, fmt in formats().items():
        rendered, report = typesetter.typeset(loaded, fmt)
        lines += _pages(rendered, report, name, name, fmt.description, out)
        print(name, rendered.pages, report.summary())
    long_copy = _longer(sample, 250)
    rendered, report = typesetter.typeset(long_copy, formats()["press"])
    lines += _pages(rendered, report, "press-250", "press, 250 % of the copy",
                    f"The same sample with its copy at 250 % of its length (`tests/editions.py`),"
                    " as the press edition it becomes", out)
    spread = [raster.page_image(rendered.pdf, index, 40) for index in (1, 2)]
    image = Image.new("RGB", (spread[0].width + spread[1].width, spread[0].height), "white")
    image.paste(spread[0], (0, 0))
    image.paste(spread[1], (spread[0].width, 0))
    image.save(PROJECT / "docs" / "press-spread.png", optimize=True)
    print("press-250", rendered.pages, report.summary())
    (PROJECT / "docs" / "gallery.md").write_text("\n".join(lines), encoding="utf-8")


def _pages(rendered, report, stem, title, description, out) -> list[str]:
    plan = "; ".join(report.measurements["plan"]["notes"])
    fills = ", ".join(f"{page['fill_pct']:.0f} %" for page in report.measurements["pages"])
    lines = [f"## {title}", "", f"{description}. `{report.summary()}`", "",
             f"Pages filled: {fills}. Page plan: {plan}.", ""]
    for index in range(rendered.pages):
        image = out / f"{stem}-p{index + 1}.png"
        image.write_bytes(raster.page_png(rendered.pdf, index, dpi=40 if "press" in stem else 60))
        lines.append(f"![{title} page {index + 1}](gallery/{image.name})")
    return lines + [""]


def _longer(sample: Path, percent: int) -> load.LoadedIssue:
    """The sample's copy at `percent` % of its length, as an edition loaded from a file."""
    import tempfile

    from editions import _yaml_text, scaled_edition

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / sample.name
        path.write_text(_yaml_text(scaled_edition(sample, percent)), encoding="utf-8")
        return load.load(path)


if __name__ == "__main__":
    main()
