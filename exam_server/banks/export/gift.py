"""Items as GIFT text that Moodle and our own importer both read back.

Texts are safe HTML, so every one is written as ``[html]`` with GIFT's
special characters escaped and line breaks written as ``\\n``: each question
stays on its own lines and no text can be read as GIFT syntax. What GIFT has
no place for (tags, difficulty, options that keep their place, no shuffling)
goes in ``// [name:value]`` comments, which Moodle ignores and we read back.
Pictures travel inside the text: each ``asset:NAME`` source is written as
a ``data:`` URI, which our importer stores as an asset again.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping, Sequence

from exam_server.banks.export import register_exporter
from exam_server.banks.inline_images import inline_pictures
from exam_server.domain.items import Item

_SPECIAL = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n",
            "\r": "\\n"}
_TABLE = str.maketrans(_SPECIAL)


@register_exporter("gift", extension=".gift", media_type="text/plain; charset=utf-8")
def export_gift(items: Sequence[Item], assets: Mapping[str, bytes]) -> bytes:
    lines: list[str] = []
    category = ""
    for item in inline_pictures(list(items), assets):
        if item.category != category:
            category = item.category
            lines += [f"$CATEGORY: $course$/top/{_one_line(category)}".rstrip("/"), ""]
        lines += question_lines(item)
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def escape(text: str) -> str:
    """``text`` with every GIFT control character escaped, on one line."""
    return text.translate(_TABLE)


def question_lines(item: Item) -> list[str]:
    lines = [f"// [tag:{_note(tag)}]" for tag in item.tags]
    if item.difficulty:
        lines.append(f"// [difficulty:{_note(item.difficulty)}]")
    fixed = [chr(ord("A") + i) for i, option in enumerate(item.options) if option.fixed]
    if fixed:
        lines.append(f"// [fixed:{','.join(fixed)}]")
    if not item.shuffle_options and item.kind != "truefalse":
        lines.append("// [shuffle:no]")
    if item.extra.get("idnumber"):
        lines.append(f"// [id:{_note(item.extra['idnumber'])}]")
    title = f"::{escape(_one_line(item.title))}::" if item.title else ""
    stem = f"{title}[html]{escape(item.stem)}"
    truth = _true_false(item)
    if truth is not None:
        return lines + [stem + "{" + truth + _general(item) + "}"]
    lines.append(stem + "{")
    for option in item.options:
        feedback = f"#[html]{escape(option.feedback)}" if option.feedback else ""
        lines.append(f"\t{_mark(option.weight)}[html]{escape(option.text)}{feedback}")
    if item.general_feedback:
        lines.append(f"\t{_general(item)}")
    lines.append("}")
    return lines


def _true_false(item: Item) -> str | None:
    """``TRUE#wrong#right`` for a true/false item GIFT can write as one, else None."""
    if item.kind != "truefalse" or len(item.options) != 2:
        return None
    true, false = item.options
    if (true.text, false.text) != ("True", "False") or {true.weight, false.weight} != {Decimal(0), Decimal(1)}:
        return None
    right, wrong = (true, false) if true.weight == 1 else (false, true)
    answer = "TRUE" if right is true else "FALSE"
    if wrong.feedback or right.feedback:
        return f"{answer}#[html]{escape(wrong.feedback)}#[html]{escape(right.feedback)}"
    return answer


def _general(item: Item) -> str:
    return f"####[html]{escape(item.general_feedback)}" if item.general_feedback else ""


def _mark(weight: Decimal) -> str:
    if weight == 1:
        return "="
    if weight == 0:
        return "~"
    percent = format((weight * 100).normalize(), "f")
    return f"~%{percent}%"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _note(text: str) -> str:
    return _one_line(text).replace("]", ")")
