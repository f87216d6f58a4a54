"""Bounded work: the editions that used to make a build run for minutes, timed.

  python bench/reliability.py [--json] [--cases words,largest,cost] [--format a4]

Each case is a fresh `printpost build` (a new process, an empty output directory, every
copyfit pass) of a generated edition, with its wall time, peak RSS, exit status and last
line of output:

- words: a 6 000-character word (hyphenatable, with no break at all, and letters joined by
  ZWJ) in each kind of copy field that holds one (a lead, deep-dive and opinion paragraph),
  and the longest word a dek and a blurb hold;
- largest: the largest edition the schema accepts (every list and every piece of copy at
  its bound, made of the samples' own prose), as it is refused or built;
- cost: layout cost against the amount of copy (prose editions of growing size, every
  paragraph a sample's), the measurement the copy bounds of models.py are set from.

The issue's target: every case ends, built or refused with one line, within 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from ruamel.yaml import YAML  # noqa: E402

from printpost import load  # noqa: E402
from printpost.models import Issue  # noqa: E402

SAMPLES_DIR = PROJECT / "issues"
TARGET_SECONDS = 30.0
WORD_LENGTH = 6000
DATE = dt.date(2026, 4, 19)


def yaml_text(data: dict) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 1 << 20
    yaml.dump(data, out)
    return out.getvalue()


def _sample_data(path: Path | None = None) -> dict:
    path = path or sorted(SAMPLES_DIR.glob("*.yaml"))[-1]
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    data["edition"]["date"] = data["edition"]["date"].isoformat()
    return data


def sample_words() -> list[str]:
    """Every word of the samples' paragraphs, in order, without inline markup."""
    words = []
    for path in sorted(SAMPLES_DIR.glob("*.yaml")):
        issue = load.load(path).issue
        for body in (issue.lead.body, issue.deep_dive.body,
                     *(column.body for column in issue.opinion.columns)):
            for paragraph in body:
                words.extend(re.sub(r"[*\[\]()]", "", paragraph).split())
    return words


class Prose:
    """Copy of an exact length made of the samples' words, going on where it stopped."""

    def __init__(self) -> None:
        self.words = sample_words()
        self.next = 0

    def text(self, length: int) -> str:
        parts, size = [], 0
        while size < length:
            word = self.words[self.next % len(self.words)]
            self.next += 1
            parts.append(word)
            size += len(word) + 1
        return " ".join(parts)[:length].rstrip() or "x"


def long_word(kind: str, length: int = WORD_LENGTH) -> str:
    """One word of `length` characters: hyphenatable, without any break, or ZWJ-joined."""
    if kind == "hyphenatable":
        return ("information" * (length // 11 + 1))[:length]
    if kind == "unbreakable":
        return ("x9" * length)[:length]
    if kind == "zwj":
        return ("a\u200d" * length)[:length - 1] + "b"
    raise ValueError(kind)


# Where a word of each length can go: (field path, the longest text it holds).
WORD_FIELDS = (("lead.body.0", WORD_LENGTH), ("deep_dive.body.0", WORD_LENGTH),
               ("opinion.columns.0.body.0", WORD_LENGTH), ("lead.dek", None),
               ("tools.items.0.description", None))


def _set(data: dict, dotted: str, value) -> None:
    keys = [int(k) if k.isdigit() else k for k in dotted.split(".")]
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def _max_length(dotted: str) -> int:
    """The bound the schema sets on a field (found by walking the JSON Schema)."""
    schema = Issue.model_json_schema()
    node = schema
    for key in dotted.split("."):
        node = _resolve(schema, node)
        node = node["items"] if key.isdigit() else node["properties"][key]
    return _resolve(schema, node)["maxLength"]


def _resolve(schema: dict, node: dict) -> dict:
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in node:
            node = next(option for option in node["anyOf"] if option.get("type") != "null")
        else:
            return node


def long_word_edition(kind: str, field: str, length: int | None = None) -> str:
    """The newest sample with one long word as the whole of `field`."""
    data = _sample_data()
    _set(data, field, long_word(kind, length or _max_length(field)))
    return yaml_text(data)


def _copy_in(data) -> int:
    if isinstance(data, str):
        return len(data)
    if isinstance(data, dict):
        return sum(_copy_in(value) for key, value in data.items() if key != "url")
    if isinstance(data, list):
        return sum(map(_copy_in, data))
    return 0


def _full_edition() -> dict:
    """Every list at its longest and every piece of copy at its bound (the schema's own
    figures), the copy the samples' prose."""
    schema = Issue.model_json_schema()
    prose = Prose()

    def fill(node: dict):
        node = _resolve(schema, node)
        kind = node.get("type")
        if kind == "object":
            return {key: fill(value) for key, value in node["properties"].items()
                    if key != "issue"}
        if kind == "array":
            return [fill(node["items"]) for _ in range(node.get("maxItems", 8))]
        if kind == "integer":
            return node.get("maximum", node.get("minimum", 0) + 1000)
        if "enum" in node:
            return node["enum"][0]
        if node.get("format") == "date":
            return DATE.isoformat()
        if "pattern" in node:  # a URL
            return "https://example.com/" + "a" * (node.get("maxLength", 40) - 20)
        return prose.text(node.get("maxLength", 80))

    data = fill(schema)
    data["edition"]["weather"]["temperature_c"] = 6
    return data


def _bodies(data: dict) -> dict[str, list]:
    found = {"lead": data["lead"]["body"], "deep_dive": data["deep_dive"]["body"]}
    for index, column in enumerate(data["opinion"]["columns"]):
        found[f"opinion{index}"] = column["body"]
    return found


def _listings(data: dict) -> dict[str, list]:
    return {"tools": data["tools"]["items"], "huggingface": data["trending"]["huggingface"],
            "github": data["trending"]["github"], "movers": data["movers"],
            "reading": data["reading"], "metrics": data["lead"]["metrics"]["rows"]}


FOCUSES = ("spread", "opinion", "listings")


def largest_edition(focus: str = "spread", budget: int | None = None) -> str:
    """The largest edition the schema accepts: every list at its longest and every piece of
    copy at its bound, then, to keep within the edition's copy bound (models.py), lists
    shortened: evenly (`spread`), or everything but the opinion columns first (`opinion`,
    the costliest to lay out), or the stories' bodies first (`listings`)."""
    from printpost.models import MAX_EDITION_COPY

    # (less a little: the model also counts the defaults this data leaves out, such as titles)
    budget = budget or MAX_EDITION_COPY - 100
    data = _full_edition()
    minimum = {"tools": 1, "reading": 1, "metrics": 1, "huggingface": 1}
    bodies, listings = _bodies(data), _listings(data)
    if focus == "opinion":
        order = [{k: v for k, v in listings.items()},
                 {k: v for k, v in bodies.items() if not k.startswith("opinion")},
                 {k: v for k, v in bodies.items() if k.startswith("opinion")}]
    elif focus == "listings":
        order = [bodies, listings]
    else:
        order = [{**bodies, **listings}]
    total = _copy_in(data)
    for group in order:
        while total > budget:
            longest = max(group, key=lambda key: (_copy_in(group[key]) if len(group[key]) >
                                                  minimum.get(key, 1 if key in bodies else 0)
                                                  else -1))
            if len(group[longest]) <= minimum.get(longest, 1 if longest in bodies else 0):
                break
            total -= _copy_in(group[longest].pop())
    # Still over (each body keeps a paragraph): shorten the longest paragraphs, evenly.
    paragraphs = [(body, index) for body in bodies.values() for index in range(len(body))
                  if focus != "opinion" or body in [bodies[k] for k in bodies if "opinion" in k]]
    paragraphs = paragraphs or [(body, 0) for body in bodies.values()]
    while (over := total - budget) > 0:
        body, index = max(paragraphs, key=lambda place: len(place[0][place[1]]))
        text = body[index]
        body[index] = text[:max(1, len(text) - max(over, 1) if over < 200 else
                                len(text) - min(over, len(text) // 2))].rstrip() or "x"
        total -= len(text) - len(body[index])
    return yaml_text(data)


def prose_edition(characters: int) -> str:
    """The newest sample with its lead body made `characters` long from sample prose, in
    paragraphs of 1 200 characters (the samples' are 300–900)."""
    data = _sample_data()
    prose = Prose()
    count = max(1, characters // 1200)
    data["lead"]["body"] = [prose.text(1200) for _ in range(count)]
    return yaml_text(data)


def timed_build(text: str, *, format_name: str = "a4", timeout: float = 300.0,
                extra: tuple[str, ...] = ()) -> dict:
    """A fresh `printpost build` of `text`: seconds, peak RSS (MB), exit status (None when
    it was stopped at `timeout`), its last line of output."""
    with tempfile.TemporaryDirectory(prefix="printpost-bench-") as directory:
        source = Path(directory) / f"{DATE.isoformat()}.yaml"
        source.write_text(text, encoding="utf-8")
        log = Path(directory) / "log"
        started = time.perf_counter()
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "printpost", "build", str(source), "--out",
                 str(Path(directory) / "out"), "--format", format_name, *extra],
                stdout=output, stderr=subprocess.STDOUT, cwd=PROJECT)
        status, usage = None, None
        while time.perf_counter() - started < timeout:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                break
            time.sleep(0.02)
        else:
            process.kill()
            _, _, usage = os.wait4(process.pid, 0)
        process.returncode = status if status is not None else -9  # reaped here, not by Popen
        seconds = time.perf_counter() - started
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime if usage else None
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2) if cpu else None,
            "status": status,
            "rss_mb": round(usage.ru_maxrss / 1024) if usage else None,
            "bytes": len(text.encode()), "last_line": lines[-1][:200] if lines else ""}


def cases(selected: set[str]) -> list[tuple[str, str]]:
    found = []
    if "words" in selected:
        for kind in ("hyphenatable", "unbreakable", "zwj"):
            for field, length in WORD_FIELDS:
                found.append((f"{kind} word in {field} ({length or _max_length(field)} chars)",
                              long_word_edition(kind, field, length)))
    if "largest" in selected:
        found.append(("an edition over the schema's copy bound (every field at its bound)",
                      yaml_text(_full_edition())))
        for focus in FOCUSES:
            found.append((f"the largest edition the schema accepts ({focus})",
                          largest_edition(focus)))
    if "cost" in selected:
        for characters in (6_000, 12_000, 24_000, 48_000):
            found.append((f"prose lead of {characters} characters", prose_edition(characters)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="words,largest,cost")
    parser.add_argument("--format", default="a4")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    results = []
    for name, text in cases(set(args.cases.split(","))):
        result = {"case": name, **timed_build(text, format_name=args.format,
                                               timeout=args.timeout)}
        result["met"] = result["status"] is not None and result["seconds"] <= TARGET_SECONDS
        results.append(result)
        if not args.json:
            print(f"{name:60} {result['seconds']:6.1f} s ({result['cpu_seconds']:5.1f} s CPU) "
                  f"{result['rss_mb']:4} MB  "
                  f"exit {result['status']}  "
                  f"{'met' if result['met'] else 'NOT MET'}  {result['last_line'][:90]}",
                  flush=True)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
