"""Modules use each other's public names only, never import in a circle, and the layers point inward."""
from __future__ import annotations

from tests.unit.architecture.module_graph import PACKAGES, cycles, read_graph

GRAPH = read_graph()


def _ours(source: str) -> bool:
    return source.split(".")[0] in PACKAGES


def test_the_graph_sees_the_attempt_core():
    assert "exam_server.services.attempt_core" in GRAPH.edges()["exam_server.services.answering"]


def test_no_module_imports_a_private_name_of_another():
    private = [f"{i.module}: from {i.source} import {i.name}" for i in GRAPH.imports
               if _ours(i.source) and i.name and i.name.startswith("_") and not i.name.startswith("__")]
    assert private == []


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(GRAPH.edges()) == []


def test_a_circle_would_be_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
