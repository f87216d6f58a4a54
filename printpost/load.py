"""Load step: an issue file (YAML or JSON) → a validated `Issue`, or a list of problems.

Each problem names the file, the line (where the parser knows it), the field path and what
was expected, on one line. Issue data is untrusted: the file size and nesting depth are
bounded and YAML anchors/aliases are refused, so a "billion laughs" file cannot blow up.
"""

from __future__ import annotations

import io
import os
import re
import stat
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

from . import messages, sections
from .models import Issue, Listing

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
    column: int | None = None
    context: tuple[str, ...] = ()  # the line of the file and a caret under the place

    def __str__(self) -> str:
        """The problem on one line: file, line, field, what is wrong and the fix."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def report(self) -> str:
        """The one line, then (for a syntax error) the place in the file, indented."""
        return "\n".join((str(self), *(f"    {line}" for line in self.context)))


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
    """Refuse aliases, anchors, tags, deep nesting and floods of values before anything is
    constructed (the pure-Python parser takes about 0.1 ms a value, so the count bounds the
    time). Copy that starts with *, & or ! is read by YAML as an alias, an anchor or a tag:
    without this, "&x news" would print as "news"."""
    depth = 0

    def refuse(event, message: str) -> InvalidIssue:
        line = event.start_mark.line + 1 if event.start_mark else None
        field, key = _key_path(text.splitlines(), line - 1) if line else ("", "")
        return InvalidIssue([Problem(name, message.replace("{key}", key or "key"), field=field,
                                     line=line)])

    for count, event in enumerate(_yaml().parse(io.StringIO(text))):
        if count > MAX_VALUES:
            raise refuse(event, f"more than {MAX_VALUES:,} values; an edition has a few "
                                "thousand at most")
        if isinstance(event, AliasEvent):
            raise refuse(event, "YAML aliases (*name) are not allowed in issue data; quote copy "
                                "that starts with *: {key}: '*New* …'")
        if getattr(event, "anchor", None):
            raise refuse(event, "YAML anchors (&name) are not allowed in issue data; quote copy "
                                "that starts with &: {key}: '& …'")
        if getattr(event, "tag", None):  # explicit only: the parser resolves no others
            raise refuse(event, "YAML tags (!name) are not allowed in issue data; quote copy "
                                "that starts with !: {key}: '!…'")
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise refuse(event, f"nesting deeper than {MAX_DEPTH} levels")
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


def _unwrap(annotation: Any) -> Any:
    """The model or list inside Annotated[...], X | None and the like."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = next((arg for arg in options if _is_model(_unwrap(arg))
                               or typing.get_origin(_unwrap(arg)) is list), options[0])
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _schema_at(loc: tuple[int | str, ...], model: Any = Issue) -> tuple[Any, Any]:
    """(the model holding the last key of `loc`, that key's FieldInfo or None), found by
    walking the models' annotations from `model`: what the file should have had there."""
    holder, annotation, info = None, model, None
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int) and _is_model(annotation) and issubclass(annotation, Listing):
            annotation = _unwrap(annotation.model_fields["items"].annotation)  # its bare list
        if isinstance(part, int) and typing.get_origin(annotation) is list:
            holder, info, annotation = None, None, typing.get_args(annotation)[0]
        elif isinstance(part, str) and _is_model(annotation):
            holder, info = annotation, annotation.model_fields.get(part)
            if info is None:
                return holder, None
            annotation = info.annotation
        else:
            return None, None
    return holder, info


def _required(model: Any) -> list[str]:
    return [name for name, info in model.model_fields.items() if info.is_required()]


def _parent(loc: tuple[int | str, ...]) -> str:
    if len(loc) <= 1:
        return "the top of the file"
    if isinstance(loc[-2], int):
        return f"entry {loc[-2] + 1} of `{_field_name(str(loc[-3]))}:`" if len(loc) > 2 else "the entry"
    return f"`{_field_name(str(loc[-2]))}:`"


def _bounds(info: Any) -> tuple[Any, Any]:
    low = high = None
    for constraint in getattr(info, "metadata", ()):
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high


def _describe(error: dict[str, Any], model: Any = Issue) -> str:
    """A validation error in the editor's words, with the fix."""
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    given = error.get("input")
    holder, info = _schema_at(loc, model)
    name = _field_name(str(loc[-1])) if loc else ""
    if kind == "missing":
        return f"required field is missing; add `{name}:` to {_parent(loc)}"
    if kind == "extra_forbidden":
        fields = list(holder.model_fields) if holder is not None else []
        if (meant := messages.did_you_mean(str(loc[-1]), fields)) is not None:
            return f"unknown field; did you mean `{meant}`?"
        where = f"; {_parent(loc).replace('the top of the file', 'the file')} takes " if fields else ""
        return f"unknown field{where}{messages.listed(fields, 12)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        model = _unwrap(info.annotation) if info is not None else None
        if typing.get_origin(model) is list:
            model = _unwrap(typing.get_args(model)[0])
        # The keys it needs, or (where all are optional) those that hold its entries.
        needed = (_required(model) or [key for key, field in model.model_fields.items()
                                        if typing.get_origin(_unwrap(field.annotation)) is list]
                  if _is_model(model) else [])
        with_keys = f" with {messages.listed([f'{key}:' for key in needed])}" if needed else ""
        return f"expected a mapping{with_keys}, got {messages.kind_of(given)}"
    if kind == "list_type":
        return f"expected a list (one `- ` line per entry), got {messages.kind_of(given)}"
    if kind == "string_type":
        if given is None:
            return "has no value; write the copy after the colon (or leave the line out)"
        fix = "; quote it: '…'" if isinstance(given, (int, float, bool)) else ""
        if isinstance(given, dict):  # "- Copy with: a colon" is read as a key and its value
            fix = ("; copy that holds a colon followed by a space is read as key: value, so "
                   "quote copy that holds a colon: '…: …'")
        return f"expected text, got {messages.kind_of(given)}{fix}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        fix = (" (write it in full: 157000, not 157k, and without quotes)"
               if isinstance(given, str) else "")
        return f"expected a whole number, got {messages.kind_of(given)}{fix}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {messages.kind_of(given)}"
    if kind == "literal_error":
        allowed = [str(option) for option in typing.get_args(_unwrap(info.annotation))
                   if option is not None] if info is not None else []
        meant = messages.did_you_mean(str(given), allowed) if isinstance(given, str) else None
        hint = f"; did you mean `{meant}`?" if meant else ""
        return f"expected {' or '.join(allowed) or 'one of the listed values'}, got {messages.kind_of(given)}{hint}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(info)
        if low is not None and high is not None:
            return f"must be from {low} to {high}, got {messages.kind_of(given)}"
        if "ge" in ctx:
            return f"must be at least {ctx['ge']}, got {messages.kind_of(given)}"
        if "le" in ctx:
            return f"must be at most {ctx['le']}, got {messages.kind_of(given)}"
    if kind == "string_too_short":
        return "is empty; write the copy (or leave the line out where the field is optional)"
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        fix = "split it into two paragraphs" if limit >= 2000 else "shorten it"
        return (f"is {len(given) if isinstance(given, str) else '?':,} characters; at most "
                f"{limit:,} characters fit here ({fix})")
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {least} entr{'y' if least == 1 else 'ies'}; add one (a `- ` line)"
    if kind == "too_long":
        return (f"has {ctx.get('actual_length', 'too many'):,} entries; at most "
                f"{ctx.get('max_length', 0):,} (leave some out)")
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind not in ("value_error", "assertion_error"):
        # A kind not worded above: pydantic's sentence, its words made the editor's.
        message = message.replace("Input should be", "expected").replace("Input", "the value")
        message += f", got {messages.kind_of(given)}"
    return message


def _one_line(text: str, limit: int = 200) -> str:
    """A parser's message (which may quote the file) as one short, printable line."""
    text = "".join(char if char.isprintable() else f"\\u{ord(char):04x}"
                   for char in " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _field_name(part: str) -> str:
    """A key as written in the file; unknown keys are untrusted: no line breaks or terminal
    escapes in messages, and no long names (a key may be a secret)."""
    if not part.isprintable() or len(part) > 30:
        return messages.excerpt(part, 30)
    return part


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{_field_name(part)}" if path else _field_name(part)
    return path


_KEY_LINE = re.compile(r"(?P<indent> *)(?P<items>(?:- +)*)(?P<key>[A-Za-z_][\w-]*) *:(?: +(?P<value>.*))?$")
_ITEM_LINE = re.compile(r"(?P<indent> *)(?P<items>(?:- +)+)(?P<value>.*)$")


def _key_path(lines: list[str], upto: int) -> tuple[str, str]:
    """(field path, key) at line `upto` (0-based) of a block-style YAML file, read from the
    indentation of the lines before it: where a syntax error is, for the message (the
    parser knows only the line). Empty for flow style (JSON)."""
    stack: list[tuple[int, str | int, bool]] = []  # (indent, key or list index, has a value)
    scalar_indent = None  # lines indented more than this continue a value
    inside = False
    key = ""
    for number, raw in enumerate(lines[:upto + 1]):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if scalar_indent is not None and indent > scalar_indent and (number < upto or inside):
            continue  # a value's next line (the error's own line is a key put there by mistake)
        scalar_indent, inside = None, False
        if number == 0 and stripped[0] in "{[":
            return "", ""
        match = _KEY_LINE.match(raw) or _ITEM_LINE.match(raw)
        if not match:
            continue
        position = indent
        value = (match.group("value") or "").strip()
        valued = bool(value) and not value.startswith("#")
        # A key with its value on its line has no keys under it (a line indented under it
        # is a mistake, reported at its own key's place).
        while stack and stack[-1][2] and isinstance(stack[-1][1], str):
            stack.pop()
        for _ in range(match.group("items").count("-")):  # "- " items, perhaps "- - "
            while stack and stack[-1][0] > position:
                stack.pop()
            index = 0
            if stack and stack[-1][0] == position and isinstance(stack[-1][1], int):
                index = stack.pop()[1] + 1
            stack.append((position, index, False))
            position += 2
        if "key" in match.groupdict() and match.group("key"):
            key = match.group("key")
            while stack and stack[-1][0] >= position:
                stack.pop()
            stack.append((position, key, valued))
        if valued:
            scalar_indent = position
            inside = value[0] in "[{>|"  # a flow collection or block scalar: lines below are in it
    path = _field_path(tuple(part for _, part, _ in stack))
    return path, key


def _context(lines: list[str], line: int, column: int) -> tuple[str, ...]:
    """The line (1-based) as an excerpt of at most 60 characters around `column` (0-based),
    and a caret under the column."""
    if not 0 < line <= len(lines):
        return ()
    text = "".join(char if char.isprintable() else " " for char in lines[line - 1])
    start = max(0, min(column - 30, len(text) - 60))
    shown = text[start:start + 60]
    prefix = "…" if start else ""
    suffix = "…" if start + 60 < len(text) else ""
    gutter = f"{line} | "
    return (f"{gutter}{prefix}{shown}{suffix}",
            f"{' ' * (len(gutter) - 2)}| {' ' * (len(prefix) + column - start)}^")


def _syntax_problem(name: str, text: str, what: str, line: int | None,
                    column: int | None = None, parser_words: str = "") -> Problem:
    """A YAML/JSON syntax error: the line and column, the key it is under, the usual cause
    and its fix, and the place in the file with a caret."""
    lines = text.splitlines()
    field, key = _key_path(lines, line - 1) if line else ("", "")
    words = f"{parser_words} {what}"
    cause = messages.syntax_cause(words, key)
    source = lines[line - 1] if line and line <= len(lines) else ""
    if "mapping values are not allowed" in words and column is not None:
        first = _KEY_LINE.match(source)
        if first and source.index(":") >= column:  # the line's own key: its indentation
            cause = ("this key is indented more than the keys above it; line up the keys of "
                     "one section, or join the line to the copy above it")
    elif "expected <block end>" in words and (value := _KEY_LINE.match(source)):
        opening = (value.group("value") or " ")[0]
        if opening in "[{":
            cause = (f"copy that starts with {opening} is read as a list or a mapping; quote "
                     f"it: {key or 'key'}: '{opening}…{']' if opening == '[' else '}'} …'")
        elif opening in "'\"":
            cause = ("copy goes on after its closing quotation mark; quote the whole of the "
                     "copy (inside 'single quotes' write '' for an apostrophe)")
    message = f"not valid YAML/JSON: {_one_line(what, 80)}" + (f"; {cause}" if cause else "")
    return Problem(name, message, field=field, line=line,
                   column=column + 1 if line and column is not None else None,
                   context=_context(lines, line, column) if line and column is not None else ())


def _duplicate_key(error: MarkedYAMLError) -> str:
    found = re.match(r'found duplicate key "(.*?)" with value', error.problem or "", re.DOTALL)
    key = _field_name(found.group(1)) if found else "a key"
    first = f" (first on line {error.context_mark.line + 1})" if error.context_mark else ""
    return f"`{key}` appears twice in this mapping{first}; keep one"


def parse(text: str, name: str, layouts: tuple[Path, ...] | None = None) -> Issue:
    """Validate the text of an issue file; `name` is used in messages. `layouts`: the
    layouts directories whose section types the edition may have (printpost's own by
    default; sections.registry)."""
    try:
        if found := _NOT_ALLOWED.search(text):
            raise InvalidIssue([Problem(
                name, f"not valid YAML/JSON: U+{ord(found.group()):04X} is not allowed in "
                      "YAML/JSON text; remove it", line=text.count("\n", 0, found.start()) + 1)])
        _check_structure(text, name)
        data = _yaml().load(text)
    except InvalidIssue:
        raise
    except ReaderError as error:  # a character YAML allows nowhere, such as a C1 control
        line = text.count("\n", 0, error.position) + 1 if isinstance(error.position, int) else None
        what = (f"U+{error.character:04X} is not allowed in YAML/JSON text; remove it"
                if isinstance(error.character, int) else _one_line(str(error)))
        raise InvalidIssue([Problem(name, f"not valid YAML/JSON: {what}", line=line)]) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        if (error.problem or "").startswith("found duplicate key"):
            problem = _syntax_problem(name, text, _duplicate_key(error), line)
            raise InvalidIssue([problem]) from None
        if error.context == "while scanning a quoted scalar" and error.context_mark:
            mark, line = error.context_mark, error.context_mark.line + 1  # where it opened
        what = error.problem or error.context or "cannot be parsed"
        raise InvalidIssue([_syntax_problem(name, text, what, line, mark.column if mark else None,
                                            error.context or "")]) from None
    except (YAMLError, ValueError, RecursionError) as error:
        raise InvalidIssue([Problem(name, f"not valid YAML/JSON: {_one_line(str(error))}",
                                    line=1)]) from None
    return validate(data, name, layouts)


def validate(data: Any, name: str, layouts: tuple[Path, ...] | None = None) -> Issue:
    """The issue that parsed data (ruamel's containers, whose lines problems name, or plain
    dicts and lists) describes, or InvalidIssue; with the section types of `layouts`."""
    model = (sections.registry(tuple(layouts)) if layouts else sections.registry()).issue_model
    if not isinstance(data, dict):
        raise InvalidIssue([Problem(name, "expected a mapping of sections (edition:, lead:, "
                                          f"…), got {messages.kind_of(_plain(data))}", line=1)])
    from . import paper

    try:
        with_defaults = paper.current().with_defaults(_plain(data))
    except paper.PaperError as error:
        raise InvalidIssue(error.problems) from None
    try:
        return model.model_validate(with_defaults)
    except ValidationError as error:
        problems = [
            Problem(
                name,
                _describe(detail, model),
                field=_field_path(detail["loc"]),
                line=_line_of(data, detail["loc"]) or 1,  # at the top: the file's first line
            )
            for detail in error.errors(include_url=False)
        ]
        raise InvalidIssue(problems) from None


def _outside_its_directory(path: Path) -> bool:
    """A symbolic link (or a chain of them) whose file is not in the link's own directory
    or below it: issue data is read only from where the issue files are, so a link to
    /etc/shadow or a secrets file is not followed (and its lines are never in a message)."""
    if not path.is_symlink():
        return False
    target = Path(os.path.realpath(path))
    home = Path(os.path.realpath(path.parent))
    return not target.is_relative_to(home)


def read_source(path: Path) -> bytes:
    """The bytes of an issue file, or InvalidIssue: not a link out of its directory, not a
    directory or a device, not larger than MAX_FILE_BYTES."""
    name = str(path)
    try:
        if _outside_its_directory(path):
            raise InvalidIssue([Problem(name, "is a symbolic link to a file outside its "
                                              "directory, which is not read; copy the file in "
                                              "instead")])
        # The checked file itself, no link followed after the check.
        descriptor = os.open(os.path.realpath(path), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as file:
            status = os.fstat(file.fileno())
            if stat.S_ISDIR(status.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(status.st_mode):
                raise InvalidIssue([Problem(name, "is not a regular file (a device or a pipe?)")])
            if status.st_size > MAX_FILE_BYTES:
                raise InvalidIssue([Problem(name, f"file is {status.st_size:,} bytes; issue "
                                                  f"files are limited to {MAX_FILE_BYTES:,}")])
            source = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InvalidIssue([Problem(name, "no such file")]) from None
    except IsADirectoryError:
        raise InvalidIssue([Problem(name, "is a directory, not an issue file")]) from None
    except OSError as error:
        raise InvalidIssue([Problem(name, f"cannot be read: {error.strerror or error}")]) from None
    if len(source) > MAX_FILE_BYTES:  # it grew while being read
        raise InvalidIssue([Problem(name, f"file is over {MAX_FILE_BYTES:,} bytes; issue files "
                                          f"are limited to {MAX_FILE_BYTES:,}")])
    return source


def load(path: Path | str, layouts: tuple[Path, ...] | None = None) -> LoadedIssue:
    """Read and validate one issue file (with the section types of `layouts`, see parse)."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidIssue([Problem(name, f"expected a {', '.join(SUFFIXES)} file")])
    source = read_source(path)
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidIssue(
            [Problem(name, f"not UTF-8 text (byte {error.start}: {source[error.start]:#04x}); "
                           "save the file as UTF-8", line=source.count(b"\n", 0, error.start) + 1)]
        ) from None
    if (nul := source.find(b"\0")) >= 0:  # UTF-16 or UTF-32 of ASCII text is valid UTF-8
        raise InvalidIssue([Problem(name, f"not UTF-8 text (byte {nul}: 0x00; UTF-16?); save "
                                          "the file as UTF-8",
                                    line=source.count(b"\n", 0, nul) + 1)])
    return LoadedIssue(path=path, issue=parse(text, name, layouts), source=source)
