"""Bank exporters: items back into a file another tool (or this one) can read.

Every module in this package registers its exporter with
``@register_exporter(name)``; nothing here knows them by name. An exporter
is a function ``(items, assets) -> bytes``; importing its output gives back
the same items, as far as the format can hold them.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from exam_server.domain.items import Item
from exam_server.errors import BadInput

ExportFunction = Callable[[Sequence[Item], Mapping[str, bytes]], bytes]


@dataclass(frozen=True)
class Exporter:
    name: str
    write: ExportFunction
    extension: str  # for the downloaded file's name, e.g. ".gift"
    media_type: str


_EXPORTERS: dict[str, Exporter] = {}
_loaded = False


def register_exporter(name: str, *, extension: str | None = None,
                      media_type: str = "application/octet-stream") -> Callable[[ExportFunction], ExportFunction]:
    """Function decorator: make an exporter available by its name."""

    def decorator(write: ExportFunction) -> ExportFunction:
        _EXPORTERS[name] = Exporter(name, write, extension or f".{name}", media_type)
        return write

    return decorator


def exporters() -> dict[str, Exporter]:
    _load_builtin_exporters()
    return dict(_EXPORTERS)


def export_bank(items: Sequence[Item], assets: Mapping[str, bytes] | None, fmt: str) -> bytes:
    """The bytes of a bank file in format ``fmt`` holding ``items`` (and ``assets`` where it can)."""
    found = exporters().get(fmt.strip().lower())
    if found is None:
        known = ", ".join(sorted(exporters()))
        raise BadInput(f"unknown export format {fmt!r}; known formats: {known}")
    return found.write(list(items), dict(assets or {}))


def _load_builtin_exporters() -> None:
    # Importing the package's modules runs their @register_exporter decorators.
    global _loaded
    if not _loaded:
        for module in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
