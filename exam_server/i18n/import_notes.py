"""The skip reasons and warnings of a bank import, in the reader's language, for the admin pages.

The readers in ``exam_server.banks`` write their line-by-line notes in English,
and the command line's ``--json`` keeps them so. A page shows each note through
this table: every known English phrase is replaced by its sentence from the
catalogs, and what comes before it (the file, line or question) is kept. A
note no pattern knows is shown as written.
"""
from __future__ import annotations

import re

from exam_server.i18n import N_, translate

_NOTES = [
    (r"options ([A-Z](?:, [A-Z])+) all earn full credit", N_("opsi {0} semuanya bernilai penuh")),
    (r"the picture (\S+) is not in this file \(an export from another server; "
     r"export the bank again so that it carries its pictures\)",
     N_("gambar {0} tidak ada di berkas ini (ekspor dari server lain; ekspor ulang bank soalnya agar membawa "
        "gambarnya)")),
    (r"the image (\S+) is not inside the file \(only embedded images can be stored\)",
     N_("gambar {0} tidak ada di dalam berkas (hanya gambar yang tertanam yang dapat disimpan)")),
    (r"the image (\S+) is not inside the file \(no <image_base64>\)",
     N_("gambar {0} tidak ada di dalam berkas (tanpa <image_base64>)")),
    (r"the image (\S+) is not in this file: .*", N_("gambar {0} tidak ada di berkas ini")),
    (r"essay \(written answer\): only single-answer multiple choice and true/false are delivered",
     N_("soal esai (jawaban tertulis) tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah yang disajikan")),
    (r"numerical question: only single-answer multiple choice and true/false are delivered",
     N_("soal numerik tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah yang disajikan")),
    (r"matching question: only single-answer multiple choice and true/false are delivered",
     N_("soal menjodohkan tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah yang disajikan")),
    (r"short answer \(typed answer\): only single-answer multiple choice and true/false are delivered",
     N_("soal isian singkat (jawaban diketik) tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah "
        "yang disajikan")),
    (r"description \(text without a question\): only single-answer multiple choice and true/false are delivered",
     N_("deskripsi (teks tanpa soal) tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah yang "
        "disajikan")),
    (r"multiple response \(several options share the credit\)",
     N_("jawaban ganda (nilai dibagi beberapa opsi) tidak disajikan")),
    (r"(\w+) questions are not delivered: only single-answer multiple choice and true/false are",
     N_("soal {0} tidak disajikan: hanya pilihan ganda satu jawaban dan benar/salah yang disajikan")),
    (r"multiple response \(<single>false</single>\): only single-answer questions are delivered",
     N_("jawaban ganda (<single>false</single>) tidak disajikan: hanya soal satu jawaban yang disajikan")),
    (r"no option earns full credit: mark the key with = or %100%",
     N_("tidak ada opsi yang bernilai penuh: tandai kuncinya dengan = atau %100%")),
]
_COMPILED = [(re.compile(pattern), text) for pattern, text in _NOTES]


def note(text: str, locale: str | None = None) -> str:
    """One skip reason or warning of an import report in ``locale``; the place it names stays as written."""
    text = str(text or "")
    for pattern, words in _COMPILED:
        found = pattern.search(text)
        if found:
            return text[:found.start()] + translate(words, locale).format(*found.groups()) + text[found.end():]
    return text
