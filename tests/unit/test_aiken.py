"""Aiken: a question, lettered options and ANSWER: become an item; anything else is located and refused."""
from __future__ import annotations

from pathlib import Path

import pytest

from exam_server.banks.base import BankFormatError, formats
from exam_server.banks.formats.aiken import AikenFormat
from tests.conftest import FIXTURES

AIKEN = AikenFormat()


def parse(text: str, name: str = "bank.txt"):
    return AIKEN.parse(text.encode("utf-8"), name)


def refusal(text: str, name: str = "bank.txt") -> list[str]:
    with pytest.raises(BankFormatError) as caught:
        AIKEN.parse(text.encode("utf-8"), name)
    return [str(problem) for problem in caught.value.problems]


def fixture(relative: str) -> bytes:
    return (FIXTURES / "aiken" / relative).read_bytes()


SAMPLE = """Pancasila sebagai dasar negara disahkan pada tanggal ...
A. 1 Juni 1945
B. 22 Juni 1945
C) 18 Agustus 1945
ANSWER: C

Sila keempat Pancasila berbunyi ...
A. Ketuhanan Yang Maha Esa
B. Kerakyatan yang dipimpin oleh hikmat kebijaksanaan
   dalam permusyawaratan/perwakilan
"""


def test_questions_become_items_with_the_key_weighing_one():
    result = parse(SAMPLE.split("\n\n")[0])
    [item] = result.items
    assert item.stem == "Pancasila sebagai dasar negara disahkan pada tanggal ..."
    assert [o.text for o in item.options] == ["1 Juni 1945", "22 Juni 1945", "18 Agustus 1945"]
    assert [o.weight for o in item.options] == [0, 0, 1]
    assert item.kind == "multichoice" and item.source == "bank.txt:1"


def test_the_question_text_may_span_lines_and_is_plain_text():
    [item] = parse("Read this:\n<b>x</b> & y\nWhat is it?\nA) one\nB) two\nANSWER: b\n").items
    assert item.stem == "Read this:<br>&lt;b&gt;x&lt;/b&gt; &amp; y<br>What is it?"
    assert [o.weight for o in item.options] == [0, 1]


def test_questions_need_no_blank_line_between_them():
    result = parse("Q1?\nA. a\nB. b\nANSWER: A\nQ2?\nA. c\nB. d\nANSWER: B")
    assert [item.source for item in result.items] == ["bank.txt:1", "bank.txt:5"]


def test_crlf_and_byte_order_mark_are_tolerated():
    data = "\ufeffQ?\r\nA. a\r\nB. b\r\nANSWER: A\r\n".encode("utf-8")
    assert len(AIKEN.parse(data, "win.txt").items) == 1


def test_several_letters_in_answer_make_a_skipped_multiple_response_item():
    result = parse("Which two?\nA. a\nB. b\nC. c\nANSWER: A, C\n")
    assert result.items == []
    assert "multiple response" in result.skipped[0].reason and result.skipped[0].line == "1"


def test_an_option_line_continued_on_the_next_line_is_located():
    assert refusal(SAMPLE) == [
        'bank.txt:10: expected option C (like "C. text") or the key line (like "ANSWER: A")']


@pytest.mark.parametrize("text, problem", [
    ("Q?\nA. a\nB. b\nANSWER: E", 'bank.txt:4: ANSWER: "E" names no option (options are A-B)'),
    ("Q?\nA. a\nB. b\nANSWER: maybe", 'bank.txt:4: ANSWER must name one option by its letter (A-B), not "MAYBE"'),
    ("Q?\nA. a\nC. b\nANSWER: A", "bank.txt:3: option C where option B was expected"),
    ("Q?\nA. a\nB.\nANSWER: A", "bank.txt:3: option B is empty"),
    ("Q?\nA. a\nANSWER: A", "bank.txt:1: a question needs at least 2 options"),
    ("Q?\nA. a\nB. b\n\nNext?\nA. c\nB. d\nANSWER: A",
     "bank.txt:1: the question is not finished: no ANSWER: line after its options"),
    ("Q?\nANSWER: A", "bank.txt:2: an ANSWER: line before any option"),
    ("ANSWER: A", "bank.txt:1: an ANSWER: line without a question before it"),
    ("A. a\nB. b\nANSWER: A", "bank.txt:1: an option line before any question text"),
    ("Q?\n1) a\n2) b\nANSWER: A", "bank.txt:2: option labels must be letters (A. or A)), not numbers"),
    ("Just text\n\nQ?\nA. a\nB. b\nANSWER: A", "bank.txt:1: the question has no options"),
])
def test_malformed_questions_are_located(text, problem):
    [found] = refusal(text)
    assert found.startswith(problem)


def test_binary_input_is_refused_naming_the_format():
    with pytest.raises(BankFormatError, match="not an Aiken text file"):
        AIKEN.parse(b"Q?\x00\nA. a\n", "bank.txt")


def test_the_format_is_registered_and_sniffs_aiken_content():
    assert isinstance(formats()["aiken"], AikenFormat)
    assert AIKEN.sniff(b"Q?\nA. a\nB. b\nANSWER: A\n", "bank.txt") == 70
    assert AIKEN.sniff(b"anything", "bank.aiken") == 90
    assert AIKEN.sniff(b"::Q:: x {=a ~b}", "bank.txt") == 0


# ------------------------------------------------------- real files


def test_moodle_questions_import_with_html_escaped():
    result = AIKEN.parse(fixture("moodle/questions.aiken.txt"), "questions.aiken.txt")
    assert len(result.items) == 2
    first, second = result.items
    assert [o.weight for o in first.options] == [0, 1, 0, 0]
    assert "&lt;html class=\"cool\"&gt; &amp; images" in second.stem


def test_moodle_error_file_is_refused_with_every_problem_located():
    with pytest.raises(BankFormatError) as caught:
        AIKEN.parse(fixture("moodle/aiken_errors.txt"), "aiken_errors.txt")
    assert [str(p) for p in caught.value.problems] == [
        "aiken_errors.txt:1: a question needs at least 2 options",
        "aiken_errors.txt:5: an option line before any question text",
        "aiken_errors.txt:7: an ANSWER: line without a question before it",
        "aiken_errors.txt:14: the question is not finished: no ANSWER: line after its options",
    ]


def test_options_without_a_space_after_the_label_are_read_when_due():
    text = fixture("moodle/aiken_errors.txt").decode().split("\n\n")[-1]
    [item] = parse(text).items
    assert [o.text for o in item.options] == ["Incorrect (No space)", "Correct (No space)"]
    assert [o.weight for o in item.options] == [0, 1]


def test_a_file_of_five_real_questions_imports_and_warns_about_identical_options():
    from exam_server.banks.importer import parse_bank

    result = parse_bank(fixture("qas-editor/aiken_1.txt"), "aiken_1.txt")
    assert len(result.items) == 5
    assert [o.text for o in result.items[0].options][1] == "-2.0"
    assert result.warnings == ["aiken_1.txt:27: options A, B, C and D have the same text"]


def test_the_aikenadv_variant_is_refused_where_it_leaves_the_standard():
    with pytest.raises(BankFormatError) as caught:
        AIKEN.parse(fixture("aikenadv/aiken_hebrew_english_sample.txt"), "sample.txt")
    assert [str(p) for p in caught.value.problems] == [
        "sample.txt:20: option labels must be letters (A. or A)), not numbers"]


def test_the_standard_part_of_the_aikenadv_variant_imports_and_numbering_is_ignored():
    standard = fixture("aikenadv/aiken_hebrew_english_sample.txt").decode().split("\n\n")[:2]
    result = parse("\n\n".join(standard))
    assert [len(item.options) for item in result.items] == [4, 6]
    assert [[o.weight for o in item.options].index(1) for item in result.items] == [3, 0]
    assert result.warnings == ["bank.txt:6: NUMBERING: lines are not Aiken (an extension of another importer) "
                               "and were ignored"]


def test_the_example_in_the_documentation_imports_as_described():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats" / "aiken.md").read_text("utf-8")
    example = doc.split("## A short example", 1)[1].split("```", 2)[1]
    first, second = parse(example).items
    assert [o.weight for o in first.options].index(1) == 2
    assert second.stem == "Perhatikan deret berikut:<br>2, 4, 8, 16, ...<br>Bilangan berikutnya adalah ..."
