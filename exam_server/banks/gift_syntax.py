"""GIFT's lexical layer: the file cut into question blocks, escapes, tokens, text formats and notes.

The token scans (braces, answer markers, ``#``, ``::``) step over backslash
escapes, so ``\\{`` in a question is text, not the start of an answer block.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator

from exam_server.banks.categories import moodle_category
from exam_server.banks.importer import clean_text

BRACES = re.compile(r"\\.|[{}]", re.S)
MARKERS = re.compile(r"\\.|[~=]", re.S)
HASHES = re.compile(r"\\.|#", re.S)
GENERAL = re.compile(r"\\.|####", re.S)
TITLE_END = re.compile(r"\\.|::", re.S)
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT = re.compile(r"\s*([+-]?\d{1,3}(?:[.,]\d{1,10})?)\s*")
_NOTE = re.compile(r"\[(id|tags?|fixed|difficulty|shuffle):([^\]]*)\]", re.I)
_TAGS = re.compile(r"<[^>]*>")


@dataclass
class Block:
    """One question's lines (comments apart) and the comments written with it."""

    lines: list[tuple[int, str]]
    notes: list[str]
    text: str = ""
    starts: list[int] = field(default_factory=list)

    def join(self) -> None:
        self.text = "\n".join(line for _, line in self.lines)
        self.starts, offset = [], 0
        for _, line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1

    def line_at(self, offset: int) -> int:
        return self.lines[max(bisect_right(self.starts, offset) - 1, 0)][0]


def gift_syntax_blocks(lines: Iterable[str]) -> Iterator[Block]:
    """The questions of a file: runs of lines between blank lines, comments set apart."""
    current: list[tuple[int, str]] = []
    notes: list[str] = []
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\n")
        stripped = line.strip()
        if not stripped:
            if current:
                yield Block(current, notes)
            current, notes = [], []
        elif stripped.startswith("//"):
            if "[" in stripped:
                notes.append(stripped)
        else:
            if stripped.startswith("$CATEGORY:") and current:
                yield Block(current, notes)  # a category line always starts a new question
                current, notes = [], []
            current.append((number, line))
    if current:
        yield Block(current, notes)


def find(pattern: re.Pattern, token: str, text: str, start: int = 0) -> int:
    """Where ``token`` first appears unescaped in ``text`` from ``start``, or -1."""
    if "\\" not in text:
        return text.find(token, start)
    for match in pattern.finditer(text, start):
        if match.group() == token:
            return match.start()
    return -1


def gift_syntax_split(pattern: re.Pattern, tokens: str, text: str) -> list[tuple[int, str]]:
    """``text`` cut before every unescaped token: [(start of the piece after its token, piece)]."""
    pieces, start = [], 0
    for match in pattern.finditer(text):
        if match.group() in tokens:
            pieces.append((start, text[start:match.start()]))
            start = match.end()
    pieces.append((start, text[start:]))
    return pieces


def unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def text_format(text: str, pos: int, default: str) -> tuple[str, int]:
    match = _FORMAT.match(text, pos)
    if match:
        return match.group(1).lower(), match.end()
    return default, pos


def gift_syntax_html(text: str, fmt: str) -> str:
    if fmt in ("moodle", "plain"):
        text = text.strip()
        if "\n" in text:
            text = "\n".join(line.strip() for line in text.split("\n"))
    return clean_text(text, fmt) if text else ""


def parse_weight(raw: str) -> Decimal | None:
    match = _WEIGHT.fullmatch(raw)
    if not match:
        return None
    return (Decimal(match.group(1).replace(",", ".")) / 100).normalize() + 0


def gift_syntax_category(raw: str) -> str:
    return moodle_category(raw)


def gift_syntax_notes(comments: list[str]) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for comment in comments:
        for key, value in _NOTE.findall(comment):
            key = key.lower()
            notes.setdefault("tag" if key in ("tag", "tags") else key, []).append(value)
    return notes


def first_words(raw: str) -> str:
    words = _TAGS.sub(" ", unescape(raw[:2000])).split()
    label = " ".join(words[:10])
    return label if len(label) <= 80 else label[:77] + "..."


def gift_syntax_short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."
