"""Every page of every edition length in every format: the figures issue 17 must show.

  .venv/bin/python bench/pages.py [--formats a4,press] [--only NAME,...] [--jobs 2]
                                  [--json pages.json] [--png DIR]

Sets the three samples and the generated editions (tests/editions.py: each sample at 40, 70,
100, 150 and 250 % of its length, in full and with the optional parts left out) in each
format as `printpost build` sets them, and prints one row per edition and format: pages,
layout passes, each page's fill (the last page's after the slash), whole boxes split,
stranded heads, the widest listing spread, the narrowest and widest text column, and
whether every figure is within the format's profile. The totals at the end are what the
README records. `--png DIR` writes every page at 30 dpi, to look at.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

import editions  # noqa: E402  (tests/editions.py: the generator)
from printpost import load, pipeline, raster, render  # noqa: E402
from printpost.engine.patches import EngineOptions  # noqa: E402
from printpost.formats import formats, get_format  # noqa: E402

PAGE_CHECKS = ("page-fill", "split-box", "stranded-head", "listing-balance", "measure",
               "page-count")


def _set(task: tuple[str, str, str, str | None]) -> dict:
    name, path, format_name, png_dir = task
    render.quiet_weasyprint_logs()
    started = time.perf_counter()
    typesetter = pipeline.Typesetter(EngineOptions.from_environment())
    rendered, report = typesetter.typeset(load.load(path), get_format(format_name))
    seconds = time.perf_counter() - started
    if png_dir:
        for index in range(rendered.pages):
            target = Path(png_dir) / f"{name}-{format_name}-p{index + 1}.png"
            target.write_bytes(raster.page_png(rendered.pdf, index, dpi=30))
    m = report.measurements
    failing = sorted({f.check for f in report.errors if f.check in PAGE_CHECKS})
    return {"edition": name, "format": format_name, "pages": report.pages,
            "passes": m["layout_passes"], "seconds": round(seconds, 2),
            "fill_pct": [page["fill_pct"] for page in m["pages"]],
            "whole_boxes_split": m["whole_boxes_split"], "stranded_heads": m["stranded_heads"],
            "listing_spread_lines": max(page["listing_spread_lines"] for page in m["pages"]),
            "measure_chars": _range(page["measure_chars"] for page in m["pages"]),
            "failing": failing, "other_errors": sorted({f.check for f in report.errors} - set(failing)),
            "ok": not failing}


def _range(pairs) -> list[int]:
    values = [value for pair in pairs for value in pair]
    return [min(values), max(values)] if values else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default=",".join(formats()))
    parser.add_argument("--only", help="only these editions (names as printed)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--png", type=Path)
    args = parser.parse_args(argv)
    names = [get_format(name).name for name in args.formats.split(",")]
    only = set(args.only.split(",")) if args.only else None
    with tempfile.TemporaryDirectory() as work:
        sources = [(sample.stem, sample) for sample in editions.SAMPLES]
        generated = editions.write_generated(Path(work))
        sources += [(name, path) for (name, *_), path in zip(editions.generated_editions(),
                                                              generated)]
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
        tasks = [(name, str(path), fmt, str(args.png) if args.png else None)
                 for name, path in sources if only is None or name in only for fmt in names]
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(_set, tasks))
    print(f"{'edition':<22} {'format':<9} pp passes  fill % (last)           split strand "
          "spread measure  verdict")
    for row in rows:
        fills = row["fill_pct"]
        fill = " ".join(f"{value:.0f}" for value in fills[:-1]) + f" / {fills[-1]:.0f}"
        print(f"{row['edition']:<22} {row['format']:<9} {row['pages']:>2} {row['passes']:>6}  "
              f"{fill:<24} {row['whole_boxes_split']:>5} {row['stranded_heads']:>6} "
              f"{row['listing_spread_lines']:>6.1f} {str(row['measure_chars']):<8} "
              f"{'ok' if row['ok'] else ' '.join(row['failing'])}")
    for fmt in names:
        mine = [row for row in rows if row["format"] == fmt]
        inner = [v for row in mine for v in row["fill_pct"][:-1]]
        last = [row["fill_pct"][-1] for row in mine]
        print(f"{fmt}: {sum(row['ok'] for row in mine)}/{len(mine)} editions meet every figure; "
              f"pages but the last {min(inner, default=100):.0f}+ % filled, the last "
              f"{min(last, default=100):.0f}+ %; {sum(r['whole_boxes_split'] for r in mine)} boxes "
              f"split, {sum(r['stranded_heads'] for r in mine)} stranded heads; passes "
              f"{min(r['passes'] for r in mine)}–{max(r['passes'] for r in mine)}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
