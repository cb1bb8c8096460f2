"""What a validated blueprint holds: its sections, their scoring, and its stored JSON form."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

RIGHT_WRONG = "right_wrong"
WEIGHTED = "weighted"
SCORINGS = (RIGHT_WRONG, WEIGHTED)

TOP_KEYS = (
    "code", "title", "duration_minutes", "shuffle_items", "shuffle_options",
    "show_score_to_candidate", "public_scoreboard", "scoreboard_names", "pass_total",
    "seb_config_keys", "instructions", "sections",
)
SECTION_KEYS = (
    "name", "bank", "category", "count", "scoring", "correct", "wrong",
    "blank", "points", "pass_score",
)
RIGHT_WRONG_KEYS = ("correct", "wrong", "blank")
WEIGHTED_KEYS = ("points",)
FLAGS = {
    "shuffle_items": True,
    "shuffle_options": True,
    "show_score_to_candidate": True,
    "public_scoreboard": False,
    "scoreboard_names": False,  # our extension: the public board shows names only when this is set
}
CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
SEB_KEY_PATTERN = re.compile(r"[0-9a-fA-F]{64}")
MS_PER_MINUTE = 60_000
SCORING_WANTED = f'must be "{RIGHT_WRONG}" or "{WEIGHTED}"'


@dataclass(frozen=True)
class Section:
    """One part of an exam: ``count`` items drawn from one bank (and category)."""

    name: str
    bank: str
    category: str | None
    count: int
    scoring: str  # RIGHT_WRONG or WEIGHTED
    correct: Decimal = Decimal(1)
    wrong: Decimal = Decimal(0)
    blank: Decimal = Decimal(0)
    points: Decimal = Decimal(1)
    pass_score: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: Decimals become strings."""
        return {key: _json_value(value) for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(
            name=data["name"],
            bank=data["bank"],
            category=data.get("category"),
            count=int(data["count"]),
            scoring=data["scoring"],
            correct=Decimal(str(data.get("correct", 1))),
            wrong=Decimal(str(data.get("wrong", 0))),
            blank=Decimal(str(data.get("blank", 0))),
            points=Decimal(str(data.get("points", 1))),
            pass_score=_optional_decimal(data.get("pass_score")),
        )


@dataclass(frozen=True)
class Blueprint:
    """A whole exam definition, validated; sections keep the order of the file."""

    code: str
    title: str
    duration_minutes: Decimal
    shuffle_items: bool = True
    shuffle_options: bool = True
    show_score_to_candidate: bool = True
    public_scoreboard: bool = False
    scoreboard_names: bool = False
    pass_total: Decimal | None = None
    seb_config_keys: tuple[str, ...] = ()
    instructions: str = ""  # shown to the candidate before the clock starts
    sections: tuple[Section, ...] = ()

    def __post_init__(self) -> None:
        # Lists given by callers become tuples, so the blueprint stays hashable.
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "seb_config_keys", tuple(self.seb_config_keys))

    @property
    def duration_ms(self) -> int:
        """The duration in whole milliseconds (fractional minutes are allowed)."""
        exact = self.duration_minutes * MS_PER_MINUTE
        return int(exact.to_integral_value(rounding=ROUND_HALF_UP))

    @property
    def item_count(self) -> int:
        return sum(section.count for section in self.sections)

    @property
    def first_positions(self) -> tuple[int, ...]:
        """1-based position of each section's first item in a form."""
        firsts, position = [], 1
        for section in self.sections:
            firsts.append(position)
            position += section.count
        return tuple(firsts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: Decimals become strings, tuples lists."""
        data = {key: _json_value(getattr(self, key)) for key in TOP_KEYS if key != "sections"}
        data["sections"] = [section.to_dict() for section in self.sections]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Blueprint:
        """Rebuild from ``to_dict`` output (stored, so trusted: not re-validated)."""
        return cls(
            code=data["code"],
            title=data["title"],
            duration_minutes=Decimal(str(data["duration_minutes"])),
            pass_total=_optional_decimal(data.get("pass_total")),
            seb_config_keys=tuple(data.get("seb_config_keys", ())),
            instructions=data.get("instructions", ""),
            sections=tuple(Section.from_dict(s) for s in data["sections"]),
            **{flag: bool(data.get(flag, default)) for flag, default in FLAGS.items()},
        )


@dataclass(frozen=True)
class BlueprintProblem:
    """One reason a blueprint is refused: where (key path or line) and why."""

    where: str
    reason: str
    file: str = "blueprint.toml"
    line: int | None = None

    def __str__(self) -> str:
        text = f"{self.file}: {self.where}: {self.reason}"
        return text if self.line is None else f"{text} (line {self.line})"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
