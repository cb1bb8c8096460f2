"""Moodle XML: single-answer multiple choice and true/false come in, the rest is skipped or refused."""
from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from exam_server.banks.base import BankFormatError, formats
from exam_server.banks.formats.moodlexml import MoodleXmlFormat, category_name
from tests.conftest import FIXTURES, HANDMADE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 13
MOODLE = MoodleXmlFormat()


def fixture(relative: str) -> bytes:
    return (FIXTURES / "moodlexml" / relative).read_bytes()


def parse_fixture(relative: str):
    return MOODLE.parse(fixture(relative), relative.rsplit("/", 1)[-1])


def quiz(*questions: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>").encode()


def multichoice(*answers: str, text: str = "<p>Ibu kota Indonesia?</p>", extra: str = "",
                single: str = "true", name: str = "Q1") -> str:
    return (f'<question type="multichoice"><name><text>{name}</text></name>'
            f'<questiontext format="html"><text><![CDATA[{text}]]></text>{extra}</questiontext>'
            f"<single>{single}</single>" + "".join(answers) + "</question>")


def answer(fraction: str, text: str, feedback: str = "") -> str:
    return (f'<answer fraction="{fraction}" format="html"><text><![CDATA[{text}]]></text>'
            f"<feedback><text>{feedback}</text></feedback></answer>")


def refusal(data: bytes, name: str = "bank.xml") -> BankFormatError:
    with pytest.raises(BankFormatError) as caught:
        MOODLE.parse(data, name)
    return caught.value


# ------------------------------------------------------- real Moodle files


def test_the_format_is_registered_and_recognises_a_quiz():
    assert isinstance(formats()["moodlexml"], MoodleXmlFormat)
    assert MOODLE.sniff(fixture("moodle/old_format_file.xml"), "x.xml") >= 90
    assert MOODLE.sniff(b"<assessmentItem/>", "x.xml") == 0


def test_nested_categories_lose_their_course_prefix_and_essays_are_skipped():
    result = parse_fixture("moodle/nested_categories_with_questions.xml")
    assert [(item.category, item.title) for item in result.items] == [
        ("Iota", "Iota Question"), ("Iota/Kappa", "Kappa Question"),
        ("Iota/Kappa/Lambda", "Lambda Question"), ("Iota/Mu", "Mu Question")]
    assert [(s.item, s.line) for s in result.skipped] == [("Kappa Essay Question", "55 (/quiz/question[4])")]
    assert "essay" in result.skipped[0].reason


def test_true_false_keys_follow_the_fraction_of_100():
    item = parse_fixture("moodle/category_with_description.xml").items[0]
    assert item.kind == "truefalse" and item.shuffle_options is False
    assert [(o.text, o.weight) for o in item.options] == [("True", 1), ("False", 0)]
    assert item.stem == "<p>Testing Alpha Question</p>"
    assert item.source == "category_with_description.xml:15 (/quiz/question[2])"


def test_a_true_false_question_whose_answer_is_false():
    item = parse_fixture("qas-editor/truefalse.xml").items[0]
    assert [(o.text, o.weight) for o in item.options] == [("True", 0), ("False", 1)]
    assert "Martin" in item.options[0].feedback


def test_an_embedded_jpeg_becomes_an_asset():
    result = parse_fixture("qas-editor/truefalse.xml")
    (name,) = result.assets
    assert name.endswith(".jpg") and result.assets[name].startswith(b"\xff\xd8\xff")
    assert f'src="asset:{name}"' in result.items[0].stem


def test_html_in_idnumbers_and_old_files_without_info_are_read():
    assert parse_fixture("moodle/html_chars_in_idnumbers.xml").items[0].extra == {"idnumber": "T & F"}
    result = parse_fixture("moodle/old_format_file.xml")
    assert [item.category for item in result.items] == ["Pi", "Pi/Rho"]


def test_categories_in_reverse_order_hold_only_skipped_types():
    result = parse_fixture("moodle/categories_reverse_order.xml")
    assert result.items == [] and [s.reason.split()[0] for s in result.skipped] == ["essay", "short"]


def test_multiple_response_with_invalid_grades_is_skipped_not_delivered():
    result = parse_fixture("moodle/error_invalid_grades.xml")
    assert result.items == []
    assert "multiple response" in result.skipped[0].reason


def test_broken_cloze_questions_are_skipped_one_by_one():
    result = parse_fixture("moodle/broken_cloze_questions.xml")
    assert len(result.skipped) == 5 and all("cloze" in s.reason for s in result.skipped)


def test_the_moodle_19_image_field_becomes_an_asset_under_the_stem():
    result = parse_fixture("moodle/sample_questions_with_old_image_tag.xml")
    (item,) = result.items
    assert item.category == "Default for Test images in backup"
    assert [o.weight for o in item.options] == [0, 0, 1]
    assert [o.text for o in item.options] == ["wrong answer", "another wrong answer", "right answer"]
    (name,) = result.assets
    assert name.endswith(".png") and f'<img src="asset:{name}"' in item.stem
    assert "cloze" in result.skipped[0].reason


@pytest.mark.parametrize("relative, words", [
    ("qas-editor/calculated.xml", "calculated"),
    ("qas-editor/calculatedmulti.xml", "calculated"),
    ("qas-editor/calculatedsimple.xml", "calculated"),
    ("qas-editor/cloze.xml", "cloze"),
    ("qas-editor/ddimageortext.xml", "drag and drop"),
    ("qas-editor/ddmarker.xml", "drag and drop"),
    ("qas-editor/ddwtos.xml", "drag and drop"),
    ("qas-editor/description.xml", "description"),
    ("qas-editor/essay.xml", "essay"),
    ("qas-editor/gapselect.xml", "missing words"),
    ("qas-editor/matching.xml", "matching"),
    ("qas-editor/numerical.xml", "numerical"),
    ("qas-editor/randomsamatch.xml", "random short-answer matching"),
    ("qas-editor/shortanswer.xml", "short answer"),
])
def test_question_types_we_do_not_deliver_are_skipped_with_their_name(relative, words):
    result = parse_fixture(relative)
    assert result.items == [] and len(result.skipped) == 1
    assert words in result.skipped[0].reason and "not delivered" in result.skipped[0].reason


def test_a_multichoice_that_shows_an_svg_keeps_it_cleaned():
    result = parse_fixture("qas-editor/multichoice.xml")
    (item,) = result.items
    (svg,) = [name for name in result.assets if name.endswith(".svg")]
    assert f'src="asset:{svg}"' in item.stem and result.assets[svg].startswith(b"<svg ")
    assert b"inkscape" not in result.assets[svg] and b"<path " in result.assets[svg]



def test_a_hostile_svg_diagram_is_imported_clean():
    result = MOODLE.parse((HANDMADE / "moodle_svg.xml").read_bytes(), "moodle_svg.xml")
    (item,) = result.items
    (name,) = result.assets
    svg = result.assets[name].decode()
    assert name.endswith(".svg") and f'src="asset:{name}"' in item.stem
    for hostile in ("script", "onload", "onclick", "javascript", "foreignObject", "onmouseover",
                    "example.com", "<set", "@import"):
        assert hostile not in svg
    assert '<polygon points="10,70 60,10 110,70" fill="url(#g)" stroke="black" />' in svg
    assert "<title>Segitiga</title>" in svg and 'stop-color="#fc0"' in svg


def test_a_question_that_needs_a_sound_a_video_or_a_formula_it_would_lose_is_skipped():
    result = MOODLE.parse((HANDMADE / "moodle_media.xml").read_bytes(), "moodle_media.xml")
    reasons = {s.item: s.reason for s in result.skipped}
    assert reasons == {
        "Simak audio": "a sound (<audio>) cannot be delivered: only text and pictures are",
        "Tautan audio": "a sound or video (@@PLUGINFILE@@/rekaman.mp3) cannot be delivered: only text and pictures are",
        "Rumus": "the formula uses MathML <menclose>, which cannot be shown: write it as text or a picture",
    }
    assert [item.title for item in result.items] == ["Dua kunci", "Gambar dalam teks"]


def test_two_full_credit_answers_are_warned_about_as_in_gift():
    result = MOODLE.parse((HANDMADE / "moodle_media.xml").read_bytes(), "moodle_media.xml")
    assert result.warnings == ["moodle_media.xml:28 (/quiz/question[4]): options A, C all earn full credit"]


def test_a_picture_written_into_the_text_is_kept():
    result = MOODLE.parse((HANDMADE / "moodle_media.xml").read_bytes(), "moodle_media.xml")
    (name,) = result.assets
    assert f'<img src="asset:{name}" alt="">' in result.items[1].stem and result.assets[name].startswith(b"\x89PNG")


def test_moodles_escaped_slash_in_a_category_name_is_unescaped():
    result = MOODLE.parse((HANDMADE / "moodle_svg.xml").read_bytes(), "moodle_svg.xml")
    assert result.items[0].category == "Bangun/Datar/Segitiga"


# ----------------------------------------------------------- the details


@pytest.mark.parametrize("path, category", [
    ("$course$/top/TWK", "TWK"), ("$course$/TWK/Pancasila", "TWK/Pancasila"),
    ("$system$/top", ""), ("top/TIU", "TIU"), ("TKP", "TKP"),
    ("$course$/top/Fisika//Kimia/Bab 1", "Fisika/Kimia/Bab 1"), ("$course$/top/ A // B ", "A / B"),
])
def test_category_prefixes_are_stripped(path, category):
    assert category_name(path) == category


def test_fractions_become_weights():
    data = quiz(multichoice(answer("100", "Jakarta"), answer("33.33333", "Bandung"), answer("-50", "Medan"),
                            answer("0", "Surabaya")))
    (item,) = MOODLE.parse(data, "bank.xml").items
    assert [o.weight for o in item.options] == [1, Decimal("0.3333333"), Decimal("-0.5"), 0]
    assert item.kind == "multichoice" and item.shuffle_options is True


def test_a_category_question_applies_to_the_questions_after_it():
    data = quiz('<question type="category"><category><text>$course$/top/TWK</text></category></question>',
                multichoice(answer("100", "a"), answer("0", "b")))
    assert MOODLE.parse(data, "bank.xml").items[0].category == "TWK"


@pytest.mark.parametrize("value, expected", [("0", False), ("false", False), ("1", True), ("true", True)])
def test_shuffleanswers_sets_whether_options_are_shuffled(value, expected):
    data = quiz(multichoice(answer("100", "a"), answer("0", "b"), extra="").replace(
        "<single>", f"<shuffleanswers>{value}</shuffleanswers><single>"))
    assert MOODLE.parse(data, "bank.xml").items[0].shuffle_options is expected


@pytest.mark.parametrize("fmt, text, expected", [
    ("html", "<p>a <b>b</b></p><script>alert(1)</script>", "<p>a <b>b</b></p>"),
    ("plain_text", "a <b>b</b>", "a &lt;b&gt;b&lt;/b&gt;"),
    ("moodle_auto_format", "line one\nline two", "line one<br>line two"),
    ("markdown", "**bold**", "<p><strong>bold</strong></p>"),
])
def test_question_text_formats_become_safe_html(fmt, text, expected):
    question = multichoice(answer("100", "a"), answer("0", "b"), text=text).replace(
        'format="html"><text>', f'format="{fmt}"><text>', 1)
    assert MOODLE.parse(quiz(question), "bank.xml").items[0].stem == expected


def test_general_feedback_tags_and_answer_feedback_are_kept():
    question = multichoice(answer("100", "a", feedback="Benar sekali"), answer("0", "b")).replace(
        "<single>", '<generalfeedback format="html"><text>Lihat UUD 1945</text></generalfeedback>'
                    "<tags><tag><text>pancasila</text></tag><tag><text>uud</text></tag></tags><single>")
    item = MOODLE.parse(quiz(question), "bank.xml").items[0]
    assert item.general_feedback == "Lihat UUD 1945" and item.tags == ("pancasila", "uud")
    assert item.options[0].feedback == "Benar sekali"


def test_pluginfile_images_with_encoded_names_become_assets():
    encoded = base64.b64encode(PNG).decode()
    question = multichoice(answer("100", "a"), answer("0", "b"),
                           text='<p><img src="@@PLUGINFILE@@/peta%20jawa.png" alt="peta"></p>',
                           extra=f'<file name="peta jawa.png" path="/" encoding="base64">{encoded}</file>')
    result = MOODLE.parse(quiz(question), "bank.xml")
    (name,) = result.assets
    assert result.assets[name] == PNG
    assert result.items[0].stem == f'<p><img src="asset:{name}" alt="peta"></p>'


def test_an_image_in_an_answer_uses_the_answers_own_file():
    encoded = base64.b64encode(PNG).decode()
    image_answer = (f'<answer fraction="100" format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/a.png">]]>'
                    f'</text><file name="a.png" encoding="base64">{encoded}</file></answer>')
    result = MOODLE.parse(quiz(multichoice(image_answer, answer("0", "b"))), "bank.xml")
    assert result.items[0].options[0].text.startswith('<img src="asset:')


def test_a_data_url_image_becomes_an_asset():
    url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    result = MOODLE.parse(quiz(multichoice(answer("100", "a"), answer("0", "b"),
                                           text=f'<img src="{url}">')), "bank.xml")
    assert list(result.assets.values()) == [PNG]


def test_an_image_from_the_web_skips_the_question():
    result = MOODLE.parse(quiz(multichoice(answer("100", "a"), answer("0", "b"),
                                           text='<img src="https://example.org/x.png">')), "bank.xml")
    assert result.items == [] and "not inside the file" in result.skipped[0].reason


def test_a_missing_embedded_file_refuses_the_file():
    error = refusal(quiz(multichoice(answer("100", "a"), answer("0", "b"),
                                     text='<img src="@@PLUGINFILE@@/gone.png">')))
    assert "no matching <file>" in str(error)


def test_blank_answers_are_ignored_as_moodle_does():
    (item,) = MOODLE.parse(quiz(multichoice(answer("100", "a"), answer("0", " "), answer("0", "b"))),
                           "bank.xml").items
    assert [o.text for o in item.options] == ["a", "b"]


def test_every_problem_in_the_file_is_reported_at_once():
    data = quiz(multichoice(answer("50", "a"), answer("0", "b")),
                multichoice(answer("abc", "a"), answer("100", "b")),
                multichoice(answer("100", "only")),
                multichoice(answer("100", "a"), answer("150", "b")))
    error = refusal(data)
    wheres = [p.where for p in error.problems]
    assert len(error.problems) == 4
    assert "no answer has fraction 100" in str(error) and "'abc' is not a number" in str(error)
    assert "at least two answers" in str(error) and "outside -100..100" in str(error)
    assert wheres[1].endswith("(/quiz/question[2]/answer[1])") and wheres[0].startswith("bank.xml:")


def test_a_true_false_without_a_right_answer_is_refused():
    question = ('<question type="truefalse"><name><text>TF</text></name><questiontext><text>Langit biru</text>'
                '</questiontext><answer fraction="0"><text>true</text></answer>'
                '<answer fraction="0"><text>false</text></answer></question>')
    assert "exactly one of the answers" in str(refusal(quiz(question)))


def test_a_file_that_is_not_a_quiz_is_refused():
    assert "starts with <quiz>" in str(refusal(b"<questions/>"))


def test_malformed_xml_is_refused_with_its_line():
    error = refusal(b"<quiz>\n<question type='truefalse'>\n</quiz>")
    assert error.problems[0].where.startswith("bank.xml:3:")


def test_an_image_without_a_source_needs_no_file():
    (item,) = MOODLE.parse(quiz(multichoice(answer("100", "a"), answer("0", "b"), text='<p>x<img alt="y"></p>')),
                           "bank.xml").items
    assert item.stem == '<p>x<img alt="y"></p>'
