"""The import graph of ``exam_server`` and ``proctor_console``, read with ``ast`` (nothing is imported).

Every import counts, also one written inside a function; only imports under
``if TYPE_CHECKING:`` are left out, since they never run.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("exam_server", "proctor_console")


@dataclass(frozen=True)
class Imported:
    module: str  # the module that imports
    source: str  # the module imported from
    name: str | None  # the name taken from it (None for ``import x``)


@dataclass
class ModuleGraph:
    modules: dict[str, Path]
    imports: list[Imported] = field(default_factory=list)

    def edges(self) -> dict[str, set[str]]:
        """Each module's own modules it imports (a name that is a submodule counts as that module)."""
        graph: dict[str, set[str]] = {name: set() for name in self.modules}
        for found in self.imports:
            target = f"{found.source}.{found.name}" if found.name else found.source
            if target in self.modules:
                graph[found.module].add(target)
            elif found.source in self.modules:
                graph[found.module].add(found.source)
        return graph


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_graph() -> ModuleGraph:
    """Every module of the two packages (Alembic migrations aside) with every import they make."""
    modules = {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))
               if "migrations" not in p.parts}
    graph = ModuleGraph(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_nodes(tree):
            graph.imports.extend(_imports_of(name, path, node))
    return graph


def _runtime_nodes(tree: ast.AST):
    """Every node, except the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return getattr(test, "id", getattr(test, "attr", None)) == "TYPE_CHECKING"


def _imports_of(module: str, path: Path, node: ast.AST) -> list[Imported]:
    if isinstance(node, ast.Import):
        return [Imported(module, alias.name, None) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        source = _absolute(module, path, node)
        return [Imported(module, source, alias.name) for alias in node.names]
    return []


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found
