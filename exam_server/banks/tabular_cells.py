"""A CSV or XLSX file read into numbered rows of cell texts, as the spreadsheet shows them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Iterable, Iterator

from exam_server.banks.base import ProgressCallback
from exam_server.banks.importer import refuse

SHEET_NAMES = ("items", "soal")


def csv_rows(text: str, name: str, progress: ProgressCallback | None) -> Iterable[tuple[int, list[str]]]:
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


def xlsx_rows(data: bytes, name: str, warnings: list[str]) -> list[tuple[int, list[str]]]:
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


def reporting(rows: list[tuple[int, list[str]]],
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
        return plain_number(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def plain_number(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
