"""What every bank format produces, and the registry that finds a format by name.

A format module turns the bytes of one file into a ``ParseResult`` or raises
``BankFormatError`` listing every problem found (file, line or XML path, reason).
Formats register themselves with ``@register``; nothing here knows them by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

from exam_server.domain.items import Item
from exam_server.errors import LocatedProblems


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused. ``where`` is 'file:line' or 'file:/xml/path'."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Skipped:
    """A well-formed item of a type we do not deliver (essay, matching, ...)."""

    item: str  # its title, or the first words of its text
    line: str  # line number, or XML path where there are no lines
    reason: str

    def as_dict(self) -> dict:
        return {"item": self.item, "line": self.line, "reason": self.reason}


@dataclass
class ParseResult:
    items: list[Item] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Images and other media, by the name the item HTML uses as src="asset:NAME".
    assets: dict[str, bytes] = field(default_factory=dict)


class BankFormatError(LocatedProblems):
    """The file is malformed or hostile: nothing from it may be stored."""

    def __init__(self, problems: list[Problem], *, filename: str = ""):
        summary = f"{filename or 'the file'} was refused, nothing was imported"
        super().__init__(problems, summary=summary)


class BankFormat(Protocol):
    name: str
    extensions: tuple[str, ...]

    def sniff(self, data: bytes, filename: str) -> int:
        """How sure we are that ``data`` is in this format: 0 (no) to 100 (certain)."""

    def parse(self, data: bytes, filename: str) -> ParseResult: ...


_FORMATS: dict[str, BankFormat] = {}


def register(fmt: BankFormat) -> BankFormat:
    """Class or instance decorator: make a format available by its name."""
    instance = fmt() if isinstance(fmt, type) else fmt
    _FORMATS[instance.name] = instance
    return fmt


def formats() -> dict[str, BankFormat]:
    _load_builtin_formats()
    return dict(_FORMATS)


_loaded = False


def _load_builtin_formats() -> None:
    # Importing the package's format modules runs their @register decorators.
    global _loaded
    if not _loaded:
        import exam_server.banks.formats  # noqa: F401

        _loaded = True


ProgressCallback = Callable[[int, int], None]
