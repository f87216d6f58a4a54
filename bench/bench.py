"""Benchmarks: prints a table (and JSON with --json) for every sample edition.

  .venv/bin/python bench/bench.py [--repeat 5] [--format a4] [--json bench.json]

Per sample: cold CLI wall time (a fresh `printpost build` process) and its peak RSS, warm
in-process render time (one pass: min and median; and with copyfit, as `build` does), pages,
PDF bytes; for comparison, a bare WeasyPrint render of the same HTML (default fetcher and font
handling), a plain balanced 3-column WeasyPrint page of the same copy (bench/plain.html.j2),
and headless Chromium printing printpost's HTML (skipped when chromium is not installed). Figures, not assertions: targets are
judged by reading them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from printpost import compose, load, pipeline, render  # noqa: E402
from printpost.engine.patches import EngineOptions  # noqa: E402
from printpost.formats import get_format  # noqa: E402
from printpost.resources import LAYOUTS_DIR  # noqa: E402


def cold_cli(sample: Path, fmt: str) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "printpost", "build", str(sample), "--out", out,
             "--format", fmt, "--quiet"],
            check=True, cwd=PROJECT,
        )
        return time.perf_counter() - started


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def bare_weasyprint(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url=LAYOUTS_DIR.as_uri() + "/").write_pdf()


def plain_html(issue) -> str:
    """The same copy in a straightforward balanced 3-column stylesheet (bench/plain.html.j2)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True)
    return env.get_template("plain.html.j2").render(issue=issue)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_print(html: str) -> float | None:
    """Wall time of headless Chromium printing printpost's HTML to PDF (None: not installed)."""
    if not CHROMIUM:
        return None
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "edition.html"
        page.write_text(html.replace("<head>", f'<head><base href="{LAYOUTS_DIR.as_uri()}/">', 1))
        started = time.perf_counter()
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", f"--user-data-dir={work}/profile",
                        f"--print-to-pdf={work}/out.pdf", "--no-pdf-header-footer", page.as_uri()],
                       check=True, capture_output=True, timeout=120)
        return time.perf_counter() - started


# Runs the CLI and reports the peak RSS of that process alone (RUSAGE_CHILDREN would be the
# largest child so far: headless Chromium, when it ran first).
_PEAK_RSS_RUNNER = ("import atexit, resource, runpy, sys\n"
                    "atexit.register(lambda: print('peak-rss-kb', resource.getrusage("
                    "resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
                    "sys.argv = ['printpost', *sys.argv[1:]]\n"
                    "runpy.run_module('printpost', run_name='__main__')\n")


def cold_rss_mb(sample: Path, fmt: str) -> float:
    """Peak RSS of one `printpost build` process."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-c", _PEAK_RSS_RUNNER, "build", str(sample),
                              "--out", out, "--format", fmt, "--quiet"],
                             check=True, cwd=PROJECT, capture_output=True, text=True)
        kilobytes = [line.split()[1] for line in run.stderr.splitlines()
                     if line.startswith("peak-rss-kb ")]
        return int(kilobytes[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--format", default="a4")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    render.quiet_weasyprint_logs()

    rows = []
    fmt = get_format(args.format)
    typesetter = pipeline.Typesetter(EngineOptions.from_environment())
    for sample in sorted((PROJECT / "issues").glob("*.yaml")):
        loaded = load.load(sample)
        html = compose.compose(loaded.issue, get_format(args.format))
        cold = cold_cli(sample, args.format)
        result = {}
        typesetter.render(loaded, fmt)  # warm: this edition's contents measured
        warm = timed(lambda: result.update(r=typesetter.render(loaded, fmt)), args.repeat)
        fitted = timed(lambda: typesetter.typeset(loaded, fmt), max(1, args.repeat // 2))
        bare = timed(lambda: bare_weasyprint(html), max(1, args.repeat // 2))
        plain = plain_html(loaded.issue)
        plain_times = timed(lambda: bare_weasyprint(plain), max(1, args.repeat // 2))
        chromium = chromium_print(html)
        rows.append({
            "sample": sample.name,
            "format": args.format,
            "cold_cli_s": round(cold, 3),
            "warm_min_s": round(min(warm), 3),
            "warm_median_s": round(statistics.median(warm), 3),
            "warm_with_copyfit_median_s": round(statistics.median(fitted), 3),
            "bare_weasyprint_median_s": round(statistics.median(bare), 3),
            "plain_3col_weasyprint_median_s": round(statistics.median(plain_times), 3),
            "chromium_print_s": None if chromium is None else round(chromium, 3),
            "cold_build_peak_rss_mb": round(cold_rss_mb(sample, args.format)),
            "pages": result["r"].pages,
            "pdf_bytes": len(result["r"].pdf),
        })
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    print(f"peak RSS of this process: {peak_rss_mb:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "peak_rss_mb": round(peak_rss_mb)}, indent=2))


if __name__ == "__main__":
    main()
