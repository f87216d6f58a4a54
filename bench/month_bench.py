"""Month benchmark: a synthetic month built from scratch, serially and on every core.

  .venv/bin/python bench/month_bench.py [--month 2026-04] [--days 1,2,3] [--json month.json]

Prints: the full build of the month with 1 worker and with all cores, the speedup, a no-op
rebuild (in process, and as a fresh `printpost build --all` process), and the month archive's
assembly (cover, contents, copying every edition) and its no-op. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "bench"))

import month as month_generator  # noqa: E402
from printpost import archive, catalog, render  # noqa: E402


def timed(function):
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-04")
    parser.add_argument("--days", help="only these days, e.g. 1,2,3 (default: the whole month)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    render.quiet_weasyprint_logs()
    days = [int(day) for day in args.days.split(",")] if args.days else None
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        sources = month_generator.write_month(args.month, work / "issues", days)
        serial, serial_s = timed(lambda: catalog.build_catalog(sources, ["a4"], work / "serial", jobs=1))
        parallel, parallel_s = timed(
            lambda: catalog.build_catalog(sources, ["a4"], work / "parallel", jobs=cores))
        noop, noop_s = timed(lambda: catalog.build_catalog(sources, ["a4"], work / "parallel"))
        cli_started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "printpost", "build", "--all", str(work / "issues"),
                        "--out", str(work / "parallel"), "--quiet"], check=True, cwd=PROJECT)
        cli_noop_s = time.perf_counter() - cli_started
        made, archive_s = timed(lambda: archive.make_archive(
            args.month, work / "issues", work / "parallel", ["a4"]))
        _, archive_noop_s = timed(lambda: archive.make_archive(
            args.month, work / "issues", work / "parallel", ["a4"]))
        figures = {
            "editions": len(sources),
            "cores": cores,
            "full_build_1_worker_s": round(serial_s, 1),
            f"full_build_{cores}_workers_s": round(parallel_s, 1),
            "speedup": round(serial_s / parallel_s, 2),
            "per_edition_1_worker_s": round(serial_s / len(sources), 2),
            "noop_rebuild_in_process_s": round(noop_s, 2),
            "noop_rebuild_cli_s": round(cli_noop_s, 2),
            "archive_assembly_s": round(archive_s, 2),
            "archive_noop_s": round(archive_noop_s, 2),
            "archive_pages": made.pages,
            "archive_bytes": made.pdf.stat().st_size,
            "bundle_bytes": made.bundle.stat().st_size,
        }
        for result in (serial, parallel):
            assert not result.failed, [o.problems for o in result.failed]
        assert noop.rendered == 0

    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key.ljust(width)}  {value}")
    print(parallel.summary())
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":  # the build's worker processes import this file again
    main()
