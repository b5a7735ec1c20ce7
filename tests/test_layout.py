"""The code's shape: packages by stage, imports that run one way, no module state.

The stages, lowest first: ``read`` (files to validated roles), ``check`` (findings
across roles), ``render`` (pages as Markdown), ``outputs`` (printable sheets),
``site`` (MkDocs, search, serve); the pipeline (``build``) and the CLI sit on top.
A module may import its own stage and the stages below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "generator"
#: Rank of each stage: a module may import modules of its rank or lower.
RANKS = {
    "store": 0,
    "progress": 0,
    "parallel": 0,
    "read": 1,
    "check": 2,
    "render": 3,
    "outputs": 4,
    "site": 5,
    "inputs": 6,
    "build": 6,
    "cli": 7,
}


#: Calls that make a container a module could fill between builds.
MADE = {"dict", "set", "list", "ObjectMemo", "PickleFolder", "BuildState"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package -> the package's modules it imports (at any place)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "generator" or node.module.startswith("generator."):
                    # `from generator.outputs import xlsx` imports the module xlsx
                    for alias in node.names:
                        module = f"{node.module}.{alias.name}"
                        known = is_module(module)
                        targets.add(module if known else node.module)
            elif isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.startswith("generator."))
        found[name] = targets
    return found


def is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "build"


def test_every_stage_is_a_package() -> None:
    """A folder without ``__init__.py`` is a namespace package: not installed by
    setuptools' package finder, and without ``__file__``."""
    folders = {path.parent for path in PACKAGE.rglob("*.py")}
    assert [f.name for f in folders if not (f / "__init__.py").is_file()] == []


def test_every_module_belongs_to_a_stage() -> None:
    assert {stage(m) for m in imports() if m != "generator"} <= set(RANKS)


def test_no_stage_imports_a_higher_one() -> None:
    upward = [
        f"{module} imports {target}"
        for module, targets in imports().items()
        if module != "generator"
        for target in targets
        if RANKS[stage(target)] > RANKS[stage(module)]
    ]
    assert upward == []


def test_the_import_graph_has_no_cycle() -> None:
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError(
                "import cycle: " + " -> ".join([*path[path.index(module) :], module])
            )
        if module in done or module not in graph:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_no_module_keeps_state_between_builds() -> None:
    """Caches live in the build state that is passed in, not in module globals."""
    mutable = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            targets = (
                node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            )
            if all(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
                value = None  # a constant, by its name
            if isinstance(value, mutable) or (
                isinstance(value, ast.Call)
                and getattr(value.func, "id", "") in {"dict", "set", "list", "ObjectMemo"}
            ):
                found.append(f"{module_name(path)}:{node.lineno}")
            if isinstance(node, ast.ClassDef):
                found += [
                    f"{module_name(path)}:{item.lineno} ClassVar"
                    for item in node.body
                    if isinstance(item, ast.AnnAssign)
                    and "ClassVar" in ast.unparse(item.annotation)
                    and isinstance(item.value, mutable)
                ]
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                for decorator in node.decorator_list:
                    text = ast.unparse(decorator)
                    if "cache" in text and "cached_property" not in text:
                        found.append(f"{module_name(path)}:{node.lineno} @{text}")
    assert found == []
