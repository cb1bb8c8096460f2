"""GIFT: multiple choice and true/false come in, other question types are skipped, errors are located."""
from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest

from exam_server.banks.base import BankFormatError, Skipped, formats
from exam_server.banks.formats.gift import GiftFormat
from exam_server.banks.importer import parse_bank
from exam_server.banks.text import to_plain
from exam_server.domain.items import Item
from tests.conftest import FIXTURES, HANDMADE

UPSTREAM = FIXTURES / "gift" / "fuhrmanator-gift-grammar"
GIFT = GiftFormat()


def fixture_params(pattern: str, folder: Path = FIXTURES / "gift") -> list:
    files = sorted(folder.glob(pattern))
    assert files, f"no {pattern} under {folder}"
    return [pytest.param(path, id=str(path.relative_to(FIXTURES))) for path in files]


def parse(text: str, name: str = "bank.gift"):
    return GIFT.parse(text.encode("utf-8"), name)


def refusal(text: str | bytes, name: str = "bank.gift") -> BankFormatError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(BankFormatError) as caught:
        GIFT.parse(data, name)
    return caught.value


def reasons(error: BankFormatError) -> list[str]:
    return [str(problem) for problem in error.problems]


def weights(item: Item) -> list[Decimal]:
    return [option.weight for option in item.options]


# ------------------------------------------------------- multiple choice


def test_a_multiple_choice_item_keeps_its_options_key_and_feedback():
    result = parse("::Q1:: Ibu kota Indonesia?{=Jakarta#Benar ~Bandung#Bukan ~Surabaya}")
    [item] = result.items
    assert item.title == "Q1"
    assert item.stem == "Ibu kota Indonesia?"
    assert [o.text for o in item.options] == ["Jakarta", "Bandung", "Surabaya"]
    assert weights(item) == [1, 0, 0]
    assert [o.feedback for o in item.options] == ["Benar", "Bukan", ""]
    assert item.kind == "multichoice" and item.shuffle_options
    assert item.source == "bank.gift:1"


def test_percent_weights_become_fractions_with_decimals_kept_exactly():
    text = "Pilih {=%100%a ~%50%b ~%-100%c ~%33.33333%d ~%-25%e ~%0%f}"
    assert weights(parse(text).items[0]) == [1, Decimal("0.5"), -1, Decimal("0.3333333"), Decimal("-0.25"), 0]


def test_answers_may_spread_over_lines_with_tabs_and_multi_line_feedback():
    text = ("What is it?{\n\t~wrong#feedback on\ntwo lines\n\t=right#Very good!\n"
            "####General feedback\non two lines}")
    [item] = parse(text).items
    assert [o.text for o in item.options] == ["wrong", "right"]
    assert item.options[0].feedback == "feedback on<br>two lines"
    assert item.general_feedback == "General feedback<br>on two lines"


def test_an_answer_block_inside_the_text_leaves_a_blank():
    [item] = parse("Grant is {~buried =entombed ~living} in Grant's tomb.").items
    assert item.stem == "Grant is _____ in Grant's tomb."


def test_escaped_control_characters_are_plain_text():
    text = r"Which is \{not\} special\: \~ \= \# \\ ?{=a \= b ~c\#d ~\\n \n x}"
    [item] = parse(text).items
    assert item.stem == r"Which is {not} special: ~ = # \ ?"
    assert [o.text for o in item.options] == ["a = b", "c#d", r"\n<br>x"]


def test_text_formats_are_honoured_and_html_is_made_safe():
    text = ("[html]<p onclick='x()'>Pilih <b>satu</b></p><script>alert(1)</script>{\n"
            "=[plain]<b>kurang dari</b>\n~[markdown]**tebal**\n~biasa<br>}")
    [item] = parse(text).items
    assert item.stem == "<p>Pilih <b>satu</b></p>"
    assert [o.text for o in item.options] == ["&lt;b&gt;kurang dari&lt;/b&gt;", "<p><strong>tebal</strong></p>",
                                              "biasa<br>"]


def test_a_category_line_sets_the_category_of_the_questions_after_it():
    text = ("$CATEGORY: $course$/top/TWK\n\nA?{=a ~b}\n\n$CATEGORY: TWK/Pancasila\n\nB?{=a ~b}\n\n"
            "$CATEGORY: $course$/Default for New Features\nC?{=a ~b}")
    assert [item.category for item in parse(text).items] == ["TWK", "TWK/Pancasila", "Default for New Features"]
    glued = parse("A?{=a ~b}\n$CATEGORY: TIU\nB?{=a ~b}").items
    assert [(item.stem, item.category) for item in glued] == [("A?", ""), ("B?", "TIU")]


def test_comment_lines_are_ignored_but_moodle_tags_and_our_notes_are_read():
    text = ("// [id:Q-7] [tag:pancasila]\n// [tag:sila 1] [difficulty:0.4] [fixed:D] [shuffle:no]\n"
            "A?{=a ~b ~c ~semua benar}\n// a comment after the question\n")
    [item] = parse(text).items
    assert item.tags == ("pancasila", "sila 1")
    assert item.difficulty == "0.4"
    assert [o.fixed for o in item.options] == [False, False, False, True]
    assert not item.shuffle_options
    assert item.extra == {"idnumber": "Q-7"}


def test_byte_order_mark_crlf_and_tabs_are_tolerated():
    data = "\ufeff::Q::\tSoal?{\r\n\t=ya\r\n\t~tidak\r\n}\r\n\r\n::R:: Lagi?{T}\r\n".encode("utf-8")
    result = GIFT.parse(data, "windows.gift")
    assert [item.title for item in result.items] == ["Q", "R"]
    assert result.items[1].source == "windows.gift:6"


def test_several_full_credit_options_are_kept_with_a_warning():
    result = parse("Seasons?{=spring =summer ~easter}")
    assert weights(result.items[0]) == [1, 1, 0]
    assert result.warnings == ["bank.gift:1: options A, B all earn full credit"]


# ------------------------------------------------------- true/false


@pytest.mark.parametrize("answer, is_true", [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)])
def test_true_false_items_have_two_fixed_options(answer, is_true):
    [item] = parse(f"The sun rises in the east.{{{answer}}}").items
    assert item.kind == "truefalse" and not item.shuffle_options
    assert [o.text for o in item.options] == ["True", "False"]
    assert weights(item) == ([1, 0] if is_true else [0, 1])


def test_true_false_feedback_is_for_the_wrong_answer_then_the_right_one():
    # As Moodle reads it: {TRUE#shown to who answers false#shown to who answers true}.
    [item] = parse("Pancasila has five principles.{TRUE#Count again.#Well done.####Five sila.}").items
    true, false = item.options
    assert (true.feedback, false.feedback) == ("Well done.", "Count again.")
    assert item.general_feedback == "Five sila."


# ------------------------------------------------------- skipped, not delivered


@pytest.mark.parametrize("text, kind", [
    ("Write an essay.{}", "essay"),
    ("Just some instructions.", "description"),
    ("Who's buried in Grant's tomb?{=no one =nobody}", "short answer"),
    ("When was Grant born?{#1822:5}", "numerical"),
    ("Match.{=Canada -> Ottawa =Italy -> Rome}", "matching"),
    ("Which two?{~%50%Grant ~%50%Grant's wife ~%-100%No one}", "multiple response"),
])
def test_well_formed_items_of_other_types_are_skipped_with_a_reason(text, kind):
    result = parse("::Named:: " + text)
    assert result.items == []
    [skipped] = result.skipped
    assert skipped.item == "Named" and skipped.line == "1"
    assert kind in skipped.reason


def test_a_skipped_item_without_title_is_named_by_its_first_words():
    [skipped] = parse("\n\nDescribe <b>the</b> structure of the state in a few words, please.{}").skipped
    assert skipped.item == "Describe the structure of the state in a few words,"
    assert skipped.line == "3"


# ------------------------------------------------------- malformed input


@pytest.mark.parametrize("text, reason", [
    ("Q?{=a ~b", "never closed"),
    ("Q?{~a ~b ~c}", "no option earns full credit"),
    ("Q?{~%abc%a =b}", "weight %abc% is not a number"),
    ("Q?{~%150%a =b}", "weight 150% is outside -100% to 100%"),
    ("Q?{~%50 a =b}", "is not a number"),
    ("Q?{=a ~ #only feedback}", "the answer after ~ is empty"),
    ("Q?{=a ~}", "the answer after ~ is empty"),
    ("Q?{~a}", "needs at least 2 options"),
    ("Q?{=a {~b}}", "{ inside the answer block"),
    ("Q} early?{=a ~b}", "} without a {"),
    ("Q?{=a ~b} and {=c ~d}", "a second answer block"),
    ("::Title Q?{=a ~b}", "title opened with :: is not closed"),
    ("Q?{stray =a ~b}", "before the first answer"),
    ("// [fixed:F]\nQ?{=a ~b}", "names no option 'F'"),
])
def test_malformed_questions_are_refused_with_their_line(text, reason):
    error = refusal("// leading comment\n\n" + text)
    [problem] = error.problems
    assert problem.where == f"bank.gift:{3 + text.count(chr(10))}"
    assert reason in problem.reason


def test_every_problem_of_a_file_is_reported_at_once_and_nothing_is_imported():
    text = "Good?{=a ~b}\n\nBad one?{~a ~b}\n\nGood?{T}\n\nBad two?{=a ~%x%b}\n\nUnclosed?{=a\n~b\n"
    error = refusal(text)
    assert [p.where for p in error.problems] == ["bank.gift:3", "bank.gift:7", "bank.gift:9"]
    assert "bank.gift was refused, nothing was imported" in error.message


def test_a_blank_line_inside_an_answer_block_ends_the_question_like_in_moodle():
    error = refusal("Q?{\n=a\n\n~b\n}")
    assert [p.where for p in error.problems] == ["bank.gift:1", "bank.gift:5"]


def test_a_flood_of_problems_is_cut_short_but_counted():
    error = refusal("\n\n".join("Q?{~a ~b}" for _ in range(500)))
    assert len(error.problems) == 201
    assert error.problems[-1].reason == "... and 300 more problems"


def test_an_item_with_more_options_than_letters_is_refused():
    text = "Q?{=a " + " ".join(f"~o{i}" for i in range(30)) + "}"
    assert "an item may have at most 26" in reasons(refusal(text))[0]


def test_stray_php_quote_after_an_answer_block_is_ignored_with_a_warning():
    result = parse('::Q5:: Is it?{T}";')
    assert result.items[0].stem == "Is it?"
    assert result.warnings == ["bank.gift:1: stray '\";' after the answer block ignored"]


def test_binary_or_non_utf8_input_is_refused_naming_the_format():
    assert "not a GIFT text file" in reasons(refusal(b"Q?{=a ~b}\x00\x01"))[0]
    assert reasons(refusal(b"Q?{=a ~b}\n\nQ2 \xff\xfe?{T}")) == [
        "bank.gift:3: this is not a GIFT text file in UTF-8 (byte 0xff cannot be read); save it as UTF-8 text"]


def test_a_question_showing_a_picture_left_in_moodle_is_skipped_naming_it():
    result = parse('[html]<img src\\="@@PLUGINFILE@@/x.png"> Which?{=a ~b}')
    assert result.items == [] and "x.png stayed in Moodle (@@PLUGINFILE@@)" in result.skipped[0].reason


def test_a_feedback_that_loses_its_picture_is_imported_with_a_warning():
    result = parse('Which?{=a#[html]see <img src\\="@@PLUGINFILE@@/x.png"> ~b}')
    assert len(result.items) == 1 and "the feedback loses something" in result.warnings[0]
    assert result.warnings[0].startswith("bank.gift:1: ")



def test_pictures_written_into_the_text_as_data_urls_are_kept():
    result = parse_bank((HANDMADE / "inline_pictures.gift").read_bytes(), "inline_pictures.gift")
    flag, boxes = result.items
    (red,) = re.findall(r'src="asset:([0-9a-f]{32}\.png)"', flag.stem)
    assert result.assets[red].startswith(b"\x89PNG")
    pictures = [re.findall(r'asset:([0-9a-f]{32}\.png)', option.text) for option in boxes.options]
    assert len({name for (name,) in pictures}) == 3 and set(result.assets) == {name for (name,) in pictures}
    assert [s.item for s in result.skipped] == ["Gambar di Moodle"] and "peta.png" in result.skipped[0].reason


def test_options_that_are_different_pictures_are_not_the_same_text():
    result = parse_bank((HANDMADE / "inline_pictures.gift").read_bytes(), "inline_pictures.gift")
    assert result.warnings == []
    same = parse('[html]Which box?{=<img src\\="data\\:image/gif;base64,R0lGODlhAQABAAAAACw\\=">'
                 ' ~<img src\\="data\\:image/gif;base64,R0lGODlhAQABAAAAACw\\=">}')
    from exam_server.banks.importer import duplicate_warnings
    assert duplicate_warnings(same.items) == ["bank.gift:1: options A and B have the same text"]


def test_moodles_escaped_slash_in_a_category_name_is_unescaped():
    result = parse_bank((HANDMADE / "inline_pictures.gift").read_bytes(), "inline_pictures.gift")
    assert {item.category for item in result.items} == {"Gambar/Peta"}
    assert parse("$CATEGORY: $course$/top/A // B/C\n\nQ?{T}").items[0].category == "A / B/C"


# ------------------------------------------------------- recognising GIFT


def test_the_format_is_registered_and_sniffs_gift_content():
    assert isinstance(formats()["gift"], GiftFormat)
    assert GIFT.sniff(b"anything", "bank.gift") == 90
    assert GIFT.sniff(b"anything", "questions.gift.txt") == 90
    assert GIFT.sniff(b"::Q1:: Text {=a ~b}", "bank.txt") > 0
    assert GIFT.sniff(b"Question?\nA. one\nB. two\nANSWER: A\n", "bank.txt") == 0


# ------------------------------------------------------- real files


@pytest.mark.parametrize("path", fixture_params("*/*.gift*"))
def test_every_real_file_imports_or_is_refused_with_located_problems(path: Path):
    try:
        result = parse_bank(path.read_bytes(), path.name, "gift")
    except BankFormatError as error:
        assert error.problems and all(p.where.startswith(path.name + ":") for p in error.problems)
    else:
        assert result.items or result.skipped or "category" in path.name.lower()
        for item in result.items:
            assert len(item.options) >= 2 and 1 in weights(item)


REAL_FILE_OUTCOMES = {  # file: (items imported, items skipped)
    "moodle/questions.gift.txt": (4, 5),
    "moodle/questions_in_category.gift.txt": (1, 3),  # the "Greeting" needs its bonjour.mp3
    "qas-editor/multichoice.gift": (2, 2),
    "qas-editor/true_false.gift": (2, 2),  # two show a picture left in Moodle (@@PLUGINFILE@@)
    "qas-editor/missing_words.gift": (1, 0),
    "qas-editor/essay.gift": (0, 2),
    "qas-editor/matching.gift": (0, 2),
    "qas-editor/numericals.gift": (0, 4),
    "qas-editor/shorts.gift": (0, 4),
}


@pytest.mark.parametrize("relative, outcome", sorted(REAL_FILE_OUTCOMES.items()))
def test_real_moodle_exports_give_the_expected_counts(relative, outcome):
    path = FIXTURES / "gift" / relative
    result = GIFT.parse(path.read_bytes(), path.name)
    assert (len(result.items), len(result.skipped)) == outcome


def test_the_moodle_fixture_reads_like_moodle_reads_it():
    path = FIXTURES / "gift" / "moodle" / "questions.gift.txt"
    result = GIFT.parse(path.read_bytes(), path.name)
    mc, tf = result.items[0], result.items[1]
    assert mc.title == "Q2" and weights(mc) == [1, 0, 0]
    assert [o.feedback for o in mc.options] == ["right; good!", "wrong, it's yellow", "wrong, it's yellow"]
    assert tf.kind == "truefalse" and weights(tf) == [0, 1]
    assert tf.general_feedback == "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    assert {s.item: s.reason.split(":")[0] for s in result.skipped} == {
        "Q8": "essay (written answer)", "Moodle activities": "matching question",
        "colours": "multiple response (several options share the credit)", "Q5": "numerical question",
        "Shortanswer": "short answer (typed answer)"}


def test_the_category_fixture_puts_items_in_the_category_and_unescapes_html():
    path = FIXTURES / "gift" / "moodle" / "questions_in_category.gift.txt"
    result = GIFT.parse(path.read_bytes(), path.name)
    assert {item.category for item in result.items} == {"Default for New Features"}
    assert result.items[0].stem.startswith('Moodle is an acronym for <span style="font-style:italic">')
    greeting = next(s for s in result.skipped if s.item == "Greeting")
    assert "bonjour.mp3" in greeting.reason and "cannot be delivered" in greeting.reason


# ------------------------------------------------------- the upstream grammar's expectations


def _expected_weight(choice: dict) -> Decimal:
    if choice["weight"] is None:
        return Decimal(1 if choice["isCorrect"] else 0)
    return Decimal(str(choice["weight"])) / 100


def _plain(text: dict | None) -> str:
    return _tidy(to_plain((text or {}).get("text") or ""))


def visible(html_text: str) -> str:
    return _tidy(to_plain(html_text.replace("<br>", " ")))


def _tidy(text: str) -> str:
    # The upstream grammar leaves a space between a blank and the punctuation after it.
    return re.sub(r"\s+([.,;:?!])", r"\1", " ".join(text.split()))


SKIP_WORDS = {"Description": "description", "Essay": "essay", "Short": "short answer",
              "Numerical": "numerical", "Matching": "matching"}


@pytest.mark.parametrize("expected_file", fixture_params("*.json", UPSTREAM / "expected"))
def test_questions_match_what_the_upstream_grammar_expects(expected_file: Path):
    expected = [q for q in json.loads(expected_file.read_text("utf-8")) if q["type"] != "Category"]
    source = UPSTREAM / (expected_file.stem + ".gift")
    result = GIFT.parse(source.read_bytes(), source.name)
    outcomes = sorted([(int(i.source.rsplit(":", 1)[1]), i) for i in result.items]
                      + [(int(s.line), s) for s in result.skipped], key=lambda pair: pair[0])
    assert len(outcomes) == len(expected)
    for (_, got), want in zip(outcomes, expected):
        if want["type"] == "MC":
            _check_choices(got, want)
        elif want["type"] == "TF":
            _check_true_false(got, want)
        else:
            assert isinstance(got, Skipped) and SKIP_WORDS[want["type"]] in got.reason


def _check_choices(got, want: dict) -> None:
    expected_weights = [_expected_weight(c) for c in want["choices"]]
    if 1 not in expected_weights:
        assert isinstance(got, Skipped) and "multiple response" in got.reason
        return
    assert isinstance(got, Item) and got.kind == "multichoice"
    assert weights(got) == expected_weights
    assert [visible(o.text) for o in got.options] == [_plain(c["text"]) for c in want["choices"]]
    assert [visible(o.feedback) for o in got.options] == [_plain(c["feedback"]) for c in want["choices"]]
    assert visible(got.stem) == _plain(want["stem"])
    assert visible(got.general_feedback) == _plain(want["globalFeedback"])
    assert got.title == (want["title"] or "")


def _check_true_false(got, want: dict) -> None:
    assert isinstance(got, Item) and got.kind == "truefalse"
    assert weights(got) == ([1, 0] if want["isTrue"] else [0, 1])
    wrong, right = (got.options[1], got.options[0]) if want["isTrue"] else got.options
    # The upstream grammar names the first feedback "trueFeedback", the second "falseFeedback";
    # Moodle shows the first to who answers wrongly and the second to who answers rightly.
    assert visible(wrong.feedback) == _plain(want["trueFeedback"])
    assert visible(right.feedback) == _plain(want["falseFeedback"])
    assert visible(got.stem) == _plain(want["stem"])


# ------------------------------------------------------- speed and size


@pytest.mark.slow
def test_fifty_thousand_items_import_in_one_linear_pass():
    question = ("// [tag:twk]\n::Q{0}::Soal nomor {0}: manakah pernyataan yang benar?{{\n"
                "\t=Jawaban {0}#Benar\n\t~Pilihan satu {0}\n\t~%-25%Pilihan dua {0}\n\t~Pilihan tiga {0}\n"
                "\t~Pilihan empat {0}#Kurang tepat\n}}\n")
    data = ("$CATEGORY: TWK\n\n" + "\n".join(question.format(i) for i in range(50_000))).encode()
    started = time.perf_counter()
    result = parse_bank(data, "big.gift")
    elapsed = time.perf_counter() - started
    assert len(result.items) == 50_000 and result.items[-1].source == "big.gift:449995"
    print(f"50,000 GIFT items ({len(data) / 1e6:.1f} MB) imported in {elapsed:.1f} s")


def test_the_example_in_the_documentation_imports_as_described():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "formats" / "gift.md").read_text("utf-8")
    example = doc.split("## A short example", 1)[1].split("```", 2)[1]
    result = parse(example)
    assert [(item.category, item.kind) for item in result.items] == [
        ("TWK", "multichoice"), ("TWK", "multichoice"), ("TWK", "multichoice"), ("TWK", "truefalse")]
    assert result.items[1].stem == "Lambang negara Indonesia adalah _____."
    assert weights(result.items[2]) == [Decimal("0.2"), Decimal("0.6"), 1, Decimal("0.4"), Decimal("0.8")]


@pytest.mark.parametrize("stem, reason", [
    ('<svg><circle r\\="4"/></svg> Which shape?', "a drawing written into the text (<svg>) cannot be delivered"),
    ('<audio src\\="a.mp3"></audio> Who speaks?', "a sound (<audio>) cannot be delivered"),
    ('<iframe src\\="https\\://example.com"></iframe> What is shown?', "an embedded object (<iframe>)"),
    ('<img src\\="https\\://example.com/a.png"> What is shown?', "the picture https://example.com/a.png is not in the file"),
])
def test_a_question_that_would_lose_what_it_shows_is_skipped_with_the_reason(stem, reason):
    result = parse(f"::Lost::[html]{stem}{{=a ~b}}")
    assert result.items == [] and result.skipped[0].item == "Lost" and result.skipped[0].reason.startswith(reason)


def test_unclosed_tags_by_the_thousand_are_read_in_linear_time():
    # Quadratic scans took minutes on this; 20 s leaves room for any slow machine.
    stem = "<img src=x " * 10_000 + "<math " * 10_000 + "<a href=" + "x" * 100_000
    started = time.perf_counter()
    result = parse(f"::Banjir::[html]Soal banjir {stem}{{=a ~b}}")
    assert result.items == [] and result.skipped[0].item == "Banjir"
    assert time.perf_counter() - started < 20
