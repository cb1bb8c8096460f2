"""Spreadsheets (CSV and XLSX): one row per item under a header row of known columns.

The header names the columns, in English or in Indonesian, in any order and
any letter case (``soal`` or ``Stem``). Every row is checked and every
problem is reported with its row number as the spreadsheet shows it (the
header is row 1) and the column it concerns:

    bank.xlsx:14: kunci: "F" names no option (options are A-D)

The downloadable template (``exam_server.banks.template``) is built from
``COLUMNS`` (in ``exam_server.banks.tabular_columns``), and so are the
spreadsheet export and its documentation.
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Iterable

from exam_server.banks.base import ParseResult, ProgressCallback, Skipped, register
from exam_server.banks.importer import ProblemList, clean_text, decode_text, display_name
from exam_server.banks.inline_images import InlineImages
from exam_server.banks.media import kept_html
from exam_server.banks.tabular_cells import (  # noqa: F401 - SHEET_NAMES importable from here
    SHEET_NAMES, csv_rows, plain_number, reporting, xlsx_rows,
)
from exam_server.banks.tabular_columns import COLUMNS, EXTRA_COLUMNS, LETTERS, Column, field_of  # noqa: F401
from exam_server.domain.items import Item, Option

MAX_COLUMNS = 256
ROW_FORMATS = ("plain", "html", "markdown")
NOT_DELIVERED = "only single-answer multiple choice and true/false are delivered"

_YES = ("yes", "ya", "y", "true", "benar", "1")
_NO = ("no", "tidak", "t", "n", "false", "salah", "0")


# ---------------------------------------------------------------- the formats


@register
class CsvFormat:
    name = "csv"
    extensions = (".csv", ".tsv")

    def sniff(self, data: bytes, filename: str) -> int:
        lower = display_name(filename).lower()
        if lower.endswith(self.extensions):
            return 90
        first = data[:4096].decode("utf-8", "replace").lower().split("\n", 1)[0]
        if any(sep in first for sep in ",;\t") and ("soal" in first or "stem" in first):
            return 60
        return 0

    def parse(self, data: bytes, filename: str, progress: ProgressCallback | None = None) -> ParseResult:
        name = display_name(filename)
        warnings: list[str] = []
        text = decode_text(data, filename, "CSV", fallback="cp1252", warnings=warnings)
        table = _Table(name, warnings)
        table.read(csv_rows(text, name, progress))
        return table.finish()


@register
class XlsxFormat:
    name = "xlsx"
    extensions = (".xlsx", ".xlsm")

    def sniff(self, data: bytes, filename: str) -> int:
        if not data.startswith(b"PK"):
            return 0
        if display_name(filename).lower().endswith(self.extensions):
            return 95
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return 0
        return 85 if "xl/workbook.xml" in names else 0

    def parse(self, data: bytes, filename: str, progress: ProgressCallback | None = None) -> ParseResult:
        name = display_name(filename)
        warnings: list[str] = []
        table = _Table(name, warnings)
        table.read(reporting(xlsx_rows(data, name, warnings), progress))
        return table.finish()


# ---------------------------------------------------------------- rows into items


class _Table:
    def __init__(self, name: str, warnings: list[str]):
        self.name = name
        self.result = ParseResult(warnings=warnings)
        self.problems = ProblemList(name)
        self.columns: dict[str, tuple[int, str]] = {}  # field -> (index, header as written)
        self.options: list[str] = []  # letters with an option column, in order

    def read(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        header_seen = False
        for number, cells in rows:
            if not header_seen:
                if not any(cell.strip() for cell in cells):
                    continue
                header_seen = True
                if not self.header(number, cells):
                    return
            elif len(cells) > MAX_COLUMNS:
                self.problems.add(number, f"{len(cells):,} cells: a row may have at most {MAX_COLUMNS}")
            else:
                _Row(self, number, cells).read()
        if not header_seen:
            self.problems.add(1, "no header row: the first row must name the columns (soal, pilihan_a, ...)")

    def finish(self) -> ParseResult:
        self.problems.raise_if_any()
        return self.result

    def header(self, number: int, cells: list[str]) -> bool:
        if len(cells) > MAX_COLUMNS:
            self.problems.add(number, f"{len(cells):,} columns: the template has {len(COLUMNS)}, "
                                      f"and at most {MAX_COLUMNS} are read")
            return False
        unknown = []
        for index, cell in enumerate(cells):
            label = cell.strip()
            field = field_of(label) if label else None
            if field is None:
                if label:
                    unknown.append(label)
            elif field in self.columns:
                self.problems.add(number, f"columns {self.columns[field][1]!r} and {label!r} both give {field}")
            else:
                self.columns[field] = (index, label)
        if unknown:
            listed = ", ".join(repr(u) for u in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            self.result.warnings.append(f"{self.name}:{number}: columns ignored (not known): {listed}")
        self.options = [x for x in LETTERS if f"option_{x.lower()}" in self.columns]
        missing = []
        if "stem" not in self.columns:
            missing.append("stem (soal)")
        if len(self.options) < 2:
            missing.append("at least two options (option_a, option_b / pilihan_a, pilihan_b)")
        if "key" not in self.columns and not any(f.startswith("weight_") for f in self.columns):
            missing.append("key (kunci) or weights (weight_a... / bobot_a...)")
        if missing:
            self.problems.add(number, "missing columns: " + "; ".join(missing))
        return not missing and not self.problems


class _Row:
    """One spreadsheet row checked cell by cell, becoming an item, a skip, or problems."""

    def __init__(self, table: _Table, number: int, cells: list[str]):
        self.table, self.number, self.cells = table, number, cells
        self.failed = False
        self.images = InlineImages()
        self.lost = ""  # what the candidate would not see: the reason to skip the row

    def html(self, field: str, fmt: str, *, needed: bool = True) -> str:
        """Safe HTML of a cell, its data: pictures stored; a loss is noted (``needed``) or warned."""
        cleaned, reason = kept_html(self.get(field), fmt, self.images, clean_text)
        if reason and needed:
            self.lost = self.lost or f"{self.label(field)}: {reason}"
        elif reason:
            self.table.result.warnings.append(f"{self.table.name}:{self.number}: {self.label(field)} "
                                              f"loses something: {reason}")
        return cleaned

    def get(self, field: str) -> str:
        column = self.table.columns.get(field)
        if column is None or column[0] >= len(self.cells):
            return ""
        return self.cells[column[0]].strip()

    def label(self, field: str) -> str:
        column = self.table.columns.get(field)
        return column[1] if column else field

    def problem(self, field: str, reason: str) -> None:
        self.failed = True
        self.table.problems.add(self.number, f"{self.label(field)}: {reason}")

    def read(self) -> None:
        if not any(cell.strip() for cell in self.cells):
            return
        stem = self.get("stem")
        if not stem:
            self.problem("stem", "empty: every row needs the question text")
        fmt = (self.get("format") or "plain").lower()
        if fmt not in ROW_FORMATS:
            self.problem("format", f'"{fmt}" is not one of {", ".join(ROW_FORMATS)}')
            fmt = "plain"
        texts = self.option_texts()
        weights = self.weights(texts)
        weights = self.reconcile(texts, weights)
        fixed = self.letters("fixed", texts)
        shuffle = self.yes_no("shuffle", default=True)
        if self.failed or weights is None:
            return
        self.emit(stem, fmt, texts, weights, fixed, shuffle)

    def option_texts(self) -> list[str]:
        texts = [self.get(f"option_{x.lower()}") for x in self.table.options]
        while texts and not texts[-1]:
            texts.pop()
        for letter, text in zip(self.table.options, texts):
            if not text:
                self.problem(f"option_{letter.lower()}", "empty, but a later option is filled: "
                                                        "fill the options from A onwards")
        if len(texts) < 2:
            self.problem("option_a", "at least 2 options are needed")
        return texts

    def weights(self, texts: list[str]) -> list[Decimal] | None:
        """The weights given as percentages, or None when the row gives none."""
        given = False
        weights = []
        for index, letter in enumerate(self.table.options):
            field = f"weight_{letter.lower()}"
            raw = self.get(field)
            if not raw:
                weights.append(Decimal(0))
                continue
            given = True
            weight = _percent(raw)
            if weight is None:
                self.problem(field, f'"{raw}" is not a percentage (write 100, 50, -25 or 100%)')
            elif not -1 <= weight <= 1:
                self.problem(field, f'"{raw}" is outside -100 to 100')
            elif index >= len(texts):
                self.problem(field, f'"{raw}" is given for option {letter}, which is empty')
            weights.append(weight if weight is not None else Decimal(0))
        return weights[:len(texts)] if given else None

    def reconcile(self, texts: list[str], weights: list[Decimal] | None) -> list[Decimal] | None:
        raw_key = self.get("key")
        key = raw_key.upper().rstrip(".)").strip()
        last = LETTERS[max(len(texts) - 1, 0)]
        if raw_key and (len(key) != 1 or key not in LETTERS):
            self.problem("key", f'"{raw_key}" is not an option letter (A-{last})')
            return None
        if key and LETTERS.index(key) >= len(texts):
            self.problem("key", f'"{raw_key}" names no option (options are A-{last})')
            return None
        if key and weights is not None:
            index = LETTERS.index(key)
            if weights[index] != 1:
                self.problem("key", f'"{key}" does not agree with {self.label("weight_" + key.lower())}, '
                                    f"which is {plain_number(weights[index] * 100)} and not 100")
            return weights
        if key:
            return [Decimal(1 if LETTERS[i] == key else 0) for i in range(len(texts))]
        if weights is None:
            self.problem("key", "empty: give the letter of the correct option, or the weights")
        elif not any(weight == 1 for weight in weights) and not self.failed:
            positive = [w for w in weights if w > 0]
            if len(positive) >= 2 and abs(sum(positive) - 1) <= Decimal("0.005"):
                self.table.result.skipped.append(Skipped(
                    _first_words(self.get("title") or self.get("stem")), str(self.number),
                    f"multiple response (several options share the credit): {NOT_DELIVERED}"))
                return None
            self.problem("weight_a", "no option has weight 100: give the correct option 100")
        return weights

    def letters(self, field: str, texts: list[str]) -> frozenset[int]:
        raw = self.get(field)
        indexes = set()
        for letter in re.split(r"[\s,;]+", raw.upper()):
            if not letter:
                continue
            if len(letter) == 1 and letter in LETTERS and LETTERS.index(letter) < len(texts):
                indexes.add(LETTERS.index(letter))
            else:
                self.problem(field, f'"{letter}" names no option (options are A-{LETTERS[max(len(texts) - 1, 0)]})')
        return frozenset(indexes)

    def yes_no(self, field: str, *, default: bool) -> bool:
        raw = self.get(field).lower()
        if not raw:
            return default
        if raw in _YES or raw in _NO:
            return raw in _YES
        self.problem(field, f'"{raw}" is not yes or no (ya/tidak)')
        return default

    def emit(self, stem: str, fmt: str, texts: list[str], weights: list[Decimal],
             fixed: frozenset[int], shuffle: bool) -> None:
        columns = [f"option_{letter.lower()}" for letter in self.table.options[:len(texts)]]
        options = tuple(Option(self.html(column, fmt), weight, index in fixed)
                        for index, (column, weight) in enumerate(zip(columns, weights)))
        stem_html = self.html("stem", fmt)
        general = self.html("general_feedback", fmt, needed=False) if self.get("general_feedback") else ""
        for reason in self.images.problems:
            self.problem("stem", reason)
        if self.failed:
            return
        if self.lost:
            self.table.result.skipped.append(Skipped(_first_words(self.get("title") or stem), str(self.number),
                                                     self.lost))
            return
        keys = [LETTERS[i] for i, weight in enumerate(weights) if weight == 1]
        if len(keys) > 1:
            self.table.result.warnings.append(f"{self.table.name}:{self.number}: options {', '.join(keys)} "
                                              f"all earn full credit")
        self.table.result.assets.update(self.images.assets)
        self.table.result.items.append(Item(
            stem=stem_html,
            options=options,
            category=self.get("category"),
            title=self.get("title"),
            shuffle_options=shuffle,
            general_feedback=general,
            difficulty=self.get("difficulty"),
            tags=tuple(dict.fromkeys(t.strip() for t in re.split(r"[,;]", self.get("tags")) if t.strip())),
            source=f"{self.table.name}:{self.number}",
        ))


def _percent(raw: str) -> Decimal | None:
    text = raw.strip().rstrip("%").strip().replace(",", ".")
    if not re.fullmatch(r"[+-]?\d{1,3}(?:\.\d{1,10})?", text):
        return None
    try:
        return (Decimal(text) / 100).normalize() + 0
    except InvalidOperation:
        return None


def _first_words(text: str) -> str:
    label = " ".join(text.split()[:10])
    return label if len(label) <= 80 else label[:77] + "..."
