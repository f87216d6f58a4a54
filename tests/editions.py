"""Small editions for the tests that run whole builds many times (crash, concurrency,
reproducibility): the newest sample's copy cut down to one item per section, so that a
`printpost build` takes a few seconds instead of tens."""

from __future__ import annotations

import io
from pathlib import Path

from ruamel.yaml import YAML

from conftest import SAMPLES


def small_edition(headline: str | None = None, location: str | None = None) -> str:
    """YAML text of a valid one-page-or-so edition dated like the newest sample."""
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load(SAMPLES[-1].read_text(encoding="utf-8"))
    data["edition"]["date"] = data["edition"]["date"].isoformat()
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
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.dump(data, out)
    return out.getvalue()


def write_small_edition(directory: Path, **changes: str) -> Path:
    path = directory / f"{SAMPLES[-1].stem}.yaml"
    path.write_text(small_edition(**changes), encoding="utf-8")
    return path
