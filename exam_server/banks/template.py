"""The spreadsheet template authors download, and the workbook writer the XLSX export shares.

``template_csv()`` and ``template_xlsx()`` give the columns of
``exam_server.banks.formats.tabular.COLUMNS`` with two example rows: a
right/wrong item with a key (TWK) and a weighted item (TKP). The workbook
adds a frozen header with notes, a drop-down list on the key and format
columns, column widths, and an instructions sheet in Indonesian and English.
"""
from __future__ import annotations

import csv
import io
from typing import Sequence

from exam_server.banks.formats.tabular import COLUMNS, Column

EXAMPLE_ROWS: tuple[dict[str, object], ...] = (
    {
        "category": "TWK", "title": "Pancasila 01",
        "stem": "Pancasila sebagai dasar negara disahkan oleh PPKI pada tanggal ...",
        "option_a": "1 Juni 1945", "option_b": "22 Juni 1945", "option_c": "17 Agustus 1945",
        "option_d": "18 Agustus 1945", "option_e": "29 Mei 1945", "key": "D",
        "difficulty": "mudah", "tags": "pancasila; sejarah", "format": "plain",
        "general_feedback": "PPKI mengesahkan UUD 1945, yang memuat Pancasila, pada 18 Agustus 1945.",
    },
    {
        "category": "TKP", "title": "Pelayanan 01",
        "stem": "Rekan kerja meminta bantuan ketika Anda sedang mengerjakan tugas yang harus selesai "
                "hari ini. Sikap Anda ...",
        "option_a": "Menolak dan memintanya mencari orang lain",
        "option_b": "Langsung membantu dan menunda tugas saya",
        "option_c": "Menyelesaikan tugas saya, lalu membantunya sebelum pulang",
        "option_d": "Meminta atasan menugaskan orang lain",
        "option_e": "Membantu sambil tetap mengerjakan tugas saya",
        "weight_a": 20, "weight_b": 60, "weight_c": 100, "weight_d": 40, "weight_e": 80,
        "difficulty": "sedang", "tags": "tkp; pelayanan publik", "format": "plain",
    },
)

INSTRUCTIONS_ID = (
    "Petunjuk pengisian",
    "Satu baris untuk satu soal. Baris pertama adalah judul kolom: jangan diubah (boleh bahasa Inggris).",
    "Isi soal dan sekurang-kurangnya dua pilihan, berurutan mulai dari pilihan A.",
    "Soal benar/salah: isi kolom kunci dengan huruf jawaban yang benar (A-E).",
    "Soal berbobot (mis. TKP): kosongkan kunci dan isi bobot tiap pilihan dalam persen (100, 80, 60, ...).",
    "Jika kunci dan bobot diisi bersamaan, pilihan kunci harus berbobot 100.",
    "Kolom tetap: huruf pilihan yang tidak ikut diacak, mis. E untuk \"semua benar\".",
    "Format teks: plain (bawaan), html, atau markdown.",
    "Simpan sebagai .xlsx, atau .csv (UTF-8; pemisah koma, titik koma, atau tab).",
    "Jika ada kesalahan, tidak ada soal yang disimpan: pesan menyebut nomor baris dan kolomnya.",
)
INSTRUCTIONS_EN = (
    "How to fill in this sheet",
    "One row per item. The first row names the columns: keep it (Indonesian or English names).",
    "Give the question and at least two options, in order from option A.",
    "Right/wrong items: put the letter of the correct option in the key column (A-E).",
    "Weighted items (e.g. TKP): leave the key empty and give each option's weight in percent.",
    "If both key and weights are given, the key's option must weigh 100.",
    "Fixed: letters of options that are never shuffled, e.g. E for \"all of the above\".",
    "Text format: plain (default), html or markdown.",
    "Save as .xlsx, or .csv (UTF-8; comma, semicolon or tab separated).",
    "If anything is wrong nothing is stored: each message names the row and the column.",
)

_HEADER_FILL = "1F4E79"
_NOTE_FILL = "DDEBF7"


def template_csv() -> bytes:
    """The template as CSV: UTF-8 with a byte order mark and semicolons, as Indonesian Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.indonesian for column in COLUMNS])
    for row in EXAMPLE_ROWS:
        writer.writerow([row.get(column.field, "") for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    return workbook_bytes(EXAMPLE_ROWS, COLUMNS)


def workbook_bytes(rows: Sequence[dict[str, object]], columns: Sequence[Column]) -> bytes:
    """A workbook with a sheet ``soal`` holding ``rows`` under ``columns``, and a sheet ``petunjuk``."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "soal"
    _write_items(sheet, rows, columns)
    _write_instructions(workbook.create_sheet("petunjuk"), columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_items(sheet, rows: Sequence[dict[str, object]], columns: Sequence[Column]) -> None:  # noqa: ANN001
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_font, header_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor=_HEADER_FILL)
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.indonesian)
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(vertical="center")
        cell.comment = Comment(f"{column.help_id}\n({column.english}: {column.help_en})", "exam-server",
                               width=260, height=90)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(rows, 2):
        for index, column in enumerate(columns, 1):
            value = row.get(column.field, "")
            if value in ("", None):
                continue
            cell = sheet.cell(row=row_number, column=index)
            set_text(cell, value)
            if column.width >= 28:
                cell.alignment = wrap
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 2)}"
    _add_lists(sheet, columns, last_row=max(len(rows) + 1, 1000))


def set_text(cell, value: object) -> None:  # noqa: ANN001 - an openpyxl cell
    """Store ``value`` as it is: a text starting with = stays text, never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _add_lists(sheet, columns: Sequence[Column], last_row: int) -> None:  # noqa: ANN001
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    options = [c for c in columns if c.field.startswith("option_")]
    letters = ",".join(c.field[-1].upper() for c in options) or "A,B,C,D,E"
    lists = {"key": letters, "format": "plain,html,markdown"}
    for index, column in enumerate(columns, 1):
        if column.field in lists:
            validation = DataValidation(type="list", formula1=f'"{lists[column.field]}"', allow_blank=True,
                                        showErrorMessage=True, errorTitle=column.indonesian,
                                        error=f"{column.help_id} / {column.help_en}")
            letter = get_column_letter(index)
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)


def _write_instructions(sheet, columns: Sequence[Column]) -> None:  # noqa: ANN001
    from openpyxl.styles import Alignment, Font, PatternFill

    bold, title = Font(bold=True), Font(bold=True, size=14)
    row = 1
    for block in (INSTRUCTIONS_ID, INSTRUCTIONS_EN):
        sheet.cell(row=row, column=1, value=block[0]).font = title
        for line in block[1:]:
            row += 1
            sheet.cell(row=row, column=1, value="•").alignment = Alignment(horizontal="right")
            sheet.cell(row=row, column=2, value=line)
        row += 2
    fill = PatternFill("solid", fgColor=_NOTE_FILL)
    for index, heading in enumerate(("Kolom", "Keterangan", "Column", "Description"), 1):
        cell = sheet.cell(row=row, column=index, value=heading)
        cell.font, cell.fill = bold, fill
    for column in columns:
        row += 1
        for index, value in enumerate((column.indonesian, column.help_id, column.english, column.help_en), 1):
            sheet.cell(row=row, column=index, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 20), ("B", 70), ("C", 20), ("D", 70)):
        sheet.column_dimensions[letter].width = width
