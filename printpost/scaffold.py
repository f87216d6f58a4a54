"""`printpost new`: the next edition's data file, ready to fill in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .compose import environment
from .models import first_issue_date, issue_number

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(ya?ml|json)$", re.IGNORECASE)
_SUFFIXES = (".yaml", ".yml", ".json")


def editions_by_date(directory: Path) -> dict[dt.date, list[Path]]:
    """The issue files in `directory` by the date of their edition: from the name when it is
    a date (any case of .yaml, .yml, .json), else from the file's data (unreadable or
    invalid files have no date)."""
    from .catalog import edition_date

    dates: dict[dt.date, list[Path]] = {}
    if not directory.is_dir():
        return dates
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in _SUFFIXES:
            continue
        day = None
        if match := _DATED.match(path.name):
            try:
                day = dt.date.fromisoformat(match.group(1))
            except ValueError:
                pass
        elif path.is_file():
            day = edition_date(path)
        if day is not None:
            dates.setdefault(day, []).append(path)
    return dates


def next_date(directory: Path) -> dt.date:
    """The day after the newest edition in `directory` (or today, if none)."""
    dates = editions_by_date(directory)
    return max(dates) + dt.timedelta(days=1) if dates else dt.date.today()


def create(day: dt.date, directory: Path) -> Path:
    """Write `directory/<day>.yaml` from the scaffold; never overwrites, and refuses a date
    that already has an issue file (two files of one date build neither)."""
    from .messages import listed

    number = issue_number(day)
    if number < 1:
        raise ValueError(f"{day.isoformat()} is before issue #1 ({first_issue_date().isoformat()})")
    if existing := editions_by_date(directory).get(day):
        raise ValueError(f"{day.isoformat()} already has an issue file: "
                         f"{listed([str(path) for path in existing])}; edit it instead")
    path = directory / f"{day.isoformat()}.yaml"
    text = environment().get_template("new-issue.yaml.j2").render(
        date=day.isoformat(), weekday=day.strftime("%A"), number=number
    )
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise ValueError(f"{path} already exists; edit it instead") from None
    return path


def unfilled(issue) -> list[str]:
    """The fields of an edition that still hold the scaffold's TODO placeholders: such an
    edition is refused by build, check and validate until they are filled (or --draft)."""
    found: list[str] = []

    def walk(value, path: str) -> None:
        if isinstance(value, str):
            if value.lstrip().startswith("TODO"):
                found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(issue.model_dump(mode="json"), "")
    return found


def unfilled_problem(path, issue) -> str | None:
    """One line for an edition with TODOs left, or None."""
    fields = unfilled(issue)
    if not fields:
        return None
    more = f" and {len(fields) - 1} other field{'s' if len(fields) > 2 else ''}" if len(fields) > 1 else ""
    return (f"{path}: {fields[0]}{more} still say TODO (the scaffold of printpost new): write "
            "the edition's copy there, or build it anyway with --draft")


LAYOUTS_README = """Your paper's own layouts. A file here is used in place of printpost's file of the
same name (the same path under printpost's layouts/ folder), file by file: copy one
template or stylesheet here (edition.html.j2, base.css, formats/press.css...) and edit the
copy. Everything else stays printpost's.
"""


def new_paper(directory: Path, *, name: str, tagline: str, motto: str, location: str,
              first_issue: dt.date) -> list[Path]:
    """`printpost init`: a paper's folder that builds at once. Never overwrites a file."""
    config = directory / "printpost.toml"
    if config.exists():
        raise ValueError(f"{config} already exists: {directory} is a paper already")
    for label, value in (("--name", name), ("--tagline", tagline), ("--motto", motto),
                         ("--location", location)):
        if not value.strip() or len(value) > 80 or any(not c.isprintable() for c in value):
            raise ValueError(f"{label}: write 1 to 80 printable characters")
    import json

    # Plain text out (TOML and YAML), each value a JSON string, which both read as written.
    env = environment().overlay(autoescape=False)
    env.filters["quoted"] = lambda value: json.dumps(value, ensure_ascii=False)
    values = dict(name=name, tagline=tagline, motto=motto, location=location,
                  established=first_issue.year, first_issue=first_issue.isoformat(),
                  date=first_issue.isoformat())
    files = {
        config: env.get_template("init/printpost.toml.j2").render(**values),
        directory / "issues" / f"{first_issue.isoformat()}.yaml":
            env.get_template("init/first-edition.yaml.j2").render(**values),
        directory / "layouts" / "README.txt": LAYOUTS_README,
    }
    made = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue  # the folder's own file stays
        made.append(path)
    return made
