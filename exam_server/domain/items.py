"""Question items as the rest of the system sees them, whatever format they came in.

Texts are safe HTML (sanitised by the importer). Weights are exact fractions of
the item's value, as GIFT writes them: 1 is fully correct, 0 is wrong, -0.5 is
a penalty of half the item's value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

KINDS = ("multichoice", "truefalse")


@dataclass(frozen=True)
class Option:
    text: str
    weight: Decimal
    fixed: bool = False  # stays in place when options are shuffled ("all of the above")
    feedback: str = ""  # kept for the committee, never shown during the exam


@dataclass(frozen=True)
class Item:
    stem: str
    options: tuple[Option, ...]
    category: str = ""
    title: str = ""
    kind: str = "multichoice"
    shuffle_options: bool = True  # False when the author fixed the whole order
    general_feedback: str = ""
    difficulty: str = ""  # free text from the source ("easy", "0.4"), informative only
    tags: tuple[str, ...] = ()
    source: str = ""  # where the item came from: "file.gift:12" or "file.xml:/quiz/question[3]"
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def best_weight(self) -> Decimal:
        return max(option.weight for option in self.options)

    @property
    def correct_indexes(self) -> tuple[int, ...]:
        """Indexes of options that earn the full value of the item."""
        return tuple(i for i, option in enumerate(self.options) if option.weight == 1)


def item_to_dict(item: Item) -> dict:
    """A JSON-safe form of an item (weights as exact decimal strings)."""
    return {
        "stem": item.stem,
        "options": [
            {"text": o.text, "weight": str(o.weight), "fixed": o.fixed, "feedback": o.feedback}
            for o in item.options
        ],
        "category": item.category,
        "title": item.title,
        "kind": item.kind,
        "shuffle_options": item.shuffle_options,
        "general_feedback": item.general_feedback,
        "difficulty": item.difficulty,
        "tags": list(item.tags),
        "source": item.source,
    }


def item_from_dict(data: dict) -> Item:
    return Item(
        stem=data["stem"],
        options=tuple(
            Option(o["text"], Decimal(o["weight"]), o.get("fixed", False), o.get("feedback", ""))
            for o in data["options"]
        ),
        category=data.get("category", ""),
        title=data.get("title", ""),
        kind=data.get("kind", "multichoice"),
        shuffle_options=data.get("shuffle_options", True),
        general_feedback=data.get("general_feedback", ""),
        difficulty=data.get("difficulty", ""),
        tags=tuple(data.get("tags", ())),
        source=data.get("source", ""),
    )
