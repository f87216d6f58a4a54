"""Maintainer script: page images of one sample edition in every format → docs/gallery/.

  .venv/bin/python scripts/gallery.py [issues/2026-04-19.yaml]

Writes docs/gallery/<format>-p<N>.png and docs/gallery.md (with each page's preflight
summary), so the README can show what every format looks like.
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from printpost import load, pipeline, raster, render  # noqa: E402
from printpost.formats import formats  # noqa: E402


def main() -> None:
    sample = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "issues" / "2026-04-19.yaml"
    out = PROJECT / "docs" / "gallery"
    out.mkdir(parents=True, exist_ok=True)
    render.quiet_weasyprint_logs()
    loaded = load.load(sample)
    lines = ["# Gallery", "", f"Every format of `{sample.relative_to(PROJECT)}`, page by page "
             "(made by `scripts/gallery.py`).", ""]
    for name, fmt in formats().items():
        rendered, report = pipeline.Typesetter().typeset(loaded, fmt)
        lines += [f"## {name}", "", f"{fmt.description}. `{report.summary()}`", ""]
        for index in range(rendered.pages):
            image = out / f"{name}-p{index + 1}.png"
            image.write_bytes(raster.page_png(rendered.pdf, index, dpi=40 if "press" in name else 60))
            lines.append(f"![{name} page {index + 1}](gallery/{image.name})")
        lines.append("")
        print(name, rendered.pages, report.summary())
    (PROJECT / "docs" / "gallery.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
