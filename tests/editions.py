"""Small editions for the tests that run whole builds many times (crash, concurrency,
reproducibility): the newest sample's copy cut down to one item per section, so that a
`printpost build` takes a few seconds instead of tens."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML

from conftest import SAMPLES


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
