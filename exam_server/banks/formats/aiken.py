"""Aiken, the simplest multiple choice format: a question, lettered options, the key.

    Pancasila sebagai dasar negara disahkan pada tanggal ...
    A. 1 Juni 1945
    B. 22 Juni 1945
    C. 18 Agustus 1945
    ANSWER: C

The question text may run over several lines; options are one line each,
lettered in order (``A.`` or ``A)``); ``ANSWER:`` names the key and ends
the question. Texts are plain text. Every malformed question is reported
with its line and the file is refused as a whole.
"""
from __future__ import annotations

import re
from decimal import Decimal

from exam_server.banks.base import ParseResult, ProgressCallback, Skipped, register
from exam_server.banks.importer import ProblemList, decode_text, display_name
from exam_server.banks.text import safe_html
from exam_server.domain.items import Item, Option

_OPTION = re.compile(r"([A-Z])[.)](?:[ \t]+(.*))?$")
_OPTION_TIGHT = re.compile(r"([A-Z])[.)](\S.*)$")  # "A)Text": taken only where option A is due
_ANSWER = re.compile(r"ANSWER\s*:(.*)$", re.I)
_NUMBERED = re.compile(r"\d{1,3}[.)]\s")
_NUMBERING = re.compile(r"NUMBERING\s*:", re.I)
_ONE_LETTER = re.compile(r"[A-Z]")
_SEVERAL_LETTERS = re.compile(r"[A-Z](?:[\s,;]*[A-Z])+")

NOT_DELIVERED = "only single-answer multiple choice and true/false are delivered"


@register
class AikenFormat:
    name = "aiken"
    extensions = (".aiken", ".txt")

    def sniff(self, data: bytes, filename: str) -> int:
        lower = display_name(filename).lower()
        if lower.endswith(".aiken") or ".aiken." in lower:
            return 90
        head = data[:65536].decode("utf-8", "replace")
        if "\x00" in head or not re.search(r"^[ \t]*ANSWER[ \t]*:[ \t]*[A-Za-z][ \t]*$", head, re.M | re.I):
            return 0
        if not re.search(r"^[ \t]*[A-Z][.)][ \t]", head, re.M):
            return 0
        return 70 if lower.endswith(".txt") else 50

    def parse(self, data: bytes, filename: str, progress: ProgressCallback | None = None) -> ParseResult:
        text = decode_text(data, filename, "Aiken")
        return _Reader(display_name(filename)).read(text, progress)


class _Question:
    def __init__(self, line: int, first: str):
        self.line = line
        self.stem: list[str] = [first]
        self.options: list[tuple[int, str]] = []

    @property
    def due(self) -> str:
        """The letter the next option must carry."""
        return chr(ord("A") + len(self.options))


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.result = ParseResult()
        self.problems = ProblemList(name)
        self.question: _Question | None = None
        self.skipping = False
        self.numbering_warned = False

    def read(self, text: str, progress: ProgressCallback | None) -> ParseResult:
        lines = text.split("\n")
        for number, line in enumerate(lines, 1):
            self.feed(number, line.strip())
            if progress is not None and number % 10000 == 0:
                progress(number, len(lines))
        self.blank()
        if progress is not None:
            progress(len(lines), len(lines))
        self.problems.raise_if_any()
        return self.result

    def problem(self, line: int, reason: str) -> None:
        self.problems.add(line, reason)

    def abandon(self) -> None:
        """Drop the question in hand and ignore lines up to the next blank line or ANSWER:."""
        self.question, self.skipping = None, True

    # ------------------------------------------------------------ one line at a time

    def feed(self, number: int, line: str) -> None:
        if not line:
            self.blank()
            return
        if _NUMBERING.match(line):
            if not self.numbering_warned:
                self.result.warnings.append(f"{self.name}:{number}: NUMBERING: lines are not Aiken "
                                            f"(an extension of another importer) and were ignored")
                self.numbering_warned = True
            return
        answer = _ANSWER.match(line)
        if answer:
            self.answer(number, answer.group(1).strip())
            return
        if self.skipping:
            return
        question = self.question
        if question is None:
            if _OPTION.match(line):
                self.problem(number, "an option line before any question text")
                self.abandon()
            else:
                self.question = _Question(number, line)
            return
        option = _OPTION.match(line) or (_OPTION_TIGHT.match(line) if line[:1] == question.due else None)
        if option:
            self.option(number, question, option.group(1), option.group(2) or "")
        elif _NUMBERED.match(line):
            self.problem(number, "option labels must be letters (A. or A)), not numbers")
            self.abandon()
        elif question.options:
            self.problem(number, f'expected option {question.due} (like "{question.due}. text") '
                                 f'or the key line (like "ANSWER: A")')
            self.abandon()
        else:
            question.stem.append(line)

    def option(self, number: int, question: _Question, letter: str, text: str) -> None:
        if letter != question.due:
            self.problem(number, f"option {letter} where option {question.due} was expected "
                                 f"(options are lettered A, B, C, ... in order)")
            self.abandon()
        elif not text.strip():
            self.problem(number, f"option {letter} is empty")
            self.abandon()
        else:
            question.options.append((number, text.strip()))

    def blank(self) -> None:
        question = self.question
        if question is not None:
            if question.options:
                self.problem(question.line, "the question is not finished: no ANSWER: line after its options")
            else:
                self.problem(question.line, "the question has no options (lines like \"A. text\") "
                                            "and no ANSWER: line")
        self.question, self.skipping = None, False

    def answer(self, number: int, value: str) -> None:
        question, skipping = self.question, self.skipping
        self.question, self.skipping = None, False
        if skipping:
            return
        if question is None:
            self.problem(number, "an ANSWER: line without a question before it")
        elif not question.options:
            self.problem(number, "an ANSWER: line before any option (lines like \"A. text\")")
        else:
            self.finish(number, question, value.upper())

    def finish(self, number: int, question: _Question, key: str) -> None:
        last = chr(ord("A") + len(question.options) - 1)
        if len(question.options) < 2:
            self.problem(question.line, "a question needs at least 2 options")
        elif _SEVERAL_LETTERS.fullmatch(key) and _distinct_letters_up_to(key, last):
            label = " ".join(" ".join(question.stem).split()[:10])
            self.result.skipped.append(Skipped(label, str(question.line),
                                               f"multiple response (ANSWER names {key}): {NOT_DELIVERED}"))
        elif not _ONE_LETTER.fullmatch(key):
            self.problem(number, f'ANSWER must name one option by its letter (A-{last}), not "{key}"')
        elif key > last:
            self.problem(number, f'ANSWER: "{key}" names no option (options are A-{last})')
        else:
            index = ord(key) - ord("A")
            options = tuple(Option(safe_html(text, "plain"), Decimal(1 if i == index else 0))
                            for i, (_, text) in enumerate(question.options))
            stem = safe_html("\n".join(question.stem), "plain")
            self.result.items.append(Item(stem=stem, options=options, source=f"{self.name}:{question.line}"))


def _distinct_letters_up_to(key: str, last: str) -> bool:
    letters = [letter for letter in key if letter.isalpha()]
    return len(set(letters)) == len(letters) and max(letters) <= last
