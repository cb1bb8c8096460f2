"""Spreadsheets: one row per item, English or Indonesian headers, every problem at its row and column."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from exam_server.banks.base import BankFormatError, Skipped, formats
from exam_server.banks.formats.tabular import COLUMNS, CsvFormat, XlsxFormat, field_of
from exam_server.banks.importer import parse_bank
from exam_server.banks.template import template_csv, template_xlsx
from tests.conftest import HANDMADE

CSV = CsvFormat()
XLSX = XlsxFormat()


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(rows) + "\n").encode(encoding)


def refusal(data: bytes, name: str = "bank.csv") -> list[str]:
    with pytest.raises(BankFormatError) as caught:
        parse_bank(data, name)
    return [str(problem) for problem in caught.value.problems]


def workbook(rows: list[list[object]], *, title: str = "Sheet", before: list[str] = ()) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    first = book.active
    for index, name in enumerate(before):
        sheet = first if index == 0 else book.create_sheet(name)
        sheet.title = name
        sheet.append(["not", "the", "items"])
    sheet = book.create_sheet(title) if before else first
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return book


def xlsx_bytes(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER_ID = "kategori;soal;pilihan_a;pilihan_b;pilihan_c;kunci"


# ------------------------------------------------------- CSV


def test_indonesian_excel_csv_with_semicolons_and_bom_imports():
    data = b"\xef\xbb\xbf" + csv_bytes(HEADER_ID, 'TWK;"Dasar negara; ""resmi""?";Pancasila;UUD;Perpres;a')
    [item] = parse_bank(data, "bank.csv").items
    assert item.category == "TWK"
    assert item.stem == 'Dasar negara; "resmi"?'
    assert [o.text for o in item.options] == ["Pancasila", "UUD", "Perpres"]
    assert [o.weight for o in item.options] == [1, 0, 0]
    assert item.source == "bank.csv:2"


@pytest.mark.parametrize("separator", [",", "\t", ";"])
def test_the_separator_is_found_from_the_header(separator):
    header = separator.join(["Stem", "Option A", "option_b", "KEY"])
    row = separator.join(["Ibu kota?", "Jakarta", "Bandung", "A"])
    assert len(parse_bank(csv_bytes(header, row), "bank.csv").items) == 1


def test_a_quoted_cell_may_hold_line_breaks_and_rows_are_counted_as_the_sheet_shows_them():
    data = csv_bytes("soal,pilihan_a,pilihan_b,kunci", '"Baris satu\nbaris dua",a,b,A', "", "Q2,a,b,C")
    assert refusal(data) == ['bank.csv:4: kunci: "C" names no option (options are A-B)']
    [item] = parse_bank(data.replace(b",C", b",B"), "bank.csv").items[:1]
    assert item.stem == "Baris satu<br>baris dua"


def test_an_excel_sep_line_is_honoured():
    data = csv_bytes("sep=,", "soal,pilihan_a,pilihan_b,kunci", "Q;x,a,b,B")
    [item] = parse_bank(data, "bank.csv").items
    assert item.stem == "Q;x" and item.source == "bank.csv:2"


def test_windows_1252_is_read_with_a_warning():
    data = csv_bytes("soal;pilihan_a;pilihan_b;kunci", "Café?;oui;non;A", encoding="cp1252")
    result = parse_bank(data, "bank.csv")
    assert result.items[0].stem == "Café?"
    assert "not UTF-8; it was read as cp1252" in result.warnings[0]


def test_weights_in_percent_make_a_weighted_item():
    data = csv_bytes("soal;pilihan_a;pilihan_b;pilihan_c;bobot_a;bobot_b;bobot_c",
                     "Sikap?;x;y;z;100%;50;-25", "Sikap 2?;x;y;z;33,5;100;")
    first, second = parse_bank(data, "bank.csv").items
    assert [o.weight for o in first.options] == [1, Decimal("0.5"), Decimal("-0.25")]
    assert [o.weight for o in second.options] == [Decimal("0.335"), 1, 0]


def test_key_and_weights_together_must_agree():
    header = "soal;pilihan_a;pilihan_b;kunci;bobot_a;bobot_b"
    assert [o.weight for o in parse_bank(csv_bytes(header, "Q;x;y;B;50;100"), "b.csv").items[0].options] == [
        Decimal("0.5"), 1]
    assert refusal(csv_bytes(header, "Q;x;y;A;50;100")) == [
        'bank.csv:2: kunci: "A" does not agree with bobot_a, which is 50 and not 100']


def test_optional_columns_fill_the_item():
    header = "category,title,stem,option_a,option_b,option_c,key,fixed,difficulty,tags,format,pembahasan,acak"
    row = 'TIU,Deret 1,**Lanjutkan** 2 4 6 ...,8,10,semua salah,A,C,easy,"deret; angka, tiu",markdown,+2,tidak'
    [item] = parse_bank(csv_bytes(header, row), "bank.csv").items
    assert item.title == "Deret 1" and item.difficulty == "easy"
    assert item.stem == "<p><strong>Lanjutkan</strong> 2 4 6 ...</p>"
    assert item.tags == ("deret", "angka", "tiu")
    assert [o.fixed for o in item.options] == [False, False, True]
    assert item.general_feedback == "<p>+2</p>"
    assert not item.shuffle_options


def test_a_formula_looking_cell_is_plain_text():
    data = csv_bytes("soal,pilihan_a,pilihan_b,kunci", '"=HYPERLINK(""http://x"",""klik"")",=1+1,@SUM(A1),A')
    [item] = parse_bank(data, "bank.csv").items
    assert item.stem == '=HYPERLINK("http://x","klik")'
    assert [o.text for o in item.options] == ["=1+1", "@SUM(A1)"]


def test_every_row_problem_is_reported_with_row_and_column():
    header = "soal;pilihan_a;pilihan_b;pilihan_c;pilihan_d;kunci;bobot_a;tetap;format"
    data = csv_bytes(header,
                     "Baik?;a;b;c;d;A;;;",
                     ";a;b;;;A;;;",
                     "Q;a;;c;;A;;;",
                     "Q;a;;;;A;;;",
                     "Q;a;b;c;d;F;;;",
                     "Q;a;b;;;;abc;;",
                     "Q;a;b;;;;150;;",
                     "Q;a;b;;;;;;",
                     "Q;a;b;;;A;;E;",
                     "Q;a;b;;;A;;;rtf",
                     "Q;a;b;;;;50;;")
    assert refusal(data) == [
        "bank.csv:3: soal: empty: every row needs the question text",
        "bank.csv:4: pilihan_b: empty, but a later option is filled: fill the options from A onwards",
        "bank.csv:5: pilihan_a: at least 2 options are needed",
        'bank.csv:6: kunci: "F" names no option (options are A-D)',
        'bank.csv:7: bobot_a: "abc" is not a percentage (write 100, 50, -25 or 100%)',
        'bank.csv:8: bobot_a: "150" is outside -100 to 100',
        "bank.csv:9: kunci: empty: give the letter of the correct option, or the weights",
        'bank.csv:10: tetap: "E" names no option (options are A-B)',
        'bank.csv:11: format: "rtf" is not one of plain, html, markdown',
        "bank.csv:12: bobot_a: no option has weight 100: give the correct option 100",
    ]


def test_a_row_whose_options_share_the_credit_is_skipped():
    data = csv_bytes("judul;soal;pilihan_a;pilihan_b;pilihan_c;bobot_a;bobot_b;bobot_c", "Dua;Pilih dua;a;b;c;50;50;")
    result = parse_bank(data, "bank.csv")
    assert result.items == []
    assert result.skipped[0].as_dict() == {
        "item": "Dua", "line": "2",
        "reason": "multiple response (several options share the credit): "
                  "only single-answer multiple choice and true/false are delivered"}


def test_the_header_must_name_the_needed_columns():
    assert refusal(csv_bytes("judul;pertanyaan_x;pilihan_a", "a;b;c")) == [
        "bank.csv:1: missing columns: stem (soal); at least two options (option_a, option_b / pilihan_a, "
        "pilihan_b); key (kunci) or weights (weight_a... / bobot_a...)"]
    assert refusal(csv_bytes("soal;stem;pilihan_a;pilihan_b;kunci", "a;b;c;d;A")) == [
        "bank.csv:1: columns 'soal' and 'stem' both give stem"]


def test_unknown_columns_are_ignored_with_a_warning():
    result = parse_bank(csv_bytes("no;soal;pilihan_a;pilihan_b;kunci;catatan", "1;Q;a;b;A;x"), "bank.csv")
    assert result.warnings == ["bank.csv:1: columns ignored (not known): 'no', 'catatan'"]


@pytest.mark.parametrize("header, field", [
    ("Soal", "stem"), ("Pilihan A", "option_a"), ("pilihan-e", "option_e"), ("BOBOT_C", "weight_c"),
    ("Tingkat Kesulitan", "difficulty"), ("tag", "tags"), ("judul", "title"), ("tetap", "fixed"),
    ("Kunci", "key"), ("option_f", "option_f"), ("catatan", None),
])
def test_header_names_in_either_language_and_any_case(header, field):
    assert field_of(header) == field


def test_csv_refusals_name_the_format():
    assert "not a CSV text file" in refusal(b"soal,pilihan_a\x00\n")[0]


# ------------------------------------------------------- XLSX


def test_a_workbook_imports_with_numbers_percent_cells_and_dates_as_text():
    book = workbook([["Soal", "Pilihan A", "Pilihan B", "Pilihan C", "Bobot A", "Bobot B", "Bobot C"],
                     ["Tahun proklamasi?", 1945, dt.datetime(1945, 8, 17), 1945.5, 1, 0.5, 0]])
    for cell in ("E2", "F2", "G2"):
        book.active[cell].number_format = "0%"
    [item] = parse_bank(xlsx_bytes(book), "bank.xlsx").items
    assert [o.text for o in item.options] == ["1945", "1945-08-17", "1945.5"]
    assert [o.weight for o in item.options] == [1, Decimal("0.5"), 0]


def test_the_sheet_named_soal_is_read_even_when_it_is_not_first():
    book = workbook([["soal", "pilihan_a", "pilihan_b", "kunci"], [], ["Q", "a", "b", "Z"]],
                    title="Soal", before=["Petunjuk"])
    assert refusal(xlsx_bytes(book), "bank.xlsx") == ['bank.xlsx:3: kunci: "Z" names no option (options are A-B)']


def test_the_first_sheet_is_read_otherwise_with_a_warning():
    book = workbook([["soal", "pilihan_a", "pilihan_b", "kunci"], ["Q", "a", "b", "B"]], title="Lembar2",
                    before=["Lembar1"])
    book.move_sheet("Lembar2", offset=-1)
    result = parse_bank(xlsx_bytes(book), "bank.xlsx")
    assert len(result.items) == 1
    assert "items were read from the first sheet, 'Lembar2'" in result.warnings[0]


def test_a_formula_cell_gives_its_saved_value_never_the_formula():
    book = workbook([["soal", "pilihan_a", "pilihan_b", "kunci"], ["Q", "=1+1", "b", "A"]])
    assert refusal(xlsx_bytes(book), "bank.xlsx") == [
        "bank.xlsx:2: pilihan_a: empty, but a later option is filled: fill the options from A onwards"]


def test_damaged_or_foreign_zip_files_are_refused():
    good = xlsx_bytes(workbook([["soal", "pilihan_a", "pilihan_b", "kunci"], ["Q", "a", "b", "A"]]))
    assert "not a readable" in refusal(good[: len(good) // 2], "bank.xlsx")[0]
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "not a readable XLSX workbook" in refusal(other.getvalue(), "bank.xlsx")[0]


def test_the_formats_are_registered_and_sniff_their_files():
    assert isinstance(formats()["csv"], CsvFormat) and isinstance(formats()["xlsx"], XlsxFormat)
    assert CSV.sniff(b"soal;pilihan_a\n", "bank.txt") == 60
    assert CSV.sniff(b"x", "bank.csv") == 90
    data = template_xlsx()
    assert XLSX.sniff(data, "bank.xlsx") == 95 and XLSX.sniff(data, "upload.bin") == 85
    assert XLSX.sniff(b"PK\x03\x04garbage", "upload.bin") == 0


# ------------------------------------------------------- the template


def test_the_csv_template_imports_as_its_two_examples():
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbfkategori;judul;soal;pilihan_a")
    result = parse_bank(data, "template.csv")
    assert [item.category for item in result.items] == ["TWK", "TKP"]
    assert [o.weight for o in result.items[1].options] == [Decimal("0.2"), Decimal("0.6"), 1, Decimal("0.4"),
                                                           Decimal("0.8")]


def test_the_xlsx_template_is_a_pleasant_workbook_that_imports():
    data = template_xlsx()
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["soal", "petunjuk"]
    sheet = book["soal"]
    assert [cell.value for cell in sheet[1]] == [column.indonesian for column in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 60
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["I2:I1000"] == '"A,B,C,D,E"'
    assert sheet["A1"].comment is not None
    instructions = "\n".join(str(c.value) for row in book["petunjuk"].iter_rows() for c in row if c.value)
    assert "Petunjuk pengisian" in instructions and "How to fill in this sheet" in instructions
    assert len(parse_bank(data, "template.xlsx").items) == 2


def test_excel_unicode_text_is_read_as_tab_separated_utf16():
    data = "soal\tpilihan_a\tpilihan_b\tkunci\r\nIbu kota?\tJakarta\tBandung\tA\r\n".encode("utf-16")
    assert parse_bank(data, "soal.txt", "csv").items[0].stem == "Ibu kota?"


def test_the_documentation_lists_every_column_in_both_languages():
    from pathlib import Path

    from exam_server.banks.formats.tabular import EXTRA_COLUMNS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats" / "spreadsheet.md").read_text("utf-8")
    for column in COLUMNS + EXTRA_COLUMNS:
        assert f"| `{column.english}` | `{column.indonesian}` | {column.help_en} | {column.help_id} |" in doc



def test_a_picture_written_into_an_html_cell_is_kept_and_a_sound_skips_the_row():
    result = CsvFormat().parse((HANDMADE / "inline_pictures.csv").read_bytes(), "inline_pictures.csv")
    (name,) = result.assets
    assert result.items[0].stem == f'<p>Warna apa ini?</p><p><img src="asset:{name}" alt="kotak"></p>'
    assert result.assets[name].startswith(b"\x89PNG") and result.items[1].stem == "Ibu kota Indonesia?"
    assert result.skipped == [Skipped("Simak", "3", "soal: a sound (<audio>) cannot be delivered: "
                                                    "only text and pictures are")]
