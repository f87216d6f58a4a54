"""A synthetic month of The AI Morning Post: one issue file per day, for benchmarks and tests.

  python bench/month.py 2026-04 OUTDIR [--days 1,2,5]

The copy is the three real samples in issues/ recombined: each day draws its lead, deep dive,
columns, tools, repositories, movers and reading from the pool of all three, in a shuffled
order and with nudged numbers. The same month always gives the same files (the random
generator is seeded with the month), so benchmarks compare like with like. Every file says
in its header that it is synthetic; issues/ keeps only the real samples.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import io
import random
import sys
from collections.abc import Iterable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from ruamel.yaml import YAML  # noqa: E402

from printpost import load  # noqa: E402
from printpost.models import FIRST_ISSUE_DATE, Issue, issue_number  # noqa: E402

SAMPLES_DIR = PROJECT / "issues"
LOCATIONS = ["London, United Kingdom", "Manchester, United Kingdom", "Edinburgh, United Kingdom",
             "Bristol, United Kingdom", "Leeds, United Kingdom"]
CONDITIONS = ["Cloudy", "Partly Cloudy", "Sunny Spells", "Light Rain", "Showers", "Clear", "Overcast"]


def _samples() -> list[Issue]:
    return [load.load(path).issue for path in sorted(SAMPLES_DIR.glob("*.yaml"))]


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_none=True)


def _edition(day: dt.date, rng: random.Random, samples: list[Issue]) -> dict:
    """One day's issue data, drawn from the samples' copy."""
    leads = [sample.lead for sample in samples]
    dives = [sample.deep_dive for sample in samples]
    paragraphs = [p for sample in samples for p in (*sample.lead.body, *sample.deep_dive.body)]
    columns = [column for sample in samples for column in sample.opinion.columns]
    tools = [tool for sample in samples for tool in sample.tools.items]
    hub = list({entry.name: entry for sample in samples for entry in sample.trending.huggingface}.values())
    repos = list({repo.name: repo for sample in samples for repo in sample.trending.github}.values())
    movers = [mover for sample in samples if sample.movers for mover in sample.movers.items]
    reading = [item for sample in samples if sample.reading for item in sample.reading.items]

    lead = rng.choice(leads)
    dive = rng.choice([d for d in dives if d.headline != lead.headline] or dives)
    base = samples[-1]
    lead_data = _dump(lead)
    lead_data.update(score=rng.randint(5, 9), body=rng.sample(paragraphs, rng.randint(2, 4)))
    dive_data = _dump(dive)
    dive_data["body"] = rng.sample(paragraphs, rng.randint(3, 4))
    github = []
    for repo in rng.sample(repos, min(len(repos), rng.randint(4, 6))):
        entry = _dump(repo)
        if repo.stars is not None:  # stars drift over a month
            entry["stars"] = repo.stars + rng.randint(-900, 900) + 40 * day.day
        github.append(entry)
    return {
        "edition": {
            **_dump(base.edition),
            "date": day.isoformat(),
            "issue": issue_number(day),
            "location": rng.choice(LOCATIONS),
            "weather": {"temperature_c": rng.randint(3, 19), "condition": rng.choice(CONDITIONS)},
        },
        "lead": lead_data,
        "deep_dive": dive_data,
        "opinion": {"title": base.opinion.title,
                    "columns": [_dump(column) for column in rng.sample(columns, 2)]},
        "tools": {**_dump(base.tools), "items": [_dump(t) for t in rng.sample(tools, rng.randint(3, 5))]},
        "trending": {**_dump(base.trending),
                     "huggingface": [_dump(e) for e in rng.sample(hub, rng.randint(1, min(3, len(hub))))],
                     "github": github},
        "movers": [_dump(m) for m in rng.sample(movers, rng.randint(3, 4))],
        "reading": [_dump(r) for r in rng.sample(reading, 3)],
        "subscribe": _dump(base.subscribe),
    }


def _header(day: dt.date) -> str:
    return (
        f"# The AI Morning Post, {day:%A} {day.day} {day:%B %Y} (issue #{issue_number(day)}).\n"
        "# SYNTHETIC: made by bench/month.py from the copy of the three real samples in issues/,\n"
        "# recombined and reshuffled for benchmarks and tests. Not a published edition.\n\n"
    )


def month_days(month: str) -> list[dt.date]:
    """Every day of `month` (YYYY-MM) on which the paper existed."""
    year, number = (int(part) for part in month.split("-"))
    days = calendar.monthrange(year, number)[1]
    return [day for day in (dt.date(year, number, d) for d in range(1, days + 1))
            if day >= FIRST_ISSUE_DATE]


def write_month(month: str, out_dir: Path, days: Iterable[int] | None = None) -> list[Path]:
    """Write one issue file per day of `month` (or only the given days) into `out_dir`."""
    samples = _samples()
    seed = int.from_bytes(hashlib.sha256(month.encode()).digest()[:8], "big")
    rng = random.Random(seed)
    wanted = set(days) if days is not None else None
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.sort_base_mapping_type_on_output = False
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for day in month_days(month):
        data = _edition(day, rng, samples)  # drawn for every day, so a subset is the same copy
        if wanted is not None and day.day not in wanted:
            continue
        buffer = io.StringIO()
        yaml.dump(data, buffer)
        path = out_dir / f"{day.isoformat()}.yaml"
        path.write_text(_header(day) + buffer.getvalue(), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("month", help="YYYY-MM, e.g. 2026-04")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--days", help="only these days of the month, e.g. 1,2,5")
    args = parser.parse_args(argv)
    days = [int(d) for d in args.days.split(",")] if args.days else None
    for path in write_month(args.month, args.out_dir, days):
        print(path)


if __name__ == "__main__":
    main()
