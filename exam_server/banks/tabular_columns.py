"""The spreadsheet columns: each field's English and Indonesian header, and which field a header names.

The import, the downloadable template (``exam_server.banks.template``) and
the spreadsheet export all read ``COLUMNS``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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
