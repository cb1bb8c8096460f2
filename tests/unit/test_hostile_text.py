"""Hostile or broken text-format files are refused cleanly (or imported, where harmless); nothing else escapes.

The corpus is in ``hostile/text/``: binary garbage, a 512 KB single line, runs
of unbalanced braces and backslashes, an item with 100,000 options, NUL
bytes, invalid UTF-8, 100,000 blank lines, 20,000 malformed questions, a
CSV with 10,000 columns, a CSV cell of 200,000 characters and CSV cells
that a spreadsheet would run as formulas. Each file is small enough to be
read in well under two seconds; the time taken is recorded with each test
(``--junitxml`` shows it) and never asserted, so a slow machine does not fail.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exam_server.banks.base import BankFormatError
from exam_server.banks.importer import parse_bank

CORPUS = Path(__file__).resolve().parent / "hostile" / "text"

# file: (format, what must happen, words the first problem holds)
EXPECTED = {
    "binary_garbage.gift": ("gift", "refused", "not a GIFT text file"),
    "huge_single_line.gift": ("gift", "imported", ""),
    "unbalanced_braces.gift": ("gift", "refused", "inside the answer block"),
    "hundred_thousand_options.gift": ("gift", "refused", "an item may have at most 26"),
    "nul_bytes.gift": ("gift", "refused", "binary data (NUL bytes)"),
    "invalid_utf8.gift": ("gift", "refused", "not a GIFT text file in UTF-8"),
    "many_blank_lines.gift": ("gift", "imported", ""),
    "many_problems.gift": ("gift", "refused", "no option earns full credit"),
    "answer_spam.txt": ("aiken", "refused", "ANSWER: line without a question"),
    "ten_thousand_columns.csv": ("csv", "refused", "10,000 columns"),
    "huge_cell.csv": ("csv", "refused", "a cell holds more than"),
    "formula_injection.csv": ("csv", "imported", ""),
}


def test_the_corpus_holds_every_file_the_tests_expect():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("guessing", [False, True], ids=["named", "guessed"])
def test_a_hostile_file_is_refused_cleanly_or_imported_harmlessly(name, guessing, record_property):
    fmt, outcome, words = EXPECTED[name]
    data = (CORPUS / name).read_bytes()
    started = time.perf_counter()
    try:
        result = parse_bank(data, name, None if guessing else fmt)
    except BankFormatError as error:
        record_property("seconds", round(time.perf_counter() - started, 3))
        assert outcome == "refused", str(error)
        assert error.problems and words in error.problems[0].reason
        assert len(error.problems) <= 201
    else:
        record_property("seconds", round(time.perf_counter() - started, 3))
        assert outcome == "imported"
        assert result.items


def test_formula_looking_cells_are_imported_as_inert_text():
    result = parse_bank((CORPUS / "formula_injection.csv").read_bytes(), "formula_injection.csv")
    first, second = result.items
    assert first.stem.startswith("=HYPERLINK(") and first.options[0].text.startswith("=cmd|")
    assert second.stem == "&lt;script&gt;alert(1)&lt;/script&gt; Soal?"
    assert second.options[0].text == "&lt;img src=x onerror=alert(1)&gt;"


def test_a_flood_of_problems_is_listed_only_in_part():
    with pytest.raises(BankFormatError) as caught:
        parse_bank((CORPUS / "many_problems.gift").read_bytes(), "many_problems.gift")
    assert caught.value.problems[-1].reason == "... and 19,800 more problems"


# ------------------------------------------------------- fuzzing

TEXT_FORMATS = ["gift", "aiken", "csv", "xlsx"]
GIFT_ALPHABET = st.sampled_from(list("{}~=#:\\%[]->$/\n\t ;\"aB1.") + ["::", "####", "$CATEGORY:", "[html]",
                                                                        "%50%", "%-100%", "{T}", "// "])
AIKEN_ALPHABET = st.sampled_from(["A. ", "B) ", "C.", "ANSWER: ", "ANSWER:A", "\n", "\n\n", "x", "1) ",
                                 "NUMBERING: abc", " ", "Z"])
CSV_ALPHABET = st.sampled_from(["soal", "pilihan_a", "pilihan_b", "kunci", "bobot_a", "tetap", "format", ";", ",",
                                "\t", "\n", '"', "A", "F", "100", "50%", "-", "abc", "html", "=1+1", "sep=;\n"])


def _only_clean_refusals(data: bytes, filename: str, fmt: str | None) -> None:
    try:
        parse_bank(data, filename, fmt)
    except BankFormatError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(TEXT_FORMATS + [None]))
def test_random_bytes_raise_nothing_but_a_refusal(data, fmt):
    _only_clean_refusals(data, "fuzz.dat", fmt)


@settings(max_examples=400, deadline=None)
@given(st.lists(GIFT_ALPHABET, max_size=80).map("".join))
def test_random_gift_like_text_raises_nothing_but_a_refusal(text):
    _only_clean_refusals(text.encode("utf-8"), "fuzz.gift", "gift")


@settings(max_examples=300, deadline=None)
@given(st.lists(AIKEN_ALPHABET, max_size=60).map("".join))
def test_random_aiken_like_text_raises_nothing_but_a_refusal(text):
    _only_clean_refusals(text.encode("utf-8"), "fuzz.txt", "aiken")


@settings(max_examples=300, deadline=None)
@given(st.lists(CSV_ALPHABET, max_size=60).map("".join))
def test_random_csv_like_text_raises_nothing_but_a_refusal(text):
    _only_clean_refusals(text.encode("utf-8"), "fuzz.csv", "csv")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["gift", "aiken", "csv"]))
def test_random_unicode_text_raises_nothing_but_a_refusal(text, fmt):
    _only_clean_refusals(text.encode("utf-8"), f"fuzz.{fmt}", fmt)
