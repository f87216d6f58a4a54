"""The paper as configuration: `printpost.toml` at the paper's root.

A paper is a folder with a printpost.toml (its identity, the date of issue #1 from which
issue numbers follow, defaults for section titles and the subscribe box, the site's base
URL, the formats to build and the output folder), its issues/ and, if it wants, its own
layouts/, whose files override the package's of the same name (resources.layout_dirs).
printpost finds it as git finds a repository: printpost.toml in the current folder or the
nearest one above it. Without one, the built-in paper (The AI Morning Post, as the models'
defaults say) is used. The file is validated like an issue file: every problem one line
with the file, line, field and the fix.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

CONFIG_NAME = "printpost.toml"
# A child process (the build pool's workers) uses the paper its parent found.
_ENVIRONMENT = "PRINTPOST_PAPER"

BUILT_IN_FIRST_ISSUE = dt.date(2026, 1, 29)
IDENTITY = {"name": "title", "tagline": "tagline", "motto": "motto",
            "established": "established", "location": "location"}


@dataclass(frozen=True)
class Paper:
    root: Path | None  # None: the built-in paper
    config: Path | None = None
    first_issue: dt.date = BUILT_IN_FIRST_ISSUE
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # section → field → value
    base_url: str | None = None
    formats: tuple[str, ...] = ()
    output: Path | None = None
    issues: Path | None = None

    @property
    def name(self) -> str:
        return self.defaults.get("edition", {}).get("title", "The AI Morning Post")

    def with_defaults(self, data: dict) -> dict:
        """Issue data with the paper's defaults under it: a field the edition leaves out
        takes the paper's value. Only sections the edition has are filled (a section left
        out stays out), and the edition section always."""
        merged = dict(data)
        for section, values in self.defaults.items():
            given = merged.get(section)
            if section == "edition" and given is None:
                continue  # reported as missing by validation
            if isinstance(given, dict):
                merged[section] = {**values, **given}
        return merged


def _discover(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def paper_root() -> Path | None:
    """The folder of the paper in use (None: the built-in paper), without reading it."""
    named = os.environ.get(_ENVIRONMENT)
    if named:
        return Path(named)
    return _discover(Path.cwd().resolve())


def use(root: Path | None) -> None:
    """Use the paper at `root` in this process and the processes it starts."""
    if root is None:
        os.environ.pop(_ENVIRONMENT, None)
    else:
        os.environ[_ENVIRONMENT] = str(Path(root).resolve())
    current.cache_clear()


@cache
def current() -> Paper:
    """The paper in use, read and validated once per process (raises PaperError)."""
    root = paper_root()
    if root is None or not (root / CONFIG_NAME).is_file():
        return Paper(root=None)
    return read(root / CONFIG_NAME)


def first_issue() -> dt.date:
    try:
        return current().first_issue
    except PaperError:
        return BUILT_IN_FIRST_ISSUE  # the error itself is reported where the paper is loaded


# --- reading and validating printpost.toml ------------------------------------------------

TABLES = {
    "paper": {"name": str, "tagline": str, "motto": str, "established": int,
              "first_issue": dt.date, "location": str},
    "site": {"base_url": str},
    "build": {"formats": list, "output": str, "issues": str},
    "defaults": dict,
}
_TYPE_WORDS = {str: "text in quotes", int: "a whole number", dt.date: "a date, written YYYY-MM-DD",
               list: "a list, such as [\"a4\", \"letter\"]", dict: "a table"}


def _load_error_classes():
    from .load import InvalidIssue, Problem

    return InvalidIssue, Problem


class PaperError(Exception):
    """printpost.toml is not valid; `problems` are load.Problem lines (file, line, field)."""

    def __init__(self, problems):
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _line_of(lines: list[str], table: str, key: str | None) -> int | None:
    """The line of `key` in [table] (or of the table's header): tomllib keeps no places."""
    current_table, header = "", None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if match := re.fullmatch(r"\[\s*([^\]]+?)\s*\]\s*(#.*)?", stripped):
            current_table = match.group(1).replace('"', "").replace(" ", "")
            if current_table == table:
                header = number
            continue
        if key is not None and current_table == table and re.match(
                rf'"?{re.escape(key)}"?\s*=', stripped):
            return number
    return header


def read(path: Path) -> Paper:
    from . import messages, urls

    _, Problem = _load_error_classes()
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise PaperError([Problem(name, f"cannot be read: {error.strerror or error}")]) from None
    except UnicodeDecodeError:
        raise PaperError([Problem(name, "is not UTF-8 text; save it as UTF-8")]) from None
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"\(at line (\d+), column \d+\)", str(error))
        words = re.sub(r"\s*\(at line.*\)", "", str(error))
        raise PaperError([Problem(name, f"not valid TOML: {words} (see toml.io for the syntax)",
                                  line=int(where.group(1)) if where else None)]) from None
    lines = text.splitlines()
    problems = []

    def problem(table: str, key: str | None, message: str) -> None:
        field_name = f"{table}.{key}" if key else table
        problems.append(Problem(name, message, field=field_name, line=_line_of(lines, table, key)))

    for table, value in data.items():
        if table not in TABLES:
            meant = messages.did_you_mean(table, list(TABLES))
            problem(table, None, f"unknown table [{table}]" + (f"; did you mean [{meant}]?" if meant
                                                              else f"; known: {', '.join(TABLES)}"))
        elif not isinstance(value, dict):
            problem(table, None, f"should be a table, [{table}], not a single value")
    paper = data.get("paper", {}) if isinstance(data.get("paper"), dict) else {}
    for table in ("paper", "site", "build"):
        values = data.get(table, {})
        if not isinstance(values, dict):
            continue
        known = TABLES[table]
        for key, value in values.items():
            if key not in known:
                meant = messages.did_you_mean(key, list(known))
                problem(table, key, f"unknown key `{key}`" + (f"; did you mean `{meant}`?" if meant
                                                             else f"; known: {', '.join(known)}"))
            elif not isinstance(value, known[key]) or isinstance(value, bool) or (
                    known[key] is dt.date and isinstance(value, dt.datetime)):
                problem(table, key, f"should be {_TYPE_WORDS[known[key]]}, got "
                                    f"{messages.kind_of(value)}")
    if isinstance(paper.get("established"), int) and not 1000 <= paper["established"] <= 2100:
        problem("paper", "established", "should be a year, such as 2025")
    for key in ("name", "tagline", "motto", "location"):
        if isinstance(paper.get(key), str) and not paper[key].strip():
            problem("paper", key, "is empty; write it, or leave the key out")
    site = data.get("site") if isinstance(data.get("site"), dict) else {}
    if isinstance(site.get("base_url"), str) and (wrong := urls.problem(site["base_url"])):
        problem("site", "base_url", wrong)
    build = data.get("build") if isinstance(data.get("build"), dict) else {}
    if isinstance(build.get("formats"), list):
        from .formats import formats as known_formats

        for entry in build["formats"]:
            if entry not in known_formats():
                meant = messages.did_you_mean(str(entry), list(known_formats()))
                problem("build", "formats", f"unknown format {entry!r}" + (
                    f"; did you mean {meant!r}?" if meant else
                    f"; known formats: {', '.join(known_formats())}"))
    defaults = _defaults(data.get("defaults"), paper, problem)
    if problems:
        raise PaperError(problems)
    root = path.parent
    return Paper(
        root=root, config=path, first_issue=paper.get("first_issue", BUILT_IN_FIRST_ISSUE),
        defaults=defaults, base_url=site.get("base_url"),
        formats=tuple(build.get("formats", ())),
        output=root / build["output"] if "output" in build else None,
        issues=root / build["issues"] if "issues" in build else None)


def _defaults(table, paper: dict, problem) -> dict[str, dict[str, Any]]:
    """[defaults.SECTION] tables, each field checked against the issue model's own rules;
    the [paper] identity joins them as the edition's defaults."""
    from pydantic import TypeAdapter, ValidationError

    from . import messages
    from .models import Issue

    result: dict[str, dict[str, Any]] = {}
    edition = {IDENTITY[key]: value for key, value in paper.items() if key in IDENTITY}
    if edition:
        result["edition"] = edition
    if not isinstance(table, dict):
        return result
    sections = Issue.model_fields
    for section, values in table.items():
        if section not in sections:
            meant = messages.did_you_mean(section, list(sections))
            problem("defaults", section, f"no section `{section}` in an edition" + (
                f"; did you mean `{meant}`?" if meant else ""))
            continue
        if not isinstance(values, dict):
            problem("defaults", section, f"should be a table, [defaults.{section}]")
            continue
        model = _section_model(sections[section].annotation)
        fields = getattr(model, "model_fields", {})
        for key, value in values.items():
            where = f"defaults.{section}"
            if key not in fields:
                meant = messages.did_you_mean(key, list(fields))
                problem(where, key, f"no field `{key}` in {section}" + (
                    f"; did you mean `{meant}`?" if meant else ""))
                continue
            info = fields[key]
            try:
                TypeAdapter(info.rebuild_annotation() if hasattr(info, "rebuild_annotation")
                            else info.annotation).validate_python(value, strict=True)
            except ValidationError as error:
                first = error.errors(include_url=False)[0]
                problem(where, key, f"{first['msg']} (got {messages.excerpt(value)})")
                continue
            result.setdefault(section, {})[key] = value
    return result


def _section_model(annotation):
    """The model of a section field (`Opinion | None` → Opinion)."""
    from typing import get_args

    for candidate in (annotation, *get_args(annotation)):
        if hasattr(candidate, "model_fields"):
            return candidate
    return None
