"""The pure core stays pure: domain/ and the parsing half of banks/ import no web, database or async code."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "exam_server"
FORBIDDEN = {"flask", "flask_socketio", "socketio", "sqlalchemy", "eventlet", "gevent"}


def pure_modules() -> list[Path]:
    """Every module of domain/ and banks/, except the bank store modules (which may use the database)."""
    found = sorted((PACKAGE / "domain").rglob("*.py"))
    found += sorted(p for p in (PACKAGE / "banks").rglob("*.py")
                    if not (p.parent == PACKAGE / "banks" and p.name.startswith("store")))
    return found


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every absolute import in a module, wherever it appears."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            names.add(node.args[0].value.split(".")[0])
    return names


def _is_dynamic_import(node: ast.Call) -> bool:
    """``importlib.import_module("x")`` or ``__import__("x")`` with a literal name."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (name in ("import_module", "__import__") and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


def test_the_pure_packages_have_modules_to_check():
    assert (PACKAGE / "domain" / "blueprint.py") in pure_modules()


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_pure_module_imports_no_framework(path: Path):
    assert imported_packages(path) & FORBIDDEN == set()


def test_the_check_sees_imports_of_every_kind(tmp_path: Path):
    module = tmp_path / "sample.py"
    module.write_text(
        "import flask.json\nfrom sqlalchemy.orm import Session\nfrom . import sibling\n"
        "def later():\n    import eventlet\n    return importlib.import_module('gevent.monkey')\n"
    )
    assert imported_packages(module) == {"flask", "sqlalchemy", "eventlet", "gevent"}
