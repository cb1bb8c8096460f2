"""Reading blueprint TOML: every key checked and converted, every problem located.

Each problem gets its key path and, where it can be found, its line, so all
of a file's problems are reported in one pass.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from exam_server.domain.blueprint_model import (
    CODE_PATTERN, FLAGS, RIGHT_WRONG, RIGHT_WRONG_KEYS, SCORING_WANTED, SCORINGS, SEB_KEY_PATTERN, SECTION_KEYS,
    TOP_KEYS, WEIGHTED, WEIGHTED_KEYS, Blueprint, BlueprintProblem, Section,
)
from exam_server.errors import LocatedProblems


def blueprint_reader_refused(problems: list[BlueprintProblem], filename: str) -> LocatedProblems:
    return LocatedProblems(problems, summary=f"{filename}: the blueprint was refused")


def syntax_problem(message: str, filename: str) -> BlueprintProblem:
    """Turn tomllib's 'Reason (at line 3, column 10)' into a located problem."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found:
        where = f"line {found.group(1)}, column {found.group(2)}"
        return BlueprintProblem(where, f"not valid TOML: {message[: found.start()]}", filename)
    reason = re.sub(r"\s*\(at end of document\)$", "", message)
    return BlueprintProblem("end of file", f"not valid TOML: {reason}", filename)


class Report:
    """Problems gathered so far, each given the line its key sits on when known."""

    def __init__(self, filename: str, lines: dict[tuple[int, str], int]):
        self.filename = filename
        self.lines = lines
        self.problems: list[BlueprintProblem] = []

    def add(self, where: str, reason: str) -> None:
        self.problems.append(BlueprintProblem(where, reason, self.filename, self._line(where)))

    def _line(self, where: str) -> int | None:
        found = re.fullmatch(r"sections\[(\d+)\](?:\.(\w+))?", where)
        if found:
            number = int(found.group(1))
            return self.lines.get((number, found.group(2) or "")) or self.lines.get((number, ""))
        return self.lines.get((0, where.split("[")[0]))


def key_lines(text: str) -> dict[tuple[int, str], int]:
    """Best-effort map (section number or 0 for top level, key) -> line number.

    TOML parsers do not report positions, so we scan the text: ``[[sections]]``
    opens section n (its own line is stored under key ""), other tables are
    ignored, and lines inside multi-line strings are skipped.
    """
    lines: dict[tuple[int, str], int] = {}
    sections, in_string = 0, False
    table: int | None = 0
    for number, line in enumerate(text.splitlines(), 1):
        opens_or_closes = (line.count('"""') + line.count("'''")) % 2 == 1
        if in_string:
            in_string = not opens_or_closes
            continue
        in_string = opens_or_closes
        if re.match(r"\s*\[\[\s*sections\s*\]\]", line):
            sections += 1
            table = sections
            lines[(table, "")] = number
        elif re.match(r"\s*\[", line):
            table = None
        elif table is not None:
            key = re.match(r"""\s*["']?([A-Za-z0-9_-]+)["']?\s*=""", line)
            if key:
                lines.setdefault((table, key.group(1)), number)
    return lines


def read_blueprint(data: dict[str, Any], report: Report) -> Blueprint:
    _check_unknown(data, TOP_KEYS, "", report)
    read = partial(_read, data, "", report)
    code = read("code", _code, "must be 1 to 64 letters, digits, '-', '_' or '.'", required=True)
    return Blueprint(
        code=code or "",
        title=read("title", _text, "must be a non-empty text", required=True) or "",
        duration_minutes=read("duration_minutes", _positive, "must be a number greater than 0",
                              required=True) or Decimal(0),
        pass_total=read("pass_total", to_decimal, "must be a number"),
        seb_config_keys=_read_seb_keys(data.get("seb_config_keys", []), report),
        instructions=read("instructions", _any_text, "must be a text") or "",
        sections=_read_sections(data.get("sections"), report),
        **{key: _read_flag(data, key, default, report) for key, default in FLAGS.items()},
    )


def _read(table: dict[str, Any], prefix: str, report: Report, key: str,
          convert: Callable[[Any], Any], wanted: str, *, required: bool = False) -> Any:
    """``convert(table[key])``; a missing required key or a value it refuses (None) is reported."""
    if key not in table:
        if required:
            report.add(prefix + key, "is required")
        return None
    value = convert(table[key])
    if value is None:
        report.add(prefix + key, f"{wanted} (got {table[key]!r})")
    return value


def _check_unknown(table: dict[str, Any], known: tuple[str, ...], prefix: str, report: Report) -> None:
    for key in table:
        if key not in known:
            guess = difflib.get_close_matches(key, known, n=1)
            hint = f'; did you mean "{guess[0]}"?' if guess else f"; known keys: {', '.join(known)}"
            report.add(f"{prefix}{key}", f"unknown key{hint}")


def to_decimal(value: Any) -> Decimal | None:
    """An int, float or numeric string as an exact Decimal; None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _positive(value: Any) -> Decimal | None:
    number = to_decimal(value)
    return number if number is not None and number > 0 else None


def _count(value: Any) -> int | None:
    return value if type(value) is int and value > 0 else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _any_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _code(value: Any) -> str | None:
    return value if isinstance(value, str) and CODE_PATTERN.fullmatch(value) else None


def _read_flag(table: dict[str, Any], key: str, default: bool, report: Report) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        report.add(key, "must be true or false")
        return default
    return value


def _read_seb_keys(value: Any, report: Report) -> tuple[str, ...]:
    if not isinstance(value, list):
        report.add("seb_config_keys", "must be a list of Config Keys (64 hexadecimal digits each)")
        return ()
    keys = []
    for number, key in enumerate(value, 1):
        if isinstance(key, str) and SEB_KEY_PATTERN.fullmatch(key):
            keys.append(key.lower())
        else:
            report.add(f"seb_config_keys[{number}]", "must be 64 hexadecimal digits")
    return tuple(keys)


def _read_sections(value: Any, report: Report) -> tuple[Section, ...]:
    if value is None:
        report.add("sections", "at least one [[sections]] table is required")
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(s, dict) for s in value):
        report.add("sections", "must be one or more [[sections]] tables")
        return ()
    sections = tuple(_read_section(table, number, report) for number, table in enumerate(value, 1))
    _check_duplicate_names(sections, report)
    return sections


def _read_section(table: dict[str, Any], number: int, report: Report) -> Section:
    prefix = f"sections[{number}]."
    _check_unknown(table, SECTION_KEYS, prefix, report)
    read = partial(_read, table, prefix, report)
    scoring = _read_scoring(table, prefix, report)
    return Section(
        name=read("name", _text, "must be a non-empty text", required=True) or "",
        bank=read("bank", _text, "must be a non-empty text", required=True) or "",
        category=read("category", _text, "must be a non-empty text"),
        count=read("count", _count, "must be a whole number greater than 0", required=True) or 0,
        scoring=scoring or "",
        pass_score=read("pass_score", to_decimal, "must be a number"),
        **_read_scoring_numbers(table, scoring, prefix, report),
    )


def _read_scoring(table: dict[str, Any], prefix: str, report: Report) -> str | None:
    scoring: str | None = _read(table, prefix, report, "scoring",
                                lambda v: v if v in SCORINGS else None, SCORING_WANTED, required=True)
    guess = difflib.get_close_matches(str(table.get("scoring")), SCORINGS, n=1)
    if scoring is None and "scoring" in table and guess:
        last = report.problems.pop()  # the one just reported: add a guess to it
        report.add(last.where, f'{last.reason}; did you mean "{guess[0]}"?')
    return scoring


NUMBER_RULES: dict[str, tuple[Callable[[Any], Decimal | None], str]] = {
    "correct": (_positive, "must be a number greater than 0"),
    "points": (_positive, "must be a number greater than 0"),
    "wrong": (to_decimal, "must be a number"),
    "blank": (to_decimal, "must be a number"),
}


def _read_scoring_numbers(table: dict[str, Any], scoring: str | None, prefix: str,
                          report: Report) -> dict[str, Decimal]:
    """Read correct/wrong/blank or points, refusing those the scoring rule does not use."""
    allowed = {RIGHT_WRONG: RIGHT_WRONG_KEYS, WEIGHTED: WEIGHTED_KEYS}.get(scoring or "")
    numbers: dict[str, Decimal] = {}
    for key in RIGHT_WRONG_KEYS + WEIGHTED_KEYS:
        if key in table and allowed is not None and key not in allowed:
            uses = " and ".join(", ".join(allowed).rsplit(", ", 1))
            report.add(prefix + key, f'is not used by "{scoring}" scoring, which uses {uses}')
            continue
        number = _read(table, prefix, report, key, *NUMBER_RULES[key])
        if number is not None:
            numbers[key] = number
    return numbers


def _check_duplicate_names(sections: tuple[Section, ...], report: Report) -> None:
    seen: dict[str, int] = {}
    for number, section in enumerate(sections, 1):
        if not section.name:
            continue
        key = section.name.casefold()
        if key in seen:
            report.add(f"sections[{number}].name",
                       f'"{section.name}" is already the name of sections[{seen[key]}]')
        else:
            seen[key] = number
