"""parse_bank: refuses what no format should see, finds the format, and looks across the whole file."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.banks import importer
from exam_server.banks.base import BankFormatError, ParseResult
from exam_server.banks.importer import clean_text, decode_text, guess_format, parse_bank, report
from exam_server.banks.text import safe_html

GIFT_BANK = b"$CATEGORY: TWK\n\nQ1?{=a ~b}\n\nQ2?{=c ~d}\n\n$CATEGORY: TIU\n\nQ3?{T}\n\nEssay.{}\n"
AIKEN_BANK = b"Q?\nA. a\nB. b\nANSWER: A\n"
CSV_BANK = b"soal;pilihan_a;pilihan_b;kunci\nQ;a;b;A\n"


def problems(data: bytes, filename: str = "bank.gift", fmt: str | None = None, **options) -> list[str]:
    with pytest.raises(BankFormatError) as caught:
        parse_bank(data, filename, fmt, **options)
    return [str(problem) for problem in caught.value.problems]


# ------------------------------------------------------- refused before parsing


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(importer, "MAX_BANK_BYTES", 100)
    assert problems(b"Q?{T}\n" * 20) == ["bank.gift: the file is 120 bytes, more than the 100 bytes a bank may be"]
    assert importer.MAX_BANK_BYTES == 100


def test_the_real_size_limit_is_64_mib():
    assert importer.MAX_BANK_BYTES == 64 * 1024 * 1024


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t", b"\xef\xbb\xbf\n"])
def test_an_empty_file_is_refused(data):
    assert problems(data) == ["bank.gift: the file is empty"]


@pytest.mark.parametrize("fmt, label", [("gift", "a GIFT"), ("aiken", "an Aiken"), ("csv", "a CSV")])
def test_binary_data_in_a_text_format_is_refused_naming_the_format(fmt, label):
    [problem] = problems(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "upload.bin", fmt)
    assert problem == f"upload.bin:3: this is not {label} text file: it holds binary data (NUL bytes)"


def test_undecodable_text_is_refused_with_its_line():
    assert problems(b"Q1?{T}\n\nQ2 \xc3\x28?{F}", "bank.gift") == [
        "bank.gift:3: this is not a GIFT text file in UTF-8 (byte 0xc3 cannot be read); save it as UTF-8 text"]


def test_utf16_text_with_a_byte_order_mark_is_read():
    data = "\ufeffQ?{=Jakarta ~Bandung}\r\n".encode("utf-16-le")
    assert parse_bank(data, "bank.gift").items[0].stem == "Q?"


def test_decode_text_normalises_line_ends():
    assert decode_text(b"a\r\nb\rc\n", "x.txt", "GIFT") == "a\nb\nc\n"


def test_folders_are_left_out_of_locations():
    assert problems(b"Q?{~a ~b}", "C:\\Users\\guru\\bank.gift")[0].startswith("bank.gift:1:")
    assert parse_bank(b"Q?{T}", "/srv/uploads/tkp.gift").items[0].source == "tkp.gift:1"


# ------------------------------------------------------- finding the format


@pytest.mark.parametrize("data, filename, expected", [
    (GIFT_BANK, "bank.gift", "gift"),
    (GIFT_BANK, "bank.txt", "gift"),
    (b"::Q1:: Soal {=a ~b}", "upload", "gift"),
    (AIKEN_BANK, "bank.txt", "aiken"),
    (AIKEN_BANK, "soal", "aiken"),
    (CSV_BANK, "bank.csv", "csv"),
    (CSV_BANK, "export", "csv"),
])
def test_the_format_is_guessed_from_name_and_content(data, filename, expected):
    assert guess_format(data, filename) == expected


def test_an_unrecognisable_file_is_refused_listing_the_known_formats():
    [problem] = problems(b"just some words\nnothing more\n", "notes.dat")
    assert problem.startswith("notes.dat: cannot tell which format this file is in; known formats: ")
    assert all(name in problem for name in ("aiken", "csv", "gift", "xlsx"))
    assert problem.endswith("(name one with --format)")


def test_an_unknown_format_name_is_refused_listing_the_known_names():
    [problem] = problems(GIFT_BANK, "bank.gift", "pdf")
    assert problem.startswith("bank.gift: unknown format 'pdf'; known formats: aiken, csv, docx, gift")


def test_a_named_format_wins_over_the_file_name():
    assert len(parse_bank(AIKEN_BANK, "bank.gift", "aiken").items) == 1
    assert len(parse_bank(AIKEN_BANK, "bank.gift", " AIKEN ").items) == 1


# ------------------------------------------------------- after parsing


def test_strict_refuses_a_file_with_skipped_items():
    assert len(parse_bank(GIFT_BANK, "bank.gift").skipped) == 1
    assert problems(GIFT_BANK, "bank.gift", strict=True) == [
        "bank.gift:11: Essay.: essay (written answer): only single-answer multiple choice and true/false "
        "are delivered (refused: strict import)"]


def test_a_question_text_seen_twice_is_a_warning_naming_both():
    data = b"Ibu kota?{=Jakarta ~Bandung}\n\n<b>Ibu</b>   KOTA?{=Jakarta ~Medan}\n\n[html]Ibu <i>kota</i>?{T}\n"
    result = parse_bank(data, "bank.gift")
    assert len(result.items) == 3
    assert result.warnings == ["bank.gift:3: same question text as bank.gift:1",
                               "bank.gift:5: same question text as bank.gift:1"]


def test_identical_options_in_one_item_are_a_warning():
    result = parse_bank(b"Q?{=Jakarta ~Bandung ~ jakarta ~Bandung}", "bank.gift")
    assert result.warnings == ["bank.gift:1: options A and C have the same text",
                               "bank.gift:1: options B and D have the same text"]


def test_warnings_of_one_kind_are_capped():
    data = "\n\n".join("Sama?{=a ~b}" for _ in range(300)).encode()
    warnings = parse_bank(data, "bank.gift").warnings
    assert len(warnings) == 201 and warnings[-1] == "... and 99 more repeated question texts"


def test_progress_is_reported_to_the_end():
    calls = []
    parse_bank(GIFT_BANK, "bank.gift", progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]


def test_the_report_has_the_shape_of_the_import_command_output():
    result = parse_bank(GIFT_BANK + b"\n\nQ1?{=x ~y}\n", "bank.gift")
    assert report(result) == {
        "imported": 4,
        "categories": {"TIU": 2, "TWK": 2},
        "skipped": [{"item": "Essay.", "line": "11", "reason": "essay (written answer): only single-answer "
                                                               "multiple choice and true/false are delivered"}],
        "warnings": ["bank.gift:14: same question text as bank.gift:3"],
    }
    assert report(ParseResult()) == {"imported": 0, "categories": {}, "skipped": [], "warnings": []}


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv", "xlsx"])
def test_progress_is_told_in_bytes_of_the_file_whatever_the_format(fmt):
    from exam_server.banks.export import export_bank

    items = parse_bank(b"\n\n".join(b"Q%d?{=a ~b}" % i for i in range(6_000)), "many.gift").items
    if fmt == "aiken":
        data = b"\n".join(b"Q%d?\nA. a\nB. b\nANSWER: A\n" % i for i in range(6_000))
    elif fmt == "csv":
        data = b"soal;pilihan_a;pilihan_b;kunci\n" + b"".join(b"Q%d;a;b;A\n" % i for i in range(6_000))
    else:
        data = export_bank(items, {}, fmt)
    calls = []
    parse_bank(data, f"bank.{fmt}", fmt, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 2
    assert all(total == len(data) and 0 <= done <= total for done, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (len(data), len(data))


_ANY_CHARACTER = st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from("\x00\r\xa0<>&\n\u2028"))


@given(st.text(_ANY_CHARACTER, max_size=60), st.sampled_from(["moodle", "html", "plain", "markdown"]))
def test_the_fast_text_cleaner_gives_what_the_sanitiser_gives(text, text_format):
    assert clean_text(text, text_format) == safe_html(text, text_format)
