"""Section types, each one unit declared once: a folder `sections/<name>/` in a layouts
directory with

- `section.toml`, the declaration: its place in the page order, its line in the front page's
  contents, its roles (printpost/roles.py: what balance, preflight, copyfit, jumps and the
  page planner find in its HTML), and the fields that are names;
- `section.html.j2`, its partial; `section.css`, its styles, and `<rules>.css` for a
  format's own rules (`press.css`, `ereader.css`);
- its model: a field of `models.Issue`, or `model = "model.py:Class"` in the declaration (a
  module of the folder) or `model = "package.module:Class"`.

A group (`kind = "group"`) is a block that sets the sections naming it (`group = "briefs"`)
together: its partial wraps theirs (`{{ members }}`). A block of the page plan (`kind =
"plan"`) has no copy of its own: the page planner (printpost/planner.py) fills it, and it is
set when the option it names (`plan = "band_charts"`) is given. A story with the jump role
names where it is continued in the page order (`continued = 25`) and has a second partial
for it, `jump.html.j2`. Where the pages break is the planner's, not the declarations'.

Layouts directories are searched in order, file by file, so that a paper's own folder can
add a section type or override one file of a built-in one (its partial, say).
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import sys
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from pydantic import BaseModel, create_model

from . import models, roles
from .resources import LAYOUTS_DIR, layout_dirs

DECLARATION = "section.toml"
PARTIAL = "section.html.j2"
JUMP_PARTIAL = "jump.html.j2"
STYLESHEET = "section.css"
KEYS = {"kind", "order", "id", "model", "group", "contents", "roles", "names", "class",
        "continued", "plan"}
KINDS = ("section", "group", "plan")


class SectionError(ValueError):
    """A declaration that cannot be used (a layouts problem, not an issue-data one)."""


@dataclass(frozen=True)
class Section:
    name: str  # its folder, and for a section its field in the issue data
    kind: str  # "section", "group" or "plan" (KINDS)
    order: int  # place in the page order (a group's members are ordered within it)
    id: str  # the id of its outer element: contents, page plan and jumps find it by it
    css_class: str  # a class of its outer element
    model: type[BaseModel] | None
    group: str | None  # the group it is set in
    contents: str | None  # its line in "Inside Today" ("{title}": the section's title)
    roles: frozenset[str]
    names: tuple[str, ...]  # dotted paths of the fields that are names ("items.name")
    required: bool
    continued: int | None  # a jumping story: where in the page order it is continued
    plan: str | None = None  # a block of the page plan: the option that sets it

    def planned(self, page_plan: dict) -> bool:
        """Whether a block of the page plan is set with these options
        (planner.template_options)."""
        return bool(self.plan and page_plan.get(self.plan))

    def file(self, name: str) -> str:
        """A file of its folder, by its name relative to a layouts directory."""
        return f"sections/{self.name}/{name}"

    @property
    def template(self) -> str:
        return self.file(PARTIAL)

    def contents_label(self, value: BaseModel) -> str:
        return self.contents.format_map(vars(value))


@dataclass(frozen=True)
class Block:
    """One element of the page frame, in page order."""

    order: int
    section: Section
    template: str
    continuation: bool = False


@dataclass(frozen=True)
class Registry:
    """Every section type found in `dirs` (searched in order), in page order."""

    dirs: tuple[Path, ...]
    sections: tuple[Section, ...]

    def __getitem__(self, name: str) -> Section:
        return self.by_name[name]

    @cached_property
    def by_name(self) -> dict[str, Section]:
        return {section.name: section for section in self.sections}

    @property
    def fields(self) -> list[Section]:
        """The section types that are fields of the issue data, in page order."""
        return [section for section in self.sections if section.kind == "section"]

    def blocks(self) -> list[Block]:
        """What the page frame sets, in page order: sections outside groups, groups, and
        where a jumping story is continued."""
        blocks = [Block(section.order, section, section.template) for section in self.sections
                  if not section.group]
        blocks += [Block(section.continued, section, section.file(JUMP_PARTIAL), True)
                   for section in self.sections if section.continued is not None]
        return sorted(blocks, key=lambda block: block.order)

    def members(self, group: str) -> list[Section]:
        return [section for section in self.sections if section.group == group]

    def present(self, issue, section: Section) -> bool:
        if section.kind == "group":
            return any(self.present(issue, member) for member in self.members(section.name))
        if section.kind == "plan":
            return False  # the page plan's, not the edition's (Section.planned)
        return issue.present(section.name)

    @property
    def contents(self) -> list[Section]:
        """The sections "Inside Today" lists, in page order."""
        return [section for section in self.fields if section.contents]

    @property
    def jumping(self) -> Section | None:
        """The story that may be cut at the front page's foot and continued (role jump)."""
        return next((s for s in self.fields if roles.JUMP in s.roles), None)

    def playing(self, role: str) -> Section | None:
        """The first section (in page order) that declares `role`."""
        return next((s for s in self.sections if role in s.roles), None)

    def group_of(self, role: str) -> Section | None:
        """The group whose members play `role` (the briefs, for the listings)."""
        member = next((s for s in self.sections if s.group and role in s.roles), None)
        return self.by_name.get(member.group) if member else None

    def stylesheets(self, rules: str | None = None) -> list[str]:
        """Each section's stylesheet (`section.css`) or, with `rules`, its rules for the
        format whose rules those are (`<rules>.css`), in page order, as names relative to a
        layouts directory."""
        return list(self.stylesheet_paths(rules))

    @functools.lru_cache(maxsize=16)  # noqa: B019 (registries live as long as the process)
    def stylesheet_paths(self, rules: str | None = None) -> dict[str, Path]:
        """name → file of each stylesheet of `stylesheets`, found once."""
        names = [section.file(f"{rules}.css" if rules else STYLESHEET)
                 for section in self.sections]
        return {name: path for name in names if (path := self.find(name)) is not None}

    @cached_property
    def issue_model(self) -> type[models.Issue]:
        """models.Issue, with a field for each section type it does not have (optional:
        only the edition, the lead and the deep dive are required)."""
        extra = {section.name: (section.model | None, None) for section in self.fields
                 if section.name not in models.Issue.model_fields}
        if not extra and self.dirs == DEFAULT_DIRS:
            return models.Issue  # (a paper's own folder gets a model of its own: see `of`)
        model = create_model("Issue", __base__=models.Issue, __module__=models.__name__,
                             **extra)
        _registry_of[model] = self
        return model

    def find(self, relative: str) -> Path | None:
        """The first file of this name in the layouts directories."""
        for directory in self.dirs:
            if (directory / relative).is_file():
                return directory / relative
        return None

    def names(self, issue) -> list[tuple[str, str]]:
        """(field path, text) of every name the edition prints (model, repository and tool
        names), which are not hyphenated."""
        found = []
        for section in self.fields:
            value = getattr(issue, section.name, None)
            for path in section.names:
                found += [(f"{section.name}{where}", text) for where, text in _values(value, path)]
        return found


def _values(value, dotted: str):
    """(path, text) of each string at `dotted` in value, through lists."""
    if value is None:
        return
    if not dotted:
        if isinstance(value, str):
            yield "", value
        return
    head, _, rest = dotted.partition(".")
    node = getattr(value, head, None)
    if isinstance(node, list):
        for index, item in enumerate(node):
            for where, text in _values(item, rest):
                yield f".{head}[{index}]{where}", text
    else:
        for where, text in _values(node, rest):
            yield f".{head}{where}", text


def _load_model(spec: str, folder: Path, name: str) -> type[BaseModel]:
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise SectionError(f"{folder / DECLARATION}: model must be 'module:Class', not {spec!r}")
    if module_name.endswith(".py"):
        # A module of the section's own folder, imported once under a name of its own.
        path = folder / module_name
        digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        qualified = f"printpost_sections_{name}_{digest}"  # the same in every process
        module = sys.modules.get(qualified)
        if module is None:
            spec_ = importlib.util.spec_from_file_location(qualified, path)
            if spec_ is None or not path.is_file():
                raise SectionError(f"{folder / DECLARATION}: no model file {path}")
            module = importlib.util.module_from_spec(spec_)
            sys.modules[qualified] = module
            spec_.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    model = getattr(module, attribute, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise SectionError(f"{folder / DECLARATION}: {spec!r} is not a pydantic model")
    return model


def _section(name: str, declaration: Path, table: dict) -> Section:
    unknown = set(table) - KEYS
    if unknown:
        raise SectionError(f"{declaration}: unknown keys {sorted(unknown)}")
    kind = table.get("kind", "section")
    if kind not in KINDS:
        raise SectionError(f"{declaration}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if (kind == "plan") != ("plan" in table):
        raise SectionError(f"{declaration}: a block of the page plan (kind = \"plan\") and only "
                           "one names the plan's option that sets it (plan = \"<option>\")")
    declared_roles = frozenset(table.get("roles", ()))
    if declared_roles - roles.SECTION_ROLES:
        raise SectionError(f"{declaration}: unknown roles {sorted(declared_roles - roles.SECTION_ROLES)}; "
                           f"known: {sorted(roles.SECTION_ROLES)}")
    model = None
    if kind == "section":
        builtin = models.Issue.model_fields.get(name)
        if "model" in table:
            model = _load_model(table["model"], declaration.parent, name)
            if builtin is not None:
                raise SectionError(f"{declaration}: {name!r} is a field of models.Issue; "
                                   "its model is that field's")
        elif builtin is not None:
            model = _model_of(builtin.annotation)
        else:
            raise SectionError(f"{declaration}: a new section type names its model "
                               "(model = \"model.py:Class\")")
    required = bool(kind == "section" and name in models.Issue.model_fields
                    and models.Issue.model_fields[name].is_required())
    section_id = table.get("id", name.replace("_", "-"))
    if roles.JUMP in declared_roles and "continued" not in table:
        raise SectionError(f"{declaration}: a story with the jump role says where it is "
                           "continued (continued = <order>)")
    return Section(
        name=name, kind=kind, order=int(table["order"]), id=section_id,
        css_class=table.get("class", name.replace("_", "-")), model=model, group=table.get("group"),
        contents=table.get("contents"), roles=declared_roles,
        names=tuple(table.get("names", ())), required=required,
        continued=table.get("continued"), plan=table.get("plan"))


def _model_of(annotation) -> type[BaseModel]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if isinstance(argument, type) and issubclass(argument, BaseModel):
            return argument
    raise SectionError(f"no model in {annotation!r}")


# The registry each issue model was made from (models.Issue: the default one).
_registry_of: dict[type, Registry] = {}


def of(issue: BaseModel) -> Registry:
    """The section types an issue was validated with."""
    return _registry_of.get(type(issue)) or registry()


DEFAULT_DIRS = (LAYOUTS_DIR,)


def registry(dirs: tuple[Path, ...] | None = None) -> Registry:
    """The section types of these layouts directories, the first with the last word (by
    default the paper's own layouts, then printpost's: resources.layout_dirs)."""
    return _registry(tuple(Path(d) for d in dirs) if dirs else tuple(layout_dirs()))


@cache
def _registry(dirs: tuple[Path, ...]) -> Registry:
    declared: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted((directory / "sections").glob(f"*/{DECLARATION}")):
            declared.setdefault(path.parent.name, path)
    found = []
    for name, path in declared.items():
        try:
            with open(path, "rb") as file:
                table = tomllib.load(file)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SectionError(f"{path}: {error}") from None
        if "order" not in table:
            raise SectionError(f"{path}: says nothing of its place (order = <number>)")
        found.append(_section(name, path, table))
    found.sort(key=lambda section: (section.order, section.name))
    result = Registry(dirs=tuple(dirs), sections=tuple(found))
    groups = {s.name for s in found if s.kind == "group"}
    for section in found:
        if section.group and section.group not in groups:
            raise SectionError(f"section {section.name!r}: no group {section.group!r}")
    missing = set(models.Issue.model_fields) - {s.name for s in result.fields}
    if missing:
        raise SectionError(f"no declaration for the sections {sorted(missing)} "
                           f"(sections/<name>/{DECLARATION})")
    return result
