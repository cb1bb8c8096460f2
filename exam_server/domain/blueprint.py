"""Exam blueprints: what a sitting draws, how long it lasts, and how it scores.

A blueprint arrives as TOML (CONTRACT section 4). ``parse_blueprint`` checks
all of it in one pass and reports every problem with its place (key path and,
where it can be found, line), so an administrator fixes a file in one round.
``check_availability`` then checks the blueprint against the banks.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Callable

from exam_server.domain.blueprint_model import (  # noqa: F401 - importable from here
    CODE_PATTERN, FLAGS, MS_PER_MINUTE, RIGHT_WRONG, RIGHT_WRONG_KEYS, SCORING_WANTED, SCORINGS, SEB_KEY_PATTERN,
    SECTION_KEYS, TOP_KEYS, WEIGHTED, WEIGHTED_KEYS, Blueprint, BlueprintProblem, Section,
)
from exam_server.domain.blueprint_reader import (  # noqa: F401 - to_decimal and NUMBER_RULES importable from here
    NUMBER_RULES, key_lines, read_blueprint, blueprint_reader_refused, Report, syntax_problem, to_decimal,
)

# ---------------------------------------------------------------- parsing


def parse_blueprint(text: str, filename: str = "blueprint.toml") -> Blueprint:
    """Parse and validate blueprint TOML; raise LocatedProblems listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise blueprint_reader_refused([syntax_problem(str(exc), filename)], filename) from None
    report = Report(filename, key_lines(text))
    blueprint = read_blueprint(data, report)
    if report.problems:
        raise blueprint_reader_refused(sorted(report.problems, key=lambda p: p.line or 0), filename)
    return blueprint


# ---------------------------------------------------------------- availability

Available = Callable[[str, str | None], int | None]


def check_availability(blueprint: Blueprint, available: Available,
                       filename: str = "blueprint.toml") -> None:
    """Refuse a blueprint that names a missing bank or asks for more items than exist.

    Sections drawing from the same bank and category share its items (an item
    never appears twice in a form), so their counts add up. A section without
    a category draws from the whole bank, so it shares with every section of
    that bank.
    """
    report = Report(filename, {})
    counts = _demand(blueprint.sections)
    missing: set[str] = set()
    for (bank, category), numbers in counts.items():
        held = available(bank, category)
        if held is None:
            missing.add(bank)
        elif sum(blueprint.sections[n - 1].count for n in numbers) > held:
            _report_shortage(blueprint, numbers, bank, category, held, report)
    for number, section in enumerate(blueprint.sections, 1):
        if section.bank in missing:
            report.add(f"sections[{number}].bank", f'there is no bank "{section.bank}"')
    if report.problems:
        report.problems.sort(key=lambda p: _section_number(p.where))
        raise blueprint_reader_refused(report.problems, filename)


def _demand(sections: tuple[Section, ...]) -> dict[tuple[str, str | None], list[int]]:
    """For each (bank, category) drawn from, the 1-based numbers of the sections drawing on it."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for number, section in enumerate(sections, 1):
        groups.setdefault((section.bank, section.category), []).append(number)
    for number, section in enumerate(sections, 1):
        whole = groups.get((section.bank, None))
        if section.category is not None and whole is not None:
            whole.append(number)
    return {key: sorted(numbers) for key, numbers in groups.items()}


def _report_shortage(blueprint: Blueprint, numbers: list[int], bank: str,
                     category: str | None, held: int, report: Report) -> None:
    asked = sum(blueprint.sections[n - 1].count for n in numbers)
    source = f'bank "{bank}"' + (f', category "{category}"' if category is not None else "")
    if len(numbers) == 1:
        reason = f"asks for {asked} items but {source} holds {held}"
    else:
        others = ", ".join(f'sections[{n}] ("{blueprint.sections[n - 1].name}")' for n in numbers[:-1])
        reason = f"together with {others} asks for {asked} items but {source} holds {held}"
    report.add(f"sections[{numbers[-1]}].count", reason)


def _section_number(where: str) -> int:
    found = re.match(r"sections\[(\d+)\]", where)
    return int(found.group(1)) if found else 0
