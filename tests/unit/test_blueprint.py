"""Blueprint TOML: the contract example parses; every bad file is refused with each problem located."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exam_server.domain.blueprint import (
    Blueprint,
    BlueprintProblem,
    Section,
    check_availability,
    parse_blueprint,
)
from exam_server.errors import LocatedProblems

CONTRACT_EXAMPLE = """\
code = "UD-2026-T1"
title = "Ujian Dinas Tingkat I"
duration_minutes = 90       # a number; fractions allowed
shuffle_items = true
shuffle_options = true
show_score_to_candidate = true
public_scoreboard = false
pass_total = 0              # optional total threshold
seb_config_keys = []

[[sections]]
name = "TWK"
bank = "twk-2026"           # bank code
category = "TWK"            # optional filter on the item category
count = 30                  # items drawn per candidate
scoring = "right_wrong"     # correct/wrong/blank points below
correct = 5
wrong = 0
blank = 0
pass_score = 65             # optional section threshold

[[sections]]
name = "TKP"
bank = "tkp-2026"
count = 35
scoring = "weighted"        # points x the chosen option's weight
points = 5                  # an option of weight 100% earns 5, of 60% earns 3
pass_score = 166
"""

MINIMAL = """\
code = "X1"
title = "Minimal"
duration_minutes = 10

[[sections]]
name = "A"
bank = "bank-a"
count = 2
scoring = "right_wrong"
"""

SEB_KEY = "ab" * 32


def refusal(text: str) -> LocatedProblems:
    with pytest.raises(LocatedProblems) as caught:
        parse_blueprint(text)
    return caught.value


def messages(text: str) -> list[str]:
    return [str(problem) for problem in refusal(text).problems]


def with_lines(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


# ---------------------------------------------------------------- good files


def test_the_contract_example_parses_into_exact_values():
    blueprint = parse_blueprint(CONTRACT_EXAMPLE)
    assert blueprint.code == "UD-2026-T1"
    assert blueprint.duration_minutes == Decimal(90)
    assert blueprint.duration_ms == 90 * 60_000
    assert blueprint.pass_total == Decimal(0)
    twk, tkp = blueprint.sections
    assert twk == Section("TWK", "twk-2026", "TWK", 30, "right_wrong", correct=Decimal(5),
                          wrong=Decimal(0), blank=Decimal(0), pass_score=Decimal(65))
    assert tkp.category is None and tkp.points == Decimal(5) and tkp.pass_score == Decimal(166)


def test_item_count_and_first_positions_follow_section_order():
    blueprint = parse_blueprint(CONTRACT_EXAMPLE)
    assert blueprint.item_count == 65
    assert blueprint.first_positions == (1, 31)


def test_defaults_apply_when_optional_keys_are_left_out():
    blueprint = parse_blueprint(MINIMAL)
    assert (blueprint.shuffle_items, blueprint.shuffle_options) == (True, True)
    assert (blueprint.show_score_to_candidate, blueprint.public_scoreboard) == (True, False)
    assert blueprint.pass_total is None and blueprint.seb_config_keys == ()
    assert blueprint.instructions == ""
    section = blueprint.sections[0]
    assert (section.correct, section.wrong, section.blank) == (1, 0, 0)


def test_fractional_minutes_give_whole_milliseconds():
    text = with_lines(MINIMAL, "duration_minutes = 10", "duration_minutes = 1.5")
    assert parse_blueprint(text).duration_ms == 90_000
    text = with_lines(MINIMAL, "duration_minutes = 10", 'duration_minutes = "0.00001"')
    assert parse_blueprint(text).duration_ms == 1  # 0.6 ms rounds half up


def test_numbers_may_be_integers_floats_or_strings_and_stay_exact():
    text = with_lines(MINIMAL, 'scoring = "right_wrong"',
                      'scoring = "right_wrong"\ncorrect = "2.5"\nwrong = -0.1\nblank = 0')
    section = parse_blueprint(text).sections[0]
    assert section.correct == Decimal("2.5")
    assert section.wrong == Decimal("-0.1")  # not the binary float -0.1000000000000000055...


def test_instructions_and_config_keys_are_kept():
    text = with_lines(MINIMAL, 'title = "Minimal"',
                      f'title = "Minimal"\ninstructions = """\nRead carefully.\nx = 1\n"""\n'
                      f'seb_config_keys = ["{SEB_KEY.upper()}"]')
    blueprint = parse_blueprint(text)
    assert blueprint.instructions == "Read carefully.\nx = 1\n"
    assert blueprint.seb_config_keys == (SEB_KEY,)


def test_to_dict_is_json_safe_and_round_trips():
    blueprint = parse_blueprint(CONTRACT_EXAMPLE)
    data = json.loads(json.dumps(blueprint.to_dict()))
    assert data["duration_minutes"] == "90"
    assert data["sections"][0]["correct"] == "5"
    assert Blueprint.from_dict(data) == blueprint


def test_blueprints_built_from_lists_stay_hashable():
    section = Section("A", "b", None, 1, "weighted")
    blueprint = Blueprint("C", "T", Decimal(1), sections=[section])  # type: ignore[arg-type]
    assert blueprint.sections == (section,)
    assert hash(blueprint) == hash(Blueprint("C", "T", Decimal(1), sections=(section,)))


# ---------------------------------------------------------------- bad files


def test_a_problem_reads_as_file_place_and_reason():
    problem = BlueprintProblem("sections[2].count", "must be a whole number greater than 0")
    assert str(problem) == "blueprint.toml: sections[2].count: must be a whole number greater than 0"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('code = "X1"\n', "", "code: is required"),
        ('code = "X1"', 'code = "has space"', "code: must be 1 to 64 letters"),
        ('code = "X1"', f'code = "{"x" * 65}"', "code: must be 1 to 64 letters"),
        ('title = "Minimal"', 'title = ""', "title: must be a non-empty text"),
        ("duration_minutes = 10", "duration_minutes = 0",
         "duration_minutes: must be a number greater than 0"),
        ("duration_minutes = 10", 'duration_minutes = "soon"', "duration_minutes: must be a number"),
        ("duration_minutes = 10", "duration_minutes = true", "duration_minutes: must be a number"),
        ("duration_minutes = 10", "duration_minutes = nan", "duration_minutes: must be a number"),
        ("duration_minutes = 10", "duration_minutes = 10\nshuffle_items = 1",
         "shuffle_items: must be true or false"),
        ("duration_minutes = 10", "duration_minutes = 10\npass_total = [1]", "pass_total: must be a number"),
        ("duration_minutes = 10", 'duration_minutes = 10\nseb_config_keys = ["abc"]',
         "seb_config_keys[1]: must be 64 hexadecimal digits"),
        ("duration_minutes = 10", "duration_minutes = 10\ndurations = 3",
         'durations: unknown key; did you mean "duration_minutes"?'),
        ('name = "A"\n', "", "sections[1].name: is required"),
        ('bank = "bank-a"\n', "", "sections[1].bank: is required"),
        ("count = 2", "count = 0", "sections[1].count: must be a whole number greater than 0"),
        ("count = 2", "count = 2.5", "sections[1].count: must be a whole number greater than 0"),
        ("count = 2", 'count = "2"', "sections[1].count: must be a whole number greater than 0"),
        ("count = 2\n", "", "sections[1].count: is required"),
        ('scoring = "right_wrong"', 'scoring = "right-wrong"', 'did you mean "right_wrong"?'),
        ('scoring = "right_wrong"\n', "", "sections[1].scoring: is required"),
        ('scoring = "right_wrong"', 'scoring = "right_wrong"\npoints = 5',
         'sections[1].points: is not used by "right_wrong" scoring, which uses correct, wrong and blank'),
        ('scoring = "right_wrong"', 'scoring = "weighted"\ncorrect = 5',
         'sections[1].correct: is not used by "weighted" scoring, which uses points'),
        ('scoring = "right_wrong"', 'scoring = "right_wrong"\ncorrect = 0',
         "sections[1].correct: must be a number greater than 0"),
        ('scoring = "right_wrong"', 'scoring = "weighted"\npoints = -1',
         "sections[1].points: must be a number greater than 0"),
        ('scoring = "right_wrong"', 'scoring = "right_wrong"\nwrong = "one"',
         "sections[1].wrong: must be a number"),
        ('scoring = "right_wrong"', 'scoring = "right_wrong"\npass_score = "x"',
         "sections[1].pass_score: must be a number"),
        ('scoring = "right_wrong"', 'scoring = "right_wrong"\ncorect = 5',
         'sections[1].corect: unknown key; did you mean "correct"?'),
        ('bank = "bank-a"', 'bank = "bank-a"\ncategory = ""',
         "sections[1].category: must be a non-empty text"),
    ],
)
def test_each_bad_value_is_refused_with_its_place(old, new, expected):
    found = messages(with_lines(MINIMAL, old, new))
    assert any(expected in message for message in found), found


def test_a_blueprint_without_sections_is_refused():
    text = MINIMAL.split("[[sections]]")[0]
    assert any("sections: at least one [[sections]] table is required" in m for m in messages(text))
    assert any("sections: must be one or more" in m for m in messages(text + "sections = []\n"))


def test_duplicate_section_names_are_refused():
    text = MINIMAL + MINIMAL[MINIMAL.index("[[sections]]"):]
    assert any('sections[2].name: "A" is already the name of sections[1]' in m for m in messages(text))


def test_every_problem_is_reported_at_once():
    text = """\
code = "bad code"
duration_minutes = -1
colour = "blue"

[[sections]]
name = "A"
bank = "b"
count = 0
scoring = "weighted"
correct = 1

[[sections]]
name = "B"
count = 3
scoring = "other"
"""
    error = refusal(text)
    places = [problem.where for problem in error.problems]
    assert set(places) == {
        "code", "title", "duration_minutes", "colour", "sections[1].count",
        "sections[1].correct", "sections[2].bank", "sections[2].scoring",
    }
    assert error.message.startswith("blueprint.toml: the blueprint was refused:")
    assert all(f"  {problem}" in error.message for problem in error.problems)


def test_problems_name_the_line_of_the_key_when_it_can_be_found():
    text = with_lines(MINIMAL, "count = 2", "count = -2")
    (problem,) = refusal(text).problems
    assert problem.line == 8
    assert str(problem).endswith("(line 8)")


def test_a_missing_section_key_points_at_its_section_header():
    text = with_lines(MINIMAL, "count = 2\n", "")
    (problem,) = refusal(text).problems
    assert problem.where == "sections[1].count" and problem.line == 5


def test_the_file_name_is_named_in_every_message():
    with pytest.raises(LocatedProblems) as caught:
        parse_blueprint(with_lines(MINIMAL, "count = 2", "count = 0"), filename="ud.toml")
    assert caught.value.message.startswith("ud.toml: the blueprint was refused")
    assert str(caught.value.problems[0]).startswith("ud.toml: sections[1].count:")


def test_a_toml_syntax_error_gives_line_and_column():
    text = with_lines(MINIMAL, "count = 2", "count = = 2")
    (problem,) = refusal(text).problems
    assert problem.where == "line 8, column 9"
    assert problem.reason.startswith("not valid TOML: Invalid value")
    assert str(problem) == "blueprint.toml: line 8, column 9: not valid TOML: Invalid value"


def test_a_syntax_error_at_the_end_still_names_the_file():
    (problem,) = refusal('code = "unterminated').problems
    assert str(problem).startswith("blueprint.toml: end of file: not valid TOML")


@given(st.text(max_size=200))
def test_any_text_either_parses_or_is_refused_with_located_problems(text):
    try:
        blueprint = parse_blueprint(text)
    except LocatedProblems as error:
        assert error.problems and all(isinstance(p, BlueprintProblem) for p in error.problems)
    else:
        assert blueprint.sections


# ---------------------------------------------------------------- availability


def holdings(table: dict[tuple[str, str | None], int]):
    """An ``available`` callback over a fixed table; a bank exists when any row names it."""
    banks = {bank for bank, _ in table}

    def available(bank: str, category: str | None) -> int | None:
        return table.get((bank, category), 0) if bank in banks else None

    return available


def shortages(blueprint: Blueprint, table) -> list[str]:
    with pytest.raises(LocatedProblems) as caught:
        check_availability(blueprint, holdings(table))
    return [str(problem) for problem in caught.value.problems]


def test_a_blueprint_that_fits_its_banks_passes():
    blueprint = parse_blueprint(CONTRACT_EXAMPLE)
    check_availability(blueprint, holdings({("twk-2026", "TWK"): 30, ("tkp-2026", None): 40}))


def test_missing_banks_and_short_banks_are_all_listed():
    blueprint = parse_blueprint(CONTRACT_EXAMPLE)
    found = shortages(blueprint, {("twk-2026", "TWK"): 12})
    assert found == [
        'blueprint.toml: sections[1].count: asks for 30 items but bank "twk-2026", category "TWK" holds 12',
        'blueprint.toml: sections[2].bank: there is no bank "tkp-2026"',
    ]


def two_sections(first_category: str | None, second_category: str | None) -> Blueprint:
    return Blueprint("C", "T", Decimal(10), sections=(
        Section("A", "bank", first_category, 20, "right_wrong"),
        Section("B", "bank", second_category, 15, "right_wrong"),
    ))


def test_sections_sharing_a_bank_and_category_add_up():
    found = shortages(two_sections("K", "K"), {("bank", "K"): 30})
    assert found == ['blueprint.toml: sections[2].count: together with sections[1] ("A") '
                     'asks for 35 items but bank "bank", category "K" holds 30']
    check_availability(two_sections("K", "K"), holdings({("bank", "K"): 35}))


def test_a_whole_bank_section_shares_with_the_categories_of_that_bank():
    table = {("bank", "K"): 20, ("bank", None): 30}
    found = shortages(two_sections("K", None), table)
    assert found == ['blueprint.toml: sections[2].count: together with sections[1] ("A") '
                     'asks for 35 items but bank "bank" holds 30']


def test_sections_on_different_categories_do_not_share():
    check_availability(two_sections("K", "L"), holdings({("bank", "K"): 20, ("bank", "L"): 15}))
