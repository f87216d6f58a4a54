"""`printpost new`: the next edition's data file, ready to fill in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .compose import environment
from .models import FIRST_ISSUE_DATE, issue_number

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(ya?ml|json)$")


def next_date(directory: Path) -> dt.date:
    """The day after the newest dated issue file in `directory` (or today, if none)."""
    dates = []
    for path in directory.glob("*"):
        if match := _DATED.match(path.name):
            try:
                dates.append(dt.date.fromisoformat(match.group(1)))
            except ValueError:
                continue
    return max(dates) + dt.timedelta(days=1) if dates else dt.date.today()


def create(day: dt.date, directory: Path) -> Path:
    """Write `directory/<day>.yaml` from the scaffold; never overwrites."""
    number = issue_number(day)
    if number < 1:
        raise ValueError(f"{day.isoformat()} is before issue #1 ({FIRST_ISSUE_DATE.isoformat()})")
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
