"""Candidate lists (CSV): header ``participant_number,name`` and optionally ``nip,seat,password``."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from exam_server.errors import LocatedProblems

REQUIRED = ("participant_number", "name")
OPTIONAL = ("nip", "seat", "password")
MAX_FIELD = 255


@dataclass(frozen=True)
class RosterProblem:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Entry:
    participant_number: str
    name: str
    nip: str = ""
    seat: str = ""
    password: str = ""  # empty: one is generated


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LocatedProblems([RosterProblem(filename, f"not UTF-8 text (byte {exc.start})")],
                              summary=f"{filename}: the candidate list was refused") from None


def parse_roster(data: bytes, filename: str = "candidates.csv") -> list[Entry]:
    """Every candidate of the file, or every problem of it at once."""
    text = _decode(data, filename)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Indonesian (and most European) locales save with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    problems: list[RosterProblem] = []
    rows = list(reader)
    if not rows:
        raise LocatedProblems([RosterProblem(filename, "the file is empty")], summary=f"{filename}: the candidate list was refused")
    header = [h.strip().lower() for h in rows[0]]
    for column in REQUIRED:
        if column not in header:
            problems.append(RosterProblem(f"{filename}:1", f"missing column {column!r} (header must start with participant_number,name)"))
    for column in header:
        if column not in REQUIRED + OPTIONAL:
            problems.append(RosterProblem(f"{filename}:1", f"unknown column {column!r} (known: {', '.join(REQUIRED + OPTIONAL)})"))
    if problems:
        raise LocatedProblems(problems, summary=f"{filename}: the candidate list was refused")
    entries, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{filename}:{line}"
        if len(row) > len(header):
            problems.append(RosterProblem(where, f"{len(row)} fields, the header has {len(header)}"))
            continue
        values = {column: (row[i].strip() if i < len(row) else "") for i, column in enumerate(header)}
        for column, value in values.items():
            if len(value) > MAX_FIELD:
                problems.append(RosterProblem(where, f"{column}: longer than {MAX_FIELD} characters"))
        number, name = values["participant_number"], values["name"]
        if not number:
            problems.append(RosterProblem(where, "participant_number is empty"))
        elif number in seen:
            problems.append(RosterProblem(where, f"participant_number {number} already on line {seen[number]}"))
        else:
            seen[number] = line
        if not name:
            problems.append(RosterProblem(where, "name is empty"))
        password = values.get("password", "")
        if password and len(password) < 6:
            problems.append(RosterProblem(where, "password: at least 6 characters, or leave it empty to have one generated"))
        entries.append(Entry(number, name, values.get("nip", ""), values.get("seat", ""), password))
    if not entries and not problems:
        problems.append(RosterProblem(filename, "no candidate in the file"))
    if problems:
        raise LocatedProblems(problems, summary=f"{filename}: the candidate list was refused")
    return entries
