"""One question of a Word document, collected paragraph by paragraph and then checked into an item.

Messages name the question as the author numbered it and quote the line of
text, in Indonesian and English: ``soal 7: opsi F tidak ada / option F
missing: 'Kunci: F'``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from exam_server.banks.base import ParseResult, Skipped
from exam_server.banks.docx_blocks import Block
from exam_server.banks.importer import ProblemList, clean_text
from exam_server.banks.text import to_plain
from exam_server.domain.items import Item, Option

MAX_OPTIONS = 26
_PLACES = Decimal("1e-7")
_KEY_LETTER = re.compile(r"^\(?([A-Za-z])\)?\.?$")
_PAIR = re.compile(r"\(?([A-Za-z])\)?\s*[=:]\s*(-?\d+(?:[.,]\d+)?)\s*%?")
_PAIR_SEPARATORS = re.compile(r"^[\s,;]*$")
_WEIGHT_HEADERS = ("bobot", "weight", "nilai", "skor", "score", "poin")


@dataclass
class Question:
    number: str  # as the author numbered it
    paragraph: int
    category: str
    stem: list[tuple[Block, int]] = field(default_factory=list)
    options: list[list[tuple[Block, int]]] = field(default_factory=list)
    key: tuple[str, Block] | None = None
    weights: dict[str, tuple[Decimal, Block]] = field(default_factory=dict)
    feedback: list[tuple[Block, int]] = field(default_factory=list)
    part: str = "stem"  # where a plain paragraph goes: stem, option, feedback, or nowhere ("after")
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def after_options(self) -> bool:
        return self.part in ("feedback", "after")

    def problem(self, block: Block, reason: str) -> None:
        self.problems.append((block.number, f"soal {self.number}: {reason}"))

    def add_stem(self, block: Block, drop: int) -> None:
        self.stem.append((block, drop))

    def add_option(self, block: Block, drop: int) -> None:
        self.options.append([(block, drop)])
        self.part = "option"

    def add_more(self, block: Block) -> None:
        if block.table is not None and _weight_column(block) is not None and self.part != "feedback":
            self.weight_table(block)
        elif self.part == "stem":
            self.stem.append((block, 0))
        elif self.part == "option":
            self.options[-1].append((block, 0))
        elif self.part == "feedback":
            self.feedback.append((block, 0))
        else:
            self.problem(block, f"teks setelah kunci tidak dikenali / text after the key is not understood "
                                f"(start the next question with its number): {_quote(block)}")

    def key_line(self, block: Block, value: str) -> None:
        match = _KEY_LETTER.match(value)
        if self.key is not None:
            self.problem(block, f"kunci ditulis dua kali / a second key line: {_quote(block)}")
        elif not match:
            self.problem(block, f"kunci bukan huruf opsi / the key is not an option letter: {_quote(block)}")
        else:
            self.key = (match.group(1).upper(), block)
        self.part = "after"

    def weight_line(self, block: Block, value: str) -> None:
        pairs = list(_PAIR.finditer(value))
        leftover = _PAIR.sub(" ", value)
        if not pairs or not _PAIR_SEPARATORS.match(leftover):
            self.problem(block, f"bobot tidak terbaca / the weights cannot be read (write 'Bobot: A=5, B=4, "
                                f"C=3, D=2, E=1'): {_quote(block)}")
        for pair in pairs:
            self.add_weight(pair.group(1), pair.group(2), block)
        self.part = "after"

    def weight_table(self, block: Block) -> None:
        column = _weight_column(block)
        text_column = next((i for i in range(1, len(block.table[0])) if i != column), None)
        from_table = not self.options and text_column is not None
        for row, cells in zip(block.table[1:], block.cells_html[1:]):
            if not any(cell.strip() for cell in row):
                continue
            letter = _option_letter(row[0])
            if from_table:
                self.options.append([(Block(block.number, table_html=cells[text_column], table=[]), 0)])
            if column < len(row):
                self.add_weight(letter, row[column], block)
        self.part = "after"

    def add_weight(self, letter: str, raw: str, block: Block) -> None:
        letter = letter.upper()
        try:
            value = Decimal(raw.strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            self.problem(block, f"bobot opsi {letter} bukan angka / the weight of option {letter} is not a "
                                f"number: {_quote(block)}")
            return
        if letter in self.weights:
            self.problem(block, f"bobot opsi {letter} ditulis dua kali / option {letter} is weighted twice: "
                                f"{_quote(block)}")
        self.weights[letter] = (value, block)

    def explanation(self, block: Block, drop: int) -> None:
        self.part = "feedback"
        if block.html(drop):
            self.feedback.append((block, drop))


class QuestionBuilder:
    """Checks a finished question and adds its item, its skip, or its problems."""

    def __init__(self, name: str, result: ParseResult, problems: ProblemList):
        self.name, self.result, self.problems = name, result, problems

    def finish(self, question: Question) -> None:
        blocks = [b for b, _ in question.stem] + [b for o in question.options for b, _ in o] \
            + [b for b, _ in question.feedback]
        reason = next((b.skip_reason for b in blocks if b.skip_reason), "")
        if reason:
            label = f"soal {question.number}: {_first_words(_html(question.stem))}"
            self.result.skipped.append(Skipped(label, str(question.paragraph), reason))
            return
        stem, options = _html(question.stem), [_html(parts) for parts in question.options]
        weights = self.weights(question, len(options))
        self.check(question, stem, options)
        for paragraph, reason in question.problems:
            self.problems.add(paragraph, reason)
        if question.problems or weights is None:
            return
        self.result.items.append(Item(
            stem=stem, options=tuple(Option(text, weight) for text, weight in zip(options, weights)),
            category=question.category, general_feedback=_html(question.feedback),
            source=f"{self.name}:{question.paragraph}"))

    def check(self, question: Question, stem: str, options: list[str]) -> None:
        first = question.stem[0][0]
        if not _shows_something(stem):
            question.problem(first, f"soal tanpa teks / the question has no text: {_quote(first)}")
        if len(options) < 2:
            question.problem(first, f"kurang dari 2 opsi / fewer than 2 options (write them as 'A. ...', "
                                    f"'B. ...'): {_quote(first)}")
        if len(options) > MAX_OPTIONS:
            question.problem(first, f"lebih dari {MAX_OPTIONS} opsi / more than {MAX_OPTIONS} options")
        for letter, (text, parts) in zip(_letters(), zip(options, question.options)):
            if not _shows_something(text):
                question.problem(parts[0][0], f"opsi {letter} kosong / option {letter} is empty: {_quote(parts[0][0])}")

    def weights(self, question: Question, count: int) -> list[Decimal] | None:
        letters = list(_letters())[:count]
        last = letters[-1] if letters else "A"
        for letter, (_, block) in question.weights.items():
            if letter not in letters:
                question.problem(block, f"opsi {letter} tidak ada / option {letter} missing (options are "
                                        f"A-{last}): {_quote(block)}")
        if question.key is not None and question.key[0] not in letters:
            letter, block = question.key
            question.problem(block, f"opsi {letter} tidak ada / option {letter} missing (options are "
                                    f"A-{last}): {_quote(block)}")
            return None
        if question.weights:
            return self.weighted(question, letters)
        if question.key is None:
            first = question.stem[0][0]
            question.problem(first, f"kunci tidak ada / no key: add a line 'Kunci: B' (or 'Bobot: A=5, B=4, ...' "
                                    f"for weighted items) after the options: {_quote(first)}")
            return None
        return [Decimal(1) if letter == question.key[0] else Decimal(0) for letter in letters]

    def weighted(self, question: Question, letters: list[str]) -> list[Decimal] | None:
        any_block = next(iter(question.weights.values()))[1]
        missing = [letter for letter in letters if letter not in question.weights]
        if missing:
            question.problem(any_block, f"bobot opsi {', '.join(missing)} tidak ada / no weight for option "
                                        f"{', '.join(missing)}: {_quote(any_block)}")
            return None
        values = [question.weights[letter][0] for letter in letters]
        best = max(values)
        if best <= 0 or any(value < -best for value in values):
            question.problem(any_block, f"bobot tidak wajar / unusable weights (the best option needs the highest "
                                        f"positive weight, and a penalty may not exceed it): {_quote(any_block)}")
            return None
        weights = [((value / best).quantize(_PLACES) + 0).normalize() for value in values]
        if question.key is not None and weights[letters.index(question.key[0])] != 1:
            letter, block = question.key
            question.problem(block, f"kunci {letter} tidak berbobot tertinggi / the key {letter} does not carry "
                                    f"the highest weight: {_quote(block)}")
            return None
        return weights


def _weight_column(block: Block) -> int | None:
    """The weight column of a table of options and weights; None for any other table.

    Such a table has a header naming a weight column (Bobot, Nilai, ...) and
    an option letter first in every other row: a table of marks in a
    question ("Nama | Nilai") is question text.
    """
    if not block.table or len(block.table[0]) < 2 or len(block.table) < 3:
        return None
    rows = [row for row in block.table[1:] if any(cell.strip() for cell in row)]
    if not all(_option_letter(row[0]) for row in rows):
        return None
    for index, header in enumerate(block.table[0]):
        if index and any(word in header.lower() for word in _WEIGHT_HEADERS):
            return index
    return None


def _option_letter(cell: str) -> str:
    """'B' from 'B', 'b.', '(B)' or 'B)'; '' for anything else."""
    letter = cell.strip().strip(".)(").strip()
    return letter.upper() if len(letter) == 1 and letter.isascii() and letter.isalpha() else ""


def _html(parts: list[tuple[Block, int]]) -> str:
    pieces = [(block, block.html(drop)) for block, drop in parts]
    pieces = [(block, text) for block, text in pieces if text]
    if len(pieces) == 1:
        return clean_text(pieces[0][1], "html")
    return clean_text("".join(text if block.table is not None else f"<p>{text}</p>" for block, text in pieces),
                      "html")


def _shows_something(html_text: str) -> bool:
    if "<" not in html_text and "&" not in html_text:
        return bool(html_text.strip())
    return bool(to_plain(html_text)) or "<img" in html_text


def _letters():
    return (chr(ord("A") + index) for index in range(MAX_OPTIONS))


def _quote(block: Block) -> str:
    text = " ".join(block.text.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _first_words(html_text: str) -> str:
    words = " ".join(to_plain(html_text).split()[:8])
    return words if len(words) <= 60 else words[:57] + "..."
