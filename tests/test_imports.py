"""No import cycle in mlpviz: every module's mlpviz imports, top-level AND inside functions (a
deferred import does not make a cycle go away, it only hides it until the wrong module is
imported first), form a graph without cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import mlpviz

PACKAGE_ROOT = Path(mlpviz.__file__).resolve().parent


def module_names(root: Path, package: str) -> dict[str, Path]:
    """{dotted module name: file} for every .py file below `root` (the folder of `package`);
    a package's __init__.py is named after the package."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [package, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names one import statement asks for: `import a.b` → a.b; `from a import b` →
    a.b (b may be a module or a name in a); relative imports resolved against `module`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    return [f"{base}.{alias.name}" for alias in node.names]


def _owning_module(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module `name` starts with (a.b.Thing → a.b), else None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """{module: modules of `package` it imports anywhere in its code}."""
    modules = module_names(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for dotted in _imported(node, name, path.name == "__init__.py"):
                    target = _owning_module(dotted, modules)
                    if target is not None and target != name:
                        targets.add(target)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [m0, m1, …, m0] (each imports the next), or None (depth-first search)."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path, on_path = [start], {start}
        stack = [iter(sorted(graph[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if nxt in on_path:
                return path[path.index(nxt):] + [nxt]
            if nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_mlpviz_has_no_import_cycle():
    graph = import_graph(PACKAGE_ROOT, "mlpviz")
    assert "mlpviz.core.network" in graph and "mlpviz.cli" in graph  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def _write_package(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    return pkg


def test_a_cycle_hidden_inside_a_function_is_found(tmp_path):
    pkg = _write_package(tmp_path, {
        "a.py": "from pkg.b import thing\n",
        "b.py": "def thing():\n    from pkg import a\n    return a\n",
        "c.py": "import pkg.a\n",
    })
    assert find_cycle(import_graph(pkg, "pkg")) == ["pkg.a", "pkg.b", "pkg.a"]


def test_relative_imports_and_a_chain_without_cycle(tmp_path):
    pkg = _write_package(tmp_path, {
        "sub/__init__.py": "from .x import y\n",
        "sub/x.py": "from ..a import f\ny = 1\n",
        "a.py": "def f():\n    import os\n",
    })
    graph = import_graph(pkg, "pkg")
    assert graph["pkg.sub"] == {"pkg.sub.x"} and graph["pkg.sub.x"] == {"pkg.a"}
    assert find_cycle(graph) is None
