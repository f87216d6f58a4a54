"""docs/architecture.md is true to the code: it names every module of printpost (and no
other), and each module imports only what its layer may (read from the source with ast,
imports inside functions included)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from printpost.resources import PROJECT_DIR

PACKAGE = PROJECT_DIR / "printpost"
DOC = PROJECT_DIR / "docs" / "architecture.md"
# A row of the module table: | `printpost/x.py` | 3 | what it does |
ROW = re.compile(r"^\| `(printpost/[^`]*)` \| (\d) \|", re.MULTILINE)
# WeasyPrint outside engine/ and render.py: the measuring steps read its laid-out box tree.
BOX_TREE = "weasyprint.formatting_structure"
READ_BOX_TREE = {"printpost.preflight", "printpost.pages", "printpost.jumps", "printpost.planner"}


def documented(text: str) -> dict[str, int]:
    """Module (dotted) → its layer, as the doc's table says."""
    layers = {}
    for path, layer in ROW.findall(text):
        name = path.removesuffix("/").removesuffix(".py").replace("/", ".")
        assert name not in layers, f"{path} is listed twice"
        layers[name] = int(layer)
    return layers


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def on_disk() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(module imported, line) for every import in the file, relative ones resolved to the
    module (printpost.x.y when `from .x import y` names a module, else printpost.x)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    modules = on_disk()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.append((submodule if submodule in modules else target, node.lineno))
    return found


def internal_imports() -> dict[str, set[str]]:
    return {name: {target for target, _ in imports(name, path)
                   if target == "printpost" or target.startswith("printpost.")}
            for name, path in on_disk().items()}


def doc_problems(text: str) -> list[str]:
    names, modules = set(documented(text)), set(on_disk())
    return ([f"{name}: not in docs/architecture.md" for name in sorted(modules - names)]
            + [f"{name}: in docs/architecture.md, not in printpost/" for name in sorted(names - modules)])


def layer_problems(layers: dict[str, int], graph: dict[str, set[str]]) -> list[str]:
    return [f"{name} (layer {layers[name]}) imports {target} (layer {layers[target]})"
            for name, targets in sorted(graph.items()) if name in layers
            for target in sorted(targets) if target in layers and layers[target] > layers[name]]


DOC_TEXT = DOC.read_text(encoding="utf-8")


def test_the_doc_names_every_module_and_only_those():
    assert documented(DOC_TEXT), "no module table in docs/architecture.md"
    assert doc_problems(DOC_TEXT) == []


def test_each_module_imports_only_its_own_layer_and_those_below():
    assert layer_problems(documented(DOC_TEXT), internal_imports()) == []


def test_the_checks_see_a_module_missing_one_too_many_and_an_import_from_above():
    without_load = re.sub(r"^\| `printpost/load\.py` .*\n", "", DOC_TEXT, flags=re.MULTILINE)
    assert doc_problems(without_load) == ["printpost.load: not in docs/architecture.md"]
    extra = DOC_TEXT + "\n| `printpost/nowhere.py` | 1 | gone |\n"
    assert doc_problems(extra) == ["printpost.nowhere: in docs/architecture.md, not in printpost/"]
    lowered = {**documented(DOC_TEXT), "printpost.models": 0}  # models imports markup (1)
    assert "printpost.models (layer 0) imports printpost.markup (layer 1)" in layer_problems(
        lowered, internal_imports())


def tangles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Groups of modules that import each other, directly or through others (the strongly
    connected components of more than one module; Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(name):
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in sorted(graph.get(name, ())):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == name:
                    break
            if len(group) > 1:
                found.append(group)

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return found


# Cycles there are now, each to be untangled (the test fails when one goes, so that it
# leaves this list too, and when any other appears). The paper's configuration (paper.py)
# reaches back into load (its error type), models and formats, and is read by them and by
# resources (the paper's own layouts/); the section types (sections.py) are read from the
# paper's own layouts too (resources) and make the issue model that load validates with.
KNOWN_TANGLES = [{"printpost.formats", "printpost.load", "printpost.models", "printpost.paper",
                  "printpost.resources", "printpost.sections"}]


def test_no_import_cycles_but_the_known_ones():
    assert sorted(map(sorted, tangles(internal_imports()))) == sorted(map(sorted, KNOWN_TANGLES))


def test_the_cycle_check_sees_a_cycle_through_a_function_level_import():
    graph = {"printpost.a": {"printpost.b"}, "printpost.b": {"printpost.c"},
             "printpost.c": {"printpost.a"}, "printpost.d": {"printpost.a"}}
    assert tangles(graph) == [{"printpost.a", "printpost.b", "printpost.c"}]
    # compose imported jumps inside compose() and jumps imported compose: a cycle once.
    assert tangles({"printpost.compose": {"printpost.jumps"},
                    "printpost.jumps": {"printpost.compose"}}) != []


def weasyprint_problems(name: str, path: Path) -> list[str]:
    if name.startswith("printpost.engine") or name == "printpost.render":
        return []
    return [f"{name}:{line}: {target}" for target, line in imports(name, path)
            if target.split(".")[0] == "weasyprint"
            and not (name in READ_BOX_TREE and target.startswith(BOX_TREE))]


def test_weasyprint_is_imported_by_the_engine_and_render_only():
    assert [problem for name, path in on_disk().items()
            for problem in weasyprint_problems(name, path)] == []


def constants(path: Path) -> list[ast.Constant]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


# The engine's switches (engine/patches.py: EngineOptions.from_environment). PRINTPOST_PAPER,
# where the paper's configuration is (paper.py), is not a switch.
SWITCHES = {"PRINTPOST_BALANCE", "PRINTPOST_LINES", "PRINTPOST_NO_CACHE"}


def test_the_engine_switches_are_read_from_the_environment_in_one_place():
    readers = sorted(name for name, path in on_disk().items()
                     if any(node.value in SWITCHES for node in constants(path)))
    assert readers == ["printpost.engine.patches"]


def exit_code_problems(name: str, source: str) -> list[str]:
    """Exit codes defined (EXIT_… = …) or written as numbers (typer.Exit(2)) outside
    exitcodes.py."""
    wrong = []
    for node in ast.walk(ast.parse(source)):
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        names = [t.id for t in targets if isinstance(t, ast.Name)] + [
            element.id for t in targets if isinstance(t, ast.Tuple)
            for element in t.elts if isinstance(element, ast.Name)]
        if name != "printpost.exitcodes" and any(n.startswith("EXIT_") for n in names):
            wrong.append(f"{name}:{node.lineno}: {', '.join(names)}")
        if (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Exit"
                and node.args and isinstance(node.args[0], ast.Constant)):
            wrong.append(f"{name}:{node.lineno}: Exit({node.args[0].value!r})")
    return wrong


def test_exit_codes_are_defined_in_one_place():
    assert [problem for name, path in on_disk().items()
            for problem in exit_code_problems(name, path.read_text(encoding="utf-8"))] == []


def test_the_import_and_exit_code_checks_see_what_they_look_for(tmp_path):
    stray = tmp_path / "stray.py"
    stray.write_text("def f():\n    from weasyprint.layout import block\n"
                     "    from weasyprint.formatting_structure import boxes\n", encoding="utf-8")
    assert weasyprint_problems("printpost.compose", stray) == [
        "printpost.compose:2: weasyprint.layout", "printpost.compose:3: weasyprint.formatting_structure"]
    assert weasyprint_problems("printpost.preflight", stray) == [
        "printpost.preflight:2: weasyprint.layout"]
    assert exit_code_problems("printpost.cli", "EXIT_OK, EXIT_BAD = 0, 2\nraise typer.Exit(2)\n") == [
        "printpost.cli:1: EXIT_OK, EXIT_BAD", "printpost.cli:2: Exit(2)"]
