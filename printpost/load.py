"""Load step: an issue file (YAML or JSON) → a validated `Issue`, or a list of problems.

Each problem names the file, the line (where the parser knows it), the field path and what
was expected, on one line. Issue data is untrusted: the file size and nesting depth are
bounded and YAML anchors/aliases are refused, so a "billion laughs" file cannot blow up.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, CollectionEndEvent

from .models import Issue

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 12
MAX_VALUES = 20_000  # keys, values, collections: the largest valid edition has about 1,800
SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    field: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InvalidIssue(Exception):
    """Raised with every problem found in one issue file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class LoadedIssue:
    path: Path
    issue: Issue
    source: bytes  # the file as read: hashed for caching, attached to archival PDFs


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    # Keep timestamps as strings so that pydantic reports a bad date on its field.
    yaml.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda constructor, node: constructor.construct_scalar(node)
    )
    yaml.allow_duplicate_keys = False
    return yaml


def _check_structure(text: str, name: str) -> None:
    """Refuse aliases, deep nesting and floods of values before anything is constructed
    (the pure-Python parser takes about 0.1 ms a value, so the count bounds the time)."""
    depth = 0
    for count, event in enumerate(_yaml().parse(io.StringIO(text))):
        line = event.start_mark.line + 1 if event.start_mark else None
        if count > MAX_VALUES:
            raise InvalidIssue(
                [Problem(name, f"more than {MAX_VALUES:,} values; an edition has a few thousand "
                               "at most", line=line)]
            )
        if isinstance(event, AliasEvent):
            raise InvalidIssue(
                [Problem(name, "YAML aliases (*name) are not allowed in issue data", line=line)]
            )
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InvalidIssue(
                    [Problem(name, f"nesting deeper than {MAX_DEPTH} levels", line=line)]
                )
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters refused before the YAML reader sees the text, so the first one in the file is
# the one reported: line breaks besides \n and \r (inside a value the reader would fold
# them into a space or a new line without a word, so the copy printed would not be the copy
# written), and what YAML refuses anywhere (C0 and C1 controls but tab and line ends, DEL,
# U+FFFE and U+FFFF).
_NOT_ALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _text(value: str) -> str:
    """A string as read; a character outside the BMP escaped as a UTF-16 surrogate pair (JSON
    "\\ud83e\\udd17", what json.dumps writes by default) is joined into that character, which
    the parser leaves as two halves. Unpaired halves stay, for the model to refuse."""
    value = str(value)  # drop ruamel's scalar string subclasses
    if _SURROGATE.search(value):
        try:
            return value.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            pass
    return value


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers → plain dicts and lists for pydantic."""
    if isinstance(node, dict):
        return {_text(key) if isinstance(key, str) else str(key): _plain(value)
                for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, str):
        return _text(node)
    return node


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the deepest part of `loc` present in the parsed file."""
    line = None
    node = data
    for part in loc:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line


def _describe(error: dict[str, Any]) -> str:
    message = error["msg"]
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling; `printpost schema` lists the fields)"
    if error["type"] not in ("value_error", "assertion_error") and "input" in error:
        shown = repr(error["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        if not isinstance(error["input"], (dict, list)):
            message += f" (got {shown})"
    return message.removeprefix("Value error, ")


def _one_line(text: str, limit: int = 200) -> str:
    """A parser's message (which may quote the file) as one short, printable line."""
    text = "".join(char if char.isprintable() else f"\\u{ord(char):04x}"
                   for char in " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _field_name(part: str) -> str:
    """A key as written in the file; unknown keys are untrusted: no line breaks or terminal
    escapes in messages, and no megabyte-long names."""
    if not part.isprintable() or len(part) > 60:
        shown = repr(part)
        return shown if len(shown) <= 60 else shown[:57] + "..."
    return part


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{_field_name(part)}" if path else _field_name(part)
    return path


def parse(text: str, name: str) -> Issue:
    """Validate the text of an issue file; `name` is used in messages."""
    try:
        if found := _NOT_ALLOWED.search(text):
            raise InvalidIssue([Problem(
                name, f"not valid YAML/JSON: U+{ord(found.group()):04X} is not allowed in "
                      "YAML/JSON text", line=text.count("\n", 0, found.start()) + 1)])
        _check_structure(text, name)
        data = _yaml().load(text)
    except InvalidIssue:
        raise
    except ReaderError as error:  # a character YAML allows nowhere, such as a C1 control
        line = text.count("\n", 0, error.position) + 1 if isinstance(error.position, int) else None
        what = (f"U+{error.character:04X} is not allowed in YAML/JSON text"
                if isinstance(error.character, int) else _one_line(str(error)))
        raise InvalidIssue([Problem(name, f"not valid YAML/JSON: {what}", line=line)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = _one_line(error.problem or error.context or "cannot be parsed")
        raise InvalidIssue([Problem(name, f"not valid YAML/JSON: {what}", line=line)]) from None
    except (YAMLError, ValueError, RecursionError) as error:
        raise InvalidIssue([Problem(name, f"not valid YAML/JSON: {_one_line(str(error))}")]) from None
    if not isinstance(data, dict):
        raise InvalidIssue([Problem(name, "expected a mapping of sections (edition, lead, ...)")])
    try:
        return Issue.model_validate(_plain(data))
    except ValidationError as error:
        problems = [
            Problem(
                name,
                _describe(detail),
                field=_field_path(detail["loc"]),
                line=_line_of(data, detail["loc"]),
            )
            for detail in error.errors(include_url=False)
        ]
        raise InvalidIssue(problems) from None


def load(path: Path | str) -> LoadedIssue:
    """Read and validate one issue file."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidIssue([Problem(name, f"expected a {', '.join(SUFFIXES)} file")])
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidIssue(
                [Problem(name, f"file is {size:,} bytes; issue files are limited to {MAX_FILE_BYTES:,}")]
            )
        source = path.read_bytes()
    except FileNotFoundError:
        raise InvalidIssue([Problem(name, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidIssue([Problem(name, "is a directory, not an issue file")]) from None
    except OSError as error:
        raise InvalidIssue([Problem(name, f"cannot be read: {error.strerror}")]) from None
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidIssue(
            [Problem(name, f"not UTF-8 text (byte {error.start}: {source[error.start]:#04x})")]
        ) from None
    if (nul := source.find(b"\0")) >= 0:  # UTF-16 or UTF-32 of ASCII text is valid UTF-8
        raise InvalidIssue([Problem(name, f"not UTF-8 text (byte {nul}: 0x00; UTF-16?)")])
    return LoadedIssue(path=path, issue=parse(text, name), source=source)
