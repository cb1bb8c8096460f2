"""Word (.docx) banks: the sample, a document built here with python-docx, and malformed ones."""
from __future__ import annotations

import importlib.util
import io
import zipfile
from decimal import Decimal

import docx
import pytest
from docx.oxml import parse_xml
from PIL import Image

from exam_server.banks.base import BankFormatError
from exam_server.banks.docx_template import template_docx
from exam_server.banks.importer import guess_format, parse_bank
from exam_server.banks.safety import image_asset_name
from exam_server.domain.items import Item, Option
from tests.conftest import QUESTION_BANKS

SAMPLE = QUESTION_BANKS / "contoh-word" / "contoh-bank-soal.docx"
OMML = ('<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        '<m:r><m:t>x</m:t></m:r></m:oMath>')


def png(colour=(20, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 5), colour).save(buffer, "PNG")
    return buffer.getvalue()


def saved(document) -> bytes:  # noqa: ANN001
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def lines(*texts: str) -> bytes:
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    return saved(document)


def refused(data: bytes, name: str = "bank.docx", fmt: str | None = None) -> list[str]:
    with pytest.raises(BankFormatError) as caught:
        parse_bank(data, name, fmt)
    return [str(problem) for problem in caught.value.problems]


# ------------------------------------------------------------ the sample and the template


def test_the_sample_bank_imports_15_questions_with_its_picture_table_and_bold_text():
    result = parse_bank(SAMPLE.read_bytes(), SAMPLE.name)
    assert guess_format(SAMPLE.read_bytes(), "unggahan.bin") == "docx"
    assert [item.category for item in result.items] == ["TWK"] * 10 + ["TKP"] * 5
    assert result.skipped == []
    stems = [item.stem for item in result.items]
    assert sum("<img" in stem for stem in stems) == 1 and sum("<table>" in stem for stem in stems) == 1
    assert "Perilaku berikut yang <b>tidak</b> sesuai" in stems[1]
    assert all(item.best_weight == 1 for item in result.items)
    assert [str(o.weight) for o in result.items[11].options] == ["0.2", "1", "0.4", "0.8", "0.6"]
    assert len(result.assets) == 1


def test_the_committed_sample_is_what_its_script_writes():
    spec = importlib.util.spec_from_file_location("buat_contoh", SAMPLE.with_name("buat-contoh.py"))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.sample_bytes() == SAMPLE.read_bytes()


def test_the_template_is_the_same_on_every_run_and_imports():
    assert template_docx() == template_docx()
    result = parse_bank(template_docx(), "templat-bank-soal.docx")
    assert [item.category for item in result.items] == ["TWK", "TKP", "TKP"] and result.skipped == []


# ------------------------------------------------------------ a document built here


def built_document() -> tuple[bytes, bytes]:
    picture = png()
    document = docx.Document()
    document.add_heading("Latihan", level=1)
    document.add_paragraph("Kategori: TWK")
    first = document.add_paragraph("1. Pernyataan yang ")
    first.add_run("tidak").bold = True
    first.add_run(" benar tentang H")
    first.add_run("2").font.subscript = True
    first.add_run("O dan x")
    first.add_run("2").font.superscript = True
    first.add_run(" adalah ...")
    table = document.add_table(rows=2, cols=2)
    for (row, column), text in {(0, 0): "Zat", (0, 1): "Rumus", (1, 0): "Air", (1, 1): "H2O"}.items():
        table.cell(row, column).text = text
    document.add_paragraph("A. Air adalah senyawa")
    document.add_paragraph("B) Air terdiri dari dua unsur")
    option = document.add_paragraph("C. ")
    option.add_run("Air adalah unsur").italic = True
    document.add_paragraph("Jawaban: c")
    document.add_paragraph("Pembahasan: Air adalah senyawa H2O.")
    document.add_paragraph("Kategori: TKP")
    document.add_paragraph("Perhatikan gambar kantor berikut. Sikap Anda bila antrean panjang?", style="List Number")
    document.add_picture(io.BytesIO(picture))
    for text in ("Membuka loket tambahan", "Menutup loket", "Meminta warga pulang"):
        document.add_paragraph(f"{text}").style = "List Number 2"
    document.add_paragraph("Bobot: A=5; B=1; C=2")
    return saved(_lettered(document)), picture


def _lettered(document):  # noqa: ANN001, ANN202
    """Give "List Number 2" a lettered level of its own, as Word does for a) b) c) lists."""
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(
        '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">'
        '<w:abstractNumId w:val="90"/></w:num>'))
    for paragraph in document.paragraphs:
        if paragraph.style.name == "List Number 2":
            properties = paragraph._p.get_or_add_pPr()
            properties.append(parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                '<w:ilvl w:val="0"/><w:numId w:val="90"/></w:numPr>'))
    return document


def test_a_document_built_with_python_docx_imports_exactly():
    data, picture = built_document()
    result = parse_bank(data, "latihan.docx")
    name = image_asset_name(picture, "image1.png")
    assert result.skipped == []
    assert [item.source for item in result.items] == ["latihan.docx:3", "latihan.docx:11"]
    twk, tkp = [item.__class__(**{**item.__dict__, "source": ""}) for item in result.items]
    assert twk == Item(
        stem="<p>Pernyataan yang <b>tidak</b> benar tentang H<sub>2</sub>O dan x<sup>2</sup> adalah ...</p>"
             "<table><tbody><tr><td>Zat</td><td>Rumus</td></tr><tr><td>Air</td><td>H2O</td></tr></tbody></table>",
        options=(Option("Air adalah senyawa", Decimal(0)), Option("Air terdiri dari dua unsur", Decimal(0)),
                 Option("<i>Air adalah unsur</i>", Decimal(1))),
        category="TWK", general_feedback="Air adalah senyawa H2O.")
    assert tkp == Item(
        stem=f'<p>Perhatikan gambar kantor berikut. Sikap Anda bila antrean panjang?</p><p><img src="asset:{name}" '
             f'alt=""></p>',
        options=(Option("Membuka loket tambahan", Decimal(1)), Option("Menutup loket", Decimal("0.2")),
                 Option("Meminta warga pulang", Decimal("0.4"))),
        category="TKP")
    assert result.assets == {name: picture}


def test_options_and_weights_may_come_as_one_table():
    document = docx.Document()
    document.add_paragraph("1. Sikap Anda ...")
    table = document.add_table(rows=4, cols=3)
    for row, cells in enumerate([("Opsi", "Pilihan jawaban", "Bobot"), ("A", "Membantu", "5"),
                                 ("B", "Menolak", "1"), ("C", "Menunda", "3")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    (item,) = parse_bank(saved(document), "tkp.docx").items
    assert [(o.text, o.weight) for o in item.options] == [("Membantu", 1), ("Menolak", Decimal("0.2")),
                                                           ("Menunda", Decimal("0.6"))]


def test_numbered_statements_inside_a_stem_stay_in_the_stem():
    data = lines("1. Perhatikan pernyataan berikut:", "1) Pancasila dasar negara", "2) UUD 1945 konstitusi",
                 "Pernyataan yang benar adalah ...", "A. 1 saja", "B. 2 saja", "C. 1 dan 2", "Kunci: C")
    (item,) = parse_bank(data, "pernyataan.docx").items
    assert "<p>2) UUD 1945 konstitusi</p>" in item.stem and len(item.options) == 3


def test_a_question_with_an_equation_is_skipped_and_the_rest_imported():
    document = docx.Document()
    document.add_paragraph("1. Hasil dari ")._p.append(parse_xml(OMML))
    for text in ("A. 1", "B. 2", "Kunci: A", "2. Ibu kota Indonesia?", "A. Jakarta", "B. Bandung", "Kunci: A"):
        document.add_paragraph(text)
    result = parse_bank(saved(document), "persamaan.docx")
    assert [item.stem for item in result.items] == ["Ibu kota Indonesia?"]
    (skipped,) = result.skipped
    assert skipped.line == "1" and skipped.reason.startswith("persamaan/equation")


# ------------------------------------------------------------ refused, all or nothing


def test_a_question_without_a_key_refuses_the_whole_file_naming_it():
    problems = refused(lines("1. Ibu kota?", "A. Jakarta", "B. Bandung", "Kunci: A",
                             "2. Lambang sila pertama?", "A. Bintang", "B. Rantai"))
    assert problems == ["bank.docx:5: soal 2: kunci tidak ada / no key: add a line 'Kunci: B' (or "
                        "'Bobot: A=5, B=4, ...' for weighted items) after the options: '2. Lambang sila pertama?'"]


def test_a_key_naming_a_missing_option_is_refused_with_its_line():
    problems = refused(lines("7. Ibu kota?", "A. Jakarta", "B. Bandung", "C. Medan", "Kunci: F"))
    assert problems == ["bank.docx:5: soal 7: opsi F tidak ada / option F missing (options are A-C): 'Kunci: F'"]


def test_weights_that_miss_an_option_or_name_a_missing_one_are_refused():
    problems = refused(lines("1. Sikap?", "A. a", "B. b", "C. c", "Bobot: A=5, B=3, F=1"))
    assert any("opsi F tidak ada / option F missing" in p for p in problems)
    assert any("bobot opsi C tidak ada / no weight for option C" in p for p in problems)


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catatan.txt", "bukan dokumen Word")
    assert refused(buffer.getvalue(), "soal.docx") == [
        "soal.docx: this zip is not a Word document (.docx): it has no word/document.xml"]


def test_a_zip_bomb_is_refused_before_python_docx_reads_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (8 * 2**20) + b"</w:document>")
    (problem,) = refused(buffer.getvalue())
    assert problem.startswith("bank.docx!word/document.xml:") and "zip bomb" in problem


def test_a_dtd_in_a_member_is_refused():
    data = lines("1. Ibu kota?", "A. Jakarta", "B. Bandung", "Kunci: A")
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/document.xml":
                body = body.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            target.writestr(info, body)
    assert refused(out.getvalue()) == ["bank.docx!word/document.xml: a document type declaration (DTD) is "
                                       "not allowed"]


def test_an_old_word_97_file_is_refused_with_what_to_do():
    problems = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "soal.docx")
    assert problems == ["soal.docx: this is a Word 97-2003 document (.doc); open it in Word and save it as .docx"]


def test_an_equation_that_word_also_saved_as_a_picture_comes_in_as_that_picture():
    picture = png((250, 250, 250))
    document = docx.Document()
    stem = document.add_paragraph("1. Hasil dari ")
    drawing = stem.add_run()
    drawing.add_picture(io.BytesIO(picture))
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    alternate = parse_xml(f'<mc:AlternateContent xmlns:mc="{mc}"><mc:Choice Requires="m">{OMML}</mc:Choice>'
                          f'<mc:Fallback/></mc:AlternateContent>')
    alternate[1].append(drawing._r)  # the run with the picture moves into the Fallback
    stem._p.append(alternate)
    stem.add_run(" adalah ...")
    for text in ("A. 1", "B. 2", "Kunci: A"):
        document.add_paragraph(text)
    result = parse_bank(saved(document), "persamaan.docx")
    name = image_asset_name(picture, "image1.png")
    assert result.skipped == []
    assert result.items[0].stem == f'Hasil dari <img src="asset:{name}" alt=""> adalah ...'
    assert result.assets == {name: picture}


def test_questions_inside_content_controls_and_tables_inside_cells_are_read():
    document = docx.Document()
    document.add_paragraph("1. Perhatikan tabel berikut.")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Luar"
    inner = outer.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "Dalam"
    for text in ("A. satu", "B. dua", "Kunci: B"):
        document.add_paragraph(text)
    wrapped = document.add_paragraph("2. Soal di dalam kontrol konten?")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    control = parse_xml(f'<w:sdt xmlns:w="{w}"><w:sdtPr/><w:sdtContent/></w:sdt>')
    wrapped._p.addprevious(control)
    control[1].append(wrapped._p)
    for text in ("A. ya", "B. tidak", "Kunci: A"):
        document.add_paragraph(text)
    first, second = parse_bank(saved(document), "kontrol.docx").items
    assert "<td>Luar</td><td><table><tbody><tr><td>Dalam</td></tr></tbody></table></td>" in first.stem
    assert second.stem == "Soal di dalam kontrol konten?"


def test_a_table_of_marks_in_a_question_is_question_text_not_weights():
    document = docx.Document()
    document.add_paragraph("1. Perhatikan nilai berikut. Siapa yang nilainya tertinggi?")
    table = document.add_table(rows=3, cols=2)
    for row, cells in enumerate([("Nama", "Nilai"), ("Budi", "80"), ("Sari", "90")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    for text in ("A. Budi", "B. Sari", "Kunci: B"):
        document.add_paragraph(text)
    (item,) = parse_bank(saved(document), "nilai.docx").items
    assert "<td>Sari</td><td>90</td>" in item.stem and [o.weight for o in item.options] == [0, 1]
