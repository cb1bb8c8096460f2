"""The Word template authors download, and the writer that makes it (and the sample bank).

``template_docx()`` gives a document with the rules in Indonesian and English
and three example questions: a TWK question with a key, a TKP question with a
``Bobot:`` line, and a TKP question whose options and weights are a table.
The bytes are the same on every run (fixed dates inside and in the zip), so
a committed sample made with ``document_bytes`` can be checked against its
generator.
"""
from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

_FIXED_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass
class Question:
    """One question as the writer lays it out; ``stem`` pieces are (text, style) with style "", "b" or "i"."""

    stem: list[tuple[str, str]]
    options: list[str]
    key: str = ""
    weights: dict[str, int] = field(default_factory=dict)
    weight_table: bool = False  # options and weights as a table instead of lines
    category: str = ""
    picture: bytes = b""
    picture_text: str = ""
    table: list[list[str]] = field(default_factory=list)
    explanation: str = ""


RULES_ID = (
    "Satu soal diawali nomornya: \"1.\" atau \"1)\" (boleh penomoran otomatis Word).",
    "Pilihan jawaban diawali hurufnya: \"A.\" sampai \"E.\" (atau \"a)\").",
    "Soal benar/salah: tulis baris \"Kunci: B\" (atau \"Jawaban: B\") setelah pilihan.",
    "Soal berbobot (TKP): tulis baris \"Bobot: A=5, B=4, C=3, D=2, E=1\", atau tabel dengan kolom Opsi, "
    "Pilihan jawaban dan Bobot.",
    "Baris \"Kategori: TWK\" menetapkan kategori soal-soal sesudahnya; baris \"Pembahasan:\" memulai pembahasan.",
    "Huruf tebal, miring, subskrip, superskrip, tabel dan gambar (PNG/JPEG) ikut diimpor. Persamaan Word "
    "(Equation) tidak: soal itu dilewati; sisipkan persamaan sebagai gambar.",
    "Jika ada kesalahan, tidak ada soal yang disimpan: pesan menyebut nomor soal dan baris teksnya.",
)
RULES_EN = (
    "A question starts with its number: \"1.\" or \"1)\" (Word's automatic numbering works too).",
    "Options start with their letter: \"A.\" to \"E.\" (or \"a)\").",
    "Right/wrong questions: write a line \"Kunci: B\" (or \"Jawaban: B\") after the options.",
    "Weighted questions (TKP): write \"Bobot: A=5, B=4, C=3, D=2, E=1\", or a table with the columns Opsi, "
    "Pilihan jawaban and Bobot.",
    "A line \"Kategori: TWK\" sets the category of the questions after it; \"Pembahasan:\" starts the explanation.",
    "Bold, italic, sub- and superscript, tables and pictures (PNG/JPEG) are kept. Word equations are not: "
    "such a question is skipped; insert the equation as a picture.",
    "If anything is wrong nothing is stored: each message names the question number and the line of text.",
)


def flag_png(width: int = 90, height: int = 60) -> bytes:
    """The red-and-white flag as a PNG, drawn here so that no image library is needed."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            edge = x in (0, width - 1) or y in (0, height - 1)
            row += b"\x80\x80\x80" if edge else (b"\xe7\x00\x11" if y < height // 2 else b"\xff\xff\xff")
        rows.append(b"\x00" + bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) \
        + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


EXAMPLES = (
    Question(category="TWK", stem=[("Pancasila sebagai dasar negara disahkan oleh PPKI pada tanggal ...", "")],
             options=["1 Juni 1945", "22 Juni 1945", "17 Agustus 1945", "18 Agustus 1945", "29 Mei 1945"],
             key="D", explanation="PPKI mengesahkan UUD 1945, yang memuat Pancasila, pada 18 Agustus 1945."),
    Question(category="TKP", stem=[("Rekan kerja meminta bantuan ketika Anda sedang mengerjakan tugas yang harus "
                                     "selesai hari ini. Sikap Anda ...", "")],
             options=["Menolak dan memintanya mencari orang lain", "Langsung membantu dan menunda tugas saya",
                      "Menyelesaikan tugas saya, lalu membantunya sebelum pulang",
                      "Meminta atasan menugaskan orang lain", "Membantu sambil tetap mengerjakan tugas saya"],
             weights={"A": 1, "B": 3, "C": 5, "D": 2, "E": 4}),
    Question(category="TKP", stem=[("Warga mengeluh karena antrean layanan di kantor Anda panjang. Sikap Anda ...",
                                    "")],
             options=["Meminta warga bersabar", "Membuka loket tambahan bersama rekan yang sedang luang",
                      "Menyarankan warga datang esok hari", "Melaporkan keluhan itu kepada atasan",
                      "Mencatat keluhan untuk rapat bulan depan"],
             weights={"A": 2, "B": 5, "C": 1, "D": 4, "E": 3}, weight_table=True),
)


def template_docx() -> bytes:
    return document_bytes("Templat Bank Soal (Word)", [RULES_ID, RULES_EN], EXAMPLES)


def document_bytes(title: str, rules: list[tuple[str, ...]], questions) -> bytes:  # noqa: ANN001
    """A .docx with ``title``, the ``rules`` as bullets, then the numbered ``questions``."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for block in rules:
        for line in block:
            document.add_paragraph("• " + line)
    category = ""
    for number, question in enumerate(questions, 1):
        if question.category and question.category != category:
            category = question.category
            document.add_paragraph(f"Kategori: {category}")
        _write_question(document, number, question)
    _fix_properties(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _write_question(document, number: int, question: Question) -> None:  # noqa: ANN001 - python-docx types
    from docx.shared import Cm

    paragraph = document.add_paragraph(f"{number}. ")
    for text, style in question.stem:
        run = paragraph.add_run(text)
        run.bold, run.italic = style == "b" or None, style == "i" or None
    if question.picture:
        document.add_picture(io.BytesIO(question.picture), width=Cm(3))
        if question.picture_text:
            document.add_paragraph(question.picture_text)
    if question.table:
        _table(document, question.table)
    letters = [chr(ord("A") + i) for i in range(len(question.options))]
    if question.weight_table:
        _table(document, [["Opsi", "Pilihan jawaban", "Bobot"]] + [
            [letter, text, str(question.weights[letter])] for letter, text in zip(letters, question.options)])
    else:
        for letter, text in zip(letters, question.options):
            document.add_paragraph(f"{letter}. {text}")
    if question.key:
        document.add_paragraph(f"Kunci: {question.key}")
    if question.weights and not question.weight_table:
        document.add_paragraph("Bobot: " + ", ".join(f"{k}={v}" for k, v in question.weights.items()))
    if question.explanation:
        document.add_paragraph(f"Pembahasan: {question.explanation}")


def _table(document, rows: list[list[str]]) -> None:  # noqa: ANN001
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for cells, row in zip(rows, table.rows):
        for text, cell in zip(cells, row.cells):
            cell.text = text


def _fix_properties(document) -> None:  # noqa: ANN001
    moment = dt.datetime(*_FIXED_TIME)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "exam-server"
    properties.created = properties.modified = moment
    properties.revision = 1


def _fixed_zip(data: bytes) -> bytes:
    """The same package with fixed member dates, so the same document gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info))
    return out.getvalue()
