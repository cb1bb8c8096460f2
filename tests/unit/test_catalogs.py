"""The text catalogs: every text the server can show has Indonesian and English, and the code has no text
the catalogs miss (extracted the way `scripts/i18n update` does)."""
from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from exam_server import i18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "translate": None, "N_": None, "NC_": ((1, "c"), 2)}


def po(locale: str):
    with (i18n.CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def entries(catalog) -> set[tuple]:
    return {(m.context, m.id) for m in catalog if m.id}


def texts_in_source() -> set[tuple]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_every_text_has_a_non_empty_indonesian_and_english_translation():
    for locale in i18n.LOCALES:
        empty = [m.id for m in po(locale) if m.id and not (m.string or "").strip()]
        fuzzy = [m.id for m in po(locale) if m.id and m.fuzzy]
        assert (empty, fuzzy) == ([], []), locale


def test_both_catalogs_hold_the_same_texts():
    assert entries(po("id")) == entries(po("en"))


def test_the_code_has_no_text_the_catalogs_miss():
    source = texts_in_source()
    assert len(source) > 200  # the extraction found the templates and the code
    assert sorted(source - entries(po("id")), key=str) == []


def test_the_compiled_catalogs_match_their_sources():
    """The server reads the .mo files: a .po edited without `scripts/i18n compile` would not show."""
    for locale in i18n.LOCALES:
        with (i18n.CATALOGS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
            compiled = {(m.context, m.id): m.string for m in read_mo(handle) if m.id}
        assert compiled == {(m.context, m.id): m.string for m in po(locale) if m.id}, locale


def test_placeholders_survive_translation():
    """A {name} the English drops or renames would fail when the text is filled in."""
    fields = re.compile(r"\{[^{}]*\}")
    for message in po("en"):
        if message.id:
            assert sorted(fields.findall(message.id)) == sorted(fields.findall(message.string)), message.id


def test_keyed_tables_of_the_kiosk_and_consoles_are_complete_in_both_languages():
    from exam_server.i18n.tables import TABLES

    for table, keys in TABLES.items():
        for locale in i18n.LOCALES:
            texts = i18n.keyed(table, locale)
            assert set(texts) == set(keys) and all(text.strip() for text in texts.values()), (table, locale)
    assert i18n.keyed("kiosk", "en")["login_title"] != i18n.keyed("kiosk", "id")["login_title"]


def test_numbers_dates_and_times_read_as_in_the_office():
    from exam_server.i18n.formatting import Formatter

    moment = "2026-12-07T07:02:00Z"
    assert Formatter("id", "WIB").number("87.5") == "87,50"
    assert Formatter("en", "WIB").number("87.5") == "87.50"
    assert Formatter("id", "WIB").datetime(moment) == "7 Desember 2026 14.02 WIB"
    assert Formatter("id", "WITA").time(moment) == "15.02 WITA"
    assert Formatter("id", "WIT").time(moment) == "16.02 WIT"
    assert Formatter("en", "WIB").date(moment) == "December 7, 2026"
    assert Formatter("id").datetime(None) == "–"


def test_server_errors_read_in_the_visitors_language():
    from exam_server.i18n.errors import message

    refused = "broken.gift was refused, nothing was imported:\n  broken.gift:3: no answer"
    assert message(refused, "id").startswith("broken.gift ditolak; tidak ada yang diimpor\n")
    assert message(refused, "en").startswith("broken.gift was refused; nothing was imported\n")
    unknown = "x.txt: cannot tell which format this file is in; known formats: aiken, gift (name one with --format)"
    assert "--format" not in message(unknown, "id") and "aiken, gift" in message(unknown, "id")
    assert message("something new", "id") == "something new"  # shown as it is rather than hidden
