"""Modules use each other's public names only, never import in a circle, and the layers point inward."""
from __future__ import annotations

import pytest

from tests.unit.architecture.module_graph import PACKAGES, cycles, read_graph

GRAPH = read_graph()
# The layers that talk to clients reach the database through services only.
NO_STORE = ("exam_server.realtime", "exam_server.web", "proctor_console")


def _ours(source: str) -> bool:
    return source.split(".")[0] in PACKAGES


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


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


@pytest.mark.parametrize("layer", NO_STORE)
def test_the_client_layers_never_import_the_store(layer: str):
    reaching = sorted({f"{i.module} -> {i.source}" for i in GRAPH.imports
                       if _in(i.module, layer) and (_in(i.source, "exam_server.store") or _in(i.source, "sqlalchemy")
                                                    or (i.source == "exam_server" and i.name == "store"))})
    assert reaching == []


def test_the_console_does_not_import_the_servers_web_package():
    reaching = sorted({i.module for i in GRAPH.imports
                       if _in(i.module, "proctor_console") and _in(i.source, "exam_server.web")})
    assert reaching == []
