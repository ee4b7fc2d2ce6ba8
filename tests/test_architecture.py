"""The layers hold: app/core never imports Qt, every kind has one style, and no module imports itself back."""

from __future__ import annotations

import ast
import itertools
import json
import subprocess
import sys
from pathlib import Path

from app.paths import PROJECT_ROOT

APP = PROJECT_ROOT / "app"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PROJECT_ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(under: Path) -> list[str]:
    return sorted(_module_name(p) for p in under.rglob("*.py"))


def test_app_core_never_imports_qt():
    code = (
        "import importlib, json, sys\n"
        f"for name in {json.dumps(_modules(APP / 'core'))}:\n"
        "    importlib.import_module(name)\n"
        "qt = ('PySide6', 'shiboken6', 'pyqtgraph')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in qt)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, known: set[str]) -> set[str]:
    """The app modules ``path`` imports, at any depth (lazy imports too), outside TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.add(base)
            for alias in node.names:
                found.add(f"{base}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in found if m in known and m != own}


def test_no_import_circles():
    files = {_module_name(p): p for p in APP.rglob("*.py")}
    known = set(files)
    graph = {name: _imports(path, known) for name, path in files.items()}
    # A package importing its own submodules (app.cli -> app.cli.notes) is not a circle back to it
    # unless the submodule imports the package's own code; package __init__ files count as modules.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    # Importing a package runs its __init__: "app.ui.graph -> app" is not a circle we care about.
    cycles = [c for c in cycles if not all(a.startswith(b + ".") or b == "app" for a, b in itertools.pairwise(c))]
    assert cycles == []


def test_every_kind_has_one_style():
    from app.core.vocab import KIND_STYLES, KINDS, kind_label

    assert set(KIND_STYLES) == set(KINDS)
    assert kind_label("actor") == "Other actor"
    shapes_and_colours = {(s.colour, s.shape) for s in KIND_STYLES.values()}
    assert len(shapes_and_colours) == len(KIND_STYLES)  # no two kinds look alike
