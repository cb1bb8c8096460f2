"""Exporting a bank and importing the export gives back the same items, as far as the format holds them."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_server.banks.export import export_bank, exporters, register_exporter
from exam_server.banks.export.gift import escape
from exam_server.banks.importer import parse_bank
from exam_server.banks.template import template_xlsx
from exam_server.banks.text import safe_html, sanitize
from exam_server.domain.items import Item, Option
from exam_server.errors import BadInput

# ------------------------------------------------------- items as importers make them

_TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t~=#{}:\\%[]<>&\"'")
_FRAGMENTS = st.sampled_from(["", "<b>x</b> ", "<p>para</p>", "a<br>b", "<i>{=}</i>", "&amp; &lt;", "<sub>2</sub>",
                              '<span style="color:red">m</span>', "[html]", "::t::", "// c", "%50%", "->",
                              "\\n", "####", "$CATEGORY: x", "_____"])


@st.composite
def html_text(draw) -> str:
    """Safe HTML as an importer leaves it: plain text made safe, with some markup around it."""
    plain = draw(st.text(_TEXT_CHARACTERS, min_size=1, max_size=40))
    text = sanitize(draw(_FRAGMENTS) + safe_html(plain, "plain") + draw(_FRAGMENTS))
    if not text.strip():
        text = "x" + text
    return sanitize(text)


_WORD = st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_CATEGORY = st.one_of(st.just(""), st.lists(_NAME, min_size=1, max_size=3).map("/".join))
_TITLE = st.one_of(st.just(""), st.text(st.sampled_from("abc XYZ0:~=#{}\\%[]"), min_size=1, max_size=12)
                   .map(lambda t: " ".join(t.split())))
_WEIGHT = st.one_of(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal("-1"), Decimal("-0.25")]),
                    st.integers(-10_000_000, 9_999_999).map(lambda n: Decimal(n).scaleb(-7)))


@st.composite
def multichoice_items(draw) -> Item:
    count = draw(st.integers(2, 7))
    key = draw(st.integers(0, count - 1))
    options = tuple(
        Option(draw(html_text()), Decimal(1) if i == key else draw(_WEIGHT), draw(st.booleans()),
               draw(st.one_of(st.just(""), html_text())))
        for i in range(count))
    return Item(
        stem=draw(html_text()), options=options, category=draw(_CATEGORY), title=draw(_TITLE),
        shuffle_options=draw(st.booleans()), general_feedback=draw(st.one_of(st.just(""), html_text())),
        difficulty=draw(st.one_of(st.just(""), _NAME)), tags=tuple(draw(st.lists(_NAME, max_size=3, unique=True))))


@st.composite
def true_false_items(draw) -> Item:
    is_true = draw(st.booleans())
    feedback = [draw(st.one_of(st.just(""), html_text())) for _ in range(2)]
    options = (Option("True", Decimal(1 if is_true else 0), feedback=feedback[0]),
               Option("False", Decimal(0 if is_true else 1), feedback=feedback[1]))
    return Item(stem=draw(html_text()), options=options, category=draw(_CATEGORY), title=draw(_TITLE),
                kind="truefalse", shuffle_options=False, general_feedback=draw(st.one_of(st.just(""), html_text())))


BANKS = st.lists(st.one_of(multichoice_items(), true_false_items()), min_size=1, max_size=6)


def without_source(items: list[Item]) -> list[Item]:
    return [dataclasses.replace(item, source="") for item in items]


def as_spreadsheet_keeps_them(items: list[Item]) -> list[Item]:
    """What a spreadsheet holds: no option feedback, and no true/false kind."""
    return [dataclasses.replace(item, source="", kind="multichoice",
                                options=tuple(dataclasses.replace(o, feedback="") for o in item.options))
            for item in items]


def round_trip(items: list[Item], fmt: str) -> list[Item]:
    result = parse_bank(export_bank(items, {}, fmt), f"export.{fmt}", fmt)
    assert result.skipped == []
    return result.items


# ------------------------------------------------------- round trips


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BANKS)
def test_gift_export_imports_back_to_the_same_items(items):
    assert without_source(round_trip(items, "gift")) == without_source(items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(BANKS)
def test_xlsx_export_imports_back_to_the_same_items(items):
    assert as_spreadsheet_keeps_them(round_trip(items, "xlsx")) == as_spreadsheet_keeps_them(items)


SAMPLE_LIKE = [
    Item(stem="Pancasila sebagai dasar negara disahkan pada tanggal ...",
         options=(Option("1 Juni 1945", Decimal(0)), Option("22 Juni 1945", Decimal(0)),
                  Option("18 Agustus 1945", Decimal(1), feedback="PPKI, 18 Agustus 1945"),
                  Option("Semua salah", Decimal(0), fixed=True)),
         category="TWK", title="TWK-001", general_feedback="Sidang PPKI pertama.", difficulty="mudah",
         tags=("pancasila", "sejarah")),
    Item(stem="Rekan kerja meminta bantuan saat tugas Anda mendesak. Sikap Anda ...",
         options=tuple(Option(text, Decimal(w)) for text, w in
                       (("Menolak", "0.2"), ("Membantu nanti", "1"), ("Mengabaikan", "0"),
                        ("Melapor atasan", "0.4"), ("Membantu sambil bekerja", "0.8"))),
         category="TKP", title="TKP-001"),
    Item(stem="2 + 2 = 4 {benar}: <b>pernyataan</b> ini ...",
         options=(Option("True", Decimal(1), feedback="Ya"), Option("False", Decimal(0), feedback="Hitung lagi")),
         category="TIU/Numerik", kind="truefalse", shuffle_options=False),
]


@pytest.mark.parametrize("fmt", ["gift", "xlsx"])
def test_sample_like_items_survive_a_round_trip(fmt):
    back = round_trip(SAMPLE_LIKE, fmt)
    expected = without_source(SAMPLE_LIKE) if fmt == "gift" else as_spreadsheet_keeps_them(SAMPLE_LIKE)
    got = without_source(back) if fmt == "gift" else as_spreadsheet_keeps_them(back)
    assert got == expected


def test_imported_files_survive_export_and_import_again():
    template = parse_bank(template_xlsx(), "template.xlsx").items
    assert without_source(round_trip(template, "gift")) == without_source(template)


# ------------------------------------------------------- what the GIFT text looks like


def test_gift_export_escapes_special_characters_and_keeps_one_question_per_block():
    text = export_bank(SAMPLE_LIKE, {}, "gift").decode()
    assert "$CATEGORY: $course$/top/TWK" in text and "$CATEGORY: $course$/top/TIU/Numerik" in text
    assert "::TWK-001::[html]Pancasila" in text
    assert "\t=[html]18 Agustus 1945#[html]PPKI, 18 Agustus 1945" in text
    assert "\t~%20%[html]Menolak" in text
    assert "// [fixed:D]" in text and "// [tag:pancasila]" in text
    assert "[html]2 + 2 \\= 4 \\{benar\\}\\: <b>pernyataan</b> ini ...{TRUE#[html]Hitung lagi#[html]Ya}" in text


def test_escape_writes_every_control_character_and_line_break():
    assert escape("a\\b~c=d#e{f}g:h\ni") == "a\\\\b\\~c\\=d\\#e\\{f\\}g\\:h\\ni"


# ------------------------------------------------------- the registry


def test_exporters_are_found_by_name_with_their_file_details():
    found = exporters()
    assert {"gift", "xlsx"} <= set(found)
    assert found["gift"].extension == ".gift" and found["gift"].media_type.startswith("text/plain")
    assert found["xlsx"].extension == ".xlsx"


def test_an_unknown_export_format_is_refused_listing_the_known_ones():
    with pytest.raises(BadInput, match="unknown export format 'pdf'; known formats: .*gift.*xlsx"):
        export_bank(SAMPLE_LIKE, {}, "pdf")


def test_a_new_exporter_registers_with_the_decorator():
    @register_exporter("test-names", extension=".txt", media_type="text/plain")
    def names(items, assets):
        return "\n".join(item.title for item in items).encode()

    assert export_bank(SAMPLE_LIKE, None, "test-names") == b"TWK-001\nTKP-001\n"
    assert exporters()["test-names"].extension == ".txt"
