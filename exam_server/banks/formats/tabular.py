"""Spreadsheets (CSV and XLSX): one row per item under a header row of known columns.

The header names the columns, in English or in Indonesian, in any order and
any letter case (``soal`` or ``Stem``). Every row is checked and every
problem is reported with its row number as the spreadsheet shows it (the
header is row 1) and the column it concerns:

    bank.xlsx:14: kunci: "F" names no option (options are A-D)

The downloadable template (``exam_server.banks.template``) is built from
``COLUMNS`` below, and so are the spreadsheet export and its documentation.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Iterable, Iterator

from exam_server.banks.base import ParseResult, ProgressCallback, Skipped, register
from exam_server.banks.importer import ProblemList, clean_text, decode_text, display_name, refuse
from exam_server.domain.items import Item, Option

MAX_COLUMNS = 256
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ROW_FORMATS = ("plain", "html", "markdown")
SHEET_NAMES = ("items", "soal")
NOT_DELIVERED = "only single-answer multiple choice and true/false are delivered"


@dataclass(frozen=True)
class Column:
    field: str
    english: str
    indonesian: str
    help_en: str
    help_id: str
    width: int = 14


COLUMNS: tuple[Column, ...] = (
    Column("category", "category", "kategori", "Category (section) of the item, e.g. TWK",
           "Kategori soal, mis. TWK", 12),
    Column("title", "title", "judul", "Optional short name of the item", "Nama singkat soal (boleh kosong)", 14),
    Column("stem", "stem", "soal", "The question text (required)", "Teks pertanyaan (wajib)", 60),
    *(Column(f"option_{x}", f"option_{x}", f"pilihan_{x}", f"Option {x.upper()}",
             f"Pilihan jawaban {x.upper()}", 28) for x in "abcde"),
    Column("key", "key", "kunci", "Letter of the correct option (A-E), or leave empty and give weights",
           "Huruf jawaban benar (A-E), atau kosongkan dan isi bobot", 8),
    *(Column(f"weight_{x}", f"weight_{x}", f"bobot_{x}", f"Weight of option {x.upper()} in percent (100, 50, -25)",
             f"Bobot pilihan {x.upper()} dalam persen (100, 50, -25)", 9) for x in "abcde"),
    Column("fixed", "fixed", "tetap", "Letters of options that keep their place when shuffled, e.g. E",
           "Huruf pilihan yang tidak diacak, mis. E", 8),
    Column("difficulty", "difficulty", "tingkat_kesulitan", "Free text, e.g. easy, medium, hard",
           "Bebas, mis. mudah, sedang, sulit", 12),
    Column("tags", "tags", "tag", "Tags separated by commas or semicolons", "Tag, dipisah koma atau titik koma", 16),
    Column("format", "format", "format", "plain (default), html or markdown", "plain (bawaan), html atau markdown", 10),
    Column("general_feedback", "general_feedback", "pembahasan", "Explanation for the committee (optional)",
           "Pembahasan untuk panitia (boleh kosong)", 40),
)
EXTRA_COLUMNS: tuple[Column, ...] = (
    Column("shuffle", "shuffle", "acak", "yes (default) or no: shuffle the options",
           "ya (bawaan) atau tidak: acak urutan pilihan", 8),
)

_ALIASES: dict[str, str] = {}
for _column in COLUMNS + EXTRA_COLUMNS:
    _ALIASES[_column.english] = _ALIASES[_column.indonesian] = _column.field
_ALIASES.update({"question": "stem", "pertanyaan": "stem", "kunci_jawaban": "key", "kesulitan": "difficulty",
                 "topic": "category", "topik": "category", "feedback": "general_feedback"})
_LETTERED = re.compile(r"(option|pilihan|opsi|jawaban|weight|bobot)_?([a-z])")
_YES = ("yes", "ya", "y", "true", "benar", "1")
_NO = ("no", "tidak", "t", "n", "false", "salah", "0")


def field_of(header: str) -> str | None:
    """The field a header names ("Pilihan A" -> "option_a"), or None."""
    key = re.sub(r"[\s\-]+", "_", header.strip().lower())
    if key in _ALIASES:
        return _ALIASES[key]
    match = _LETTERED.fullmatch(key)
    if match:
        kind = "weight" if match.group(1) in ("weight", "bobot") else "option"
        return f"{kind}_{match.group(2)}"
    return None


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
        table.read(_csv_rows(text, name, progress))
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
        table.read(_reporting(_xlsx_rows(data, name, warnings), progress))
        return table.finish()


# ---------------------------------------------------------------- reading cells


def _csv_rows(text: str, name: str, progress: ProgressCallback | None) -> Iterable[tuple[int, list[str]]]:
    first, _, rest = text.partition("\n")
    delimiter = None
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter, text, first = first.strip()[4], rest, rest.partition("\n")[0]
    delimiter = delimiter or _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = text.count("\n") + 1
    number = 0
    try:
        for number, row in enumerate(reader, 1):
            yield number, row
            if progress is not None and number % 5000 == 0:
                progress(reader.line_num, lines)
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell holds more than {csv.field_size_limit():,} characters"
        raise refuse(f"{name}:{number + 1}", f"this row cannot be read as CSV: {reason}", name) from None


def _delimiter(header: str) -> str:
    """The separator the header line uses most outside quotes: , or ; (Indonesian Excel) or tab."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _xlsx_rows(data: bytes, name: str, warnings: list[str]) -> list[tuple[int, list[str]]]:
    from exam_server.banks.safety import open_zip  # checks sizes and names before openpyxl unpacks anything

    open_zip(data, name)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = _pick_sheet(workbook, name, warnings)
            sheet.reset_dimensions()  # some writers record wrong dimensions; read every row there is
            rows = [(number, [_cell_text(cell) for cell in row])
                    for number, row in enumerate(sheet.iter_rows(), 1)]
        finally:
            workbook.close()
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged workbook
        raise refuse(name, f"this is not a readable XLSX workbook: {type(exc).__name__}: {exc}", name) from None
    return rows


def _reporting(rows: list[tuple[int, list[str]]],
               progress: ProgressCallback | None) -> Iterator[tuple[int, list[str]]]:
    for index, row in enumerate(rows, 1):
        yield row
        if progress is not None and index % 5000 == 0:
            progress(index, len(rows))


def _pick_sheet(workbook, name: str, warnings: list[str]):  # noqa: ANN001, ANN202 - openpyxl types
    for sheet in workbook.worksheets:
        if sheet.title.strip().lower() in SHEET_NAMES:
            return sheet
    sheet = workbook.worksheets[0]
    if len(workbook.worksheets) > 1:
        warnings.append(f"{name}: items were read from the first sheet, {sheet.title!r} "
                        f"(name the sheet 'soal' or 'items' to choose another)")
    return sheet


def _cell_text(cell) -> str:  # noqa: ANN001 - an openpyxl read-only cell
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (getattr(cell, "number_format", "") or ""):
            number *= 100  # a cell shown as 50% holds 0.5
        return _plain_number(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _plain_number(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


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
                                    f"which is {_plain_number(weights[index] * 100)} and not 100")
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
        keys = [LETTERS[i] for i, weight in enumerate(weights) if weight == 1]
        if len(keys) > 1:
            self.table.result.warnings.append(f"{self.table.name}:{self.number}: options {', '.join(keys)} "
                                              f"all earn full credit")
        options = tuple(Option(clean_text(text, fmt), weight, index in fixed)
                        for index, (text, weight) in enumerate(zip(texts, weights)))
        self.table.result.items.append(Item(
            stem=clean_text(stem, fmt),
            options=options,
            category=self.get("category"),
            title=self.get("title"),
            shuffle_options=shuffle,
            general_feedback=clean_text(self.get("general_feedback"), fmt) if self.get("general_feedback") else "",
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
