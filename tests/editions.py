"""Small editions for the tests that run whole builds many times (crash, concurrency,
reproducibility): the newest sample's copy cut down to one item per section, so that a
`printpost build` takes a few seconds instead of tens."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML

from printpost.resources import PROJECT_DIR

# As conftest.SAMPLES (not imported from there: bench/ imports this module without pytest).
SAMPLES = sorted((PROJECT_DIR / "issues").glob("*.yaml"))


def _newest_sample() -> dict:
    """The newest sample's data, its date as text (as a file written out would have it)."""
    data = YAML(typ="safe", pure=True).load(SAMPLES[-1].read_text(encoding="utf-8"))
    data["edition"]["date"] = data["edition"]["date"].isoformat()
    return data


def _yaml_text(data: dict) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.dump(data, out)
    return out.getvalue()


def small_edition(headline: str | None = None, location: str | None = None) -> str:
    """YAML text of a valid one-page-or-so edition dated like the newest sample."""
    data = _newest_sample()
    data["lead"]["body"] = data["lead"]["body"][:1]
    data["lead"].pop("metrics", None)
    data["deep_dive"]["body"] = data["deep_dive"]["body"][:1]
    data["opinion"]["columns"] = data["opinion"]["columns"][:1]
    data["opinion"]["columns"][0]["body"] = data["opinion"]["columns"][0]["body"][:1]
    data["tools"]["items"] = data["tools"]["items"][:1]
    data["trending"]["huggingface"] = data["trending"]["huggingface"][:1]
    data["trending"]["github"] = data["trending"]["github"][:1]
    data["movers"] = []
    data["reading"] = data["reading"][:1]
    if headline is not None:
        data["lead"]["headline"] = headline
    if location is not None:
        data["edition"]["location"] = location
    return _yaml_text(data)


def write_small_edition(directory: Path, **changes: str) -> Path:
    path = directory / f"{SAMPLES[-1].stem}.yaml"
    path.write_text(small_edition(**changes), encoding="utf-8")
    return path


# Unbroken names as long as real Hugging Face model ids get (60-odd characters).
LONG_NAMES = (
    "llmfan46/Forgotten-Abomination-36B-v4.1-ultra-uncensored-heretic",
    "mradermacher/Qwen3-Coder-480B-A35B-Instruct-abliterated-i1-GGUF",
    "unsloth/DeepSeek-R1-Distill-Llama-70B-bnb-4bit-dynamic-imatrix",
    "bartowski/Mistral-Small-3.2-24B-Instruct-2506-Q8_0-imatrix-GGUF",
)


def stress_edition() -> str:
    """YAML text of the newest sample made long: the lead three times over, 12 tools, 20
    trending entries, 60-character unbroken model names (issue 4's stress sample)."""
    data = _newest_sample()
    data["lead"]["body"] = data["lead"]["body"] * 3
    tools = data["tools"]["items"]
    data["tools"]["items"] = [
        {**tools[index % len(tools)],
         "name": LONG_NAMES[index % len(LONG_NAMES)] if index % 3 == 0
         else f"{tools[index % len(tools)]['name']} {index + 1}"}
        for index in range(12)]
    github = data["trending"]["github"]
    data["trending"]["huggingface"] = [
        {"name": LONG_NAMES[index % len(LONG_NAMES)], "tags": ["safetensors", "text-generation"]}
        for index in range(8)]
    data["trending"]["github"] = [
        {**github[index % len(github)], "name": f"{github[index % len(github)]['name']}-{index + 1}"}
        for index in range(12)]
    return _yaml_text(data)


# ---- editions of every length (issue 17) ---------------------------------------------------
#
# The three samples' copy at a share of its length: every body set to that share of its
# characters (the sample's own paragraphs first, then those of the same field in the other
# samples, the last one cut at a sentence end), every list of items to that share of its
# count (the sample's own items first, then the other samples'), within the bounds the
# data model sets. The same arguments always give the same edition; 100 % is the sample.

import datetime as _dt  # noqa: E402
import re as _re  # noqa: E402
import typing as _typing  # noqa: E402

from printpost import load as _load  # noqa: E402
from printpost import models as _models  # noqa: E402

LENGTHS = (40, 70, 100, 150, 250)  # percent of the samples' copy
# Editions with the optional parts the schema allows to be absent left out.
LEAN = {"lead.metrics", "deep_dive.dek", "deep_dive.pull_quote", "movers", "tools.intro",
        "trending.intro", "trending.huggingface"}
_SENTENCE_END = _re.compile(r"(?<=[.!?])\s+")


def _dumped(path: Path) -> dict:
    return _load.load(path).issue.model_dump(mode="json", exclude_none=True)


def _model_of(annotation):
    """The model class inside an annotation (list[X], X | None, X), or None."""
    if isinstance(annotation, type) and issubclass(annotation, _models.Model):
        return annotation
    for arg in _typing.get_args(annotation):
        if (found := _model_of(arg)) is not None:
            return found
    return None


def _bounds(model, name: str) -> tuple[int, int]:
    """(min, max) items of a list field, from the data model's own constraints."""
    info = model.model_fields[name]
    low, high = 0, 1000
    metadata = list(info.metadata)
    for arg in _typing.get_args(info.annotation):
        metadata += list(getattr(arg, "__metadata__", ()))
    for item in metadata:
        low = max(low, getattr(item, "min_length", None) or 0)
        high = min(high, getattr(item, "max_length", None) or high)
    return low, high


def _pool(others: list, key: str) -> list:
    """The values of `key` in the other samples' data (dicts), lists flattened."""
    found = []
    for other in others:
        value = other.get(key) if isinstance(other, dict) else None
        if isinstance(value, list):
            found.extend(value)
        elif value is not None:
            found.append(value)
    return found


def _cut(paragraph: str, chars: int) -> str:
    """The paragraph's first sentences, about `chars` long (one sentence at least)."""
    sentences = _SENTENCE_END.split(paragraph)
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) / 2 > chars:
            break
        kept = f"{kept} {sentence}"
    return kept


def _scaled_body(own: list[str], pool: list[str], factor: float, high: int) -> list[str]:
    target = factor * sum(len(p) for p in own)
    body: list[str] = []
    for paragraph in [*own, *[p for p in pool if p not in own]] * 3:
        have = sum(len(p) for p in body)
        if len(body) >= high or have >= target * 0.97:
            break
        if have + len(paragraph) > target * 1.05:
            if not body or target - have > 120:
                body.append(_cut(paragraph, target - have))
            break
        body.append(paragraph)
    return body


def _renamed(item, copy: int):
    """A second use of an item, told apart by its name (names key listings and charts)."""
    if isinstance(item, dict) and copy:
        for key in ("name", "title", "headline", "label"):
            if isinstance(item.get(key), str):
                return {**item, key: f"{item[key]} ({copy + 1})"}
    return item


def _scaled(data, model, others: list, factor: float):
    if not isinstance(data, dict) or model is None:
        return data
    result = {}
    for key, value in data.items():
        field_model = _model_of(model.model_fields[key].annotation)
        pool = _pool(others, key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            low, high = _bounds(model, key)
            result[key] = _scaled_body(value, [p for p in pool if isinstance(p, str)], factor, high)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            low, high = _bounds(model, key)
            count = min(high, max(low, 1, round(len(value) * factor)))
            candidates = [*value, *[p for p in pool if p not in value]]
            items = [_renamed(candidates[i % len(candidates)], i // len(candidates))
                     for i in range(count)]
            inner = factor * len(value) / count  # what is left to scale inside each item
            item_pool = [p for p in pool if isinstance(p, dict)]
            result[key] = [_scaled(item, field_model, [*item_pool, *value], inner)
                           for item in items]
        elif isinstance(value, dict):
            result[key] = _scaled(value, field_model, [p for p in pool if isinstance(p, dict)],
                                  factor)
        else:
            result[key] = value
    return result


def scaled_edition(sample: Path, percent: int, *, leave_out: set[str] | frozenset = frozenset(),
                   date: _dt.date | None = None) -> dict:
    """The data of `sample` with its copy at `percent` % of its length (see above), the parts
    named in `leave_out` ("movers", "lead.metrics", …) left out, dated `date` (its issue
    number follows from it)."""
    data = _dumped(sample)
    others = [_dumped(path) for path in SAMPLES if path != sample]
    data = _scaled(data, _models.Issue, others, percent / 100)
    for dotted in sorted(leave_out):
        *parents, name = dotted.split(".")
        holder = data
        for parent in parents:
            holder = holder.get(parent, {})
        holder.pop(name, None)
    data["edition"].pop("issue", None)
    data["edition"]["date"] = (date or _dt.date.fromisoformat(data["edition"]["date"])).isoformat()
    _models.Issue.model_validate(_load_like(data))  # what it writes is a valid edition
    return data


def _load_like(data: dict) -> dict:
    """The data as load.load reads it (a date as a date)."""
    return {**data, "edition": {**data["edition"],
                                "date": _dt.date.fromisoformat(data["edition"]["date"])}}


def generated_editions() -> list[tuple[str, Path, int, frozenset]]:
    """(name, sample, percent, left out) of every generated edition: each sample at every
    length, in full and lean."""
    return [(f"{sample.stem}-{percent}{'-lean' if lean else ''}", sample, percent,
             frozenset(LEAN if lean else ()))
            for sample in SAMPLES for percent in LENGTHS for lean in (False, True)]


def write_generated(directory: Path, selection=None) -> list[Path]:
    """Write the generated editions (or those named in `selection`) into `directory`, each
    on its own date (so that they can be built together), named after what it is."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for index, (name, sample, percent, leave_out) in enumerate(generated_editions()):
        if selection is not None and name not in selection:
            continue
        date = _dt.date(2026, 5, 1) + _dt.timedelta(days=index)
        data = scaled_edition(sample, percent, leave_out=leave_out, date=date)
        path = directory / f"{date.isoformat()}.yaml"
        path.write_text(f"# Generated: {name} (tests/editions.py), not a published edition.\n"
                        + _yaml_text(data), encoding="utf-8")
        written.append(path)
    return written

OPTIONAL_SECTIONS = ("opinion", "tools", "trending", "movers", "reading", "subscribe")


def sample_data(index: int = -1) -> dict:
    """A sample's data (the newest by default), its date as text, for changing."""
    data = YAML(typ="safe", pure=True).load(SAMPLES[index].read_text(encoding="utf-8"))
    data["edition"]["date"] = data["edition"]["date"].isoformat()
    return data


def yaml_text(data: dict) -> str:
    return _yaml_text(data)


def without(data: dict, *sections: str, stars: bool = True) -> dict:
    """`data` with the named sections left out, and its GitHub repositories' star counts
    too unless `stars`."""
    data = {name: value for name, value in data.items() if name not in sections}
    if not stars and "trending" in data:
        data["trending"] = {**data["trending"], "github": [
            {key: value for key, value in repo.items() if key != "stars"}
            for repo in data["trending"].get("github", [])]}
    return data
