"""GIFT, Moodle's plain-text question format: multiple choice and true/false are imported.

A GIFT file is a series of questions separated by blank lines; lines whose
first characters are ``//`` are comments. A question is an optional
``::title::``, an optional ``[format]``, its text, and one answer block in
braces (``{=right ~wrong}``, ``{T}``, ...); ``$CATEGORY: path`` switches the
category of the questions that follow. We follow what Moodle's importer
does (question/format/gift/format.php), with clearer errors.

Other question types (essay, description, short answer, numerical, matching,
multiple response) are well-formed GIFT that we do not deliver: they are
listed as skipped. Anything malformed is collected, with its line, and the
whole file is refused at the end.

The reader makes one pass over the lines and, inside each question, a few
regular-expression scans that never backtrack: 50,000 questions take seconds.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from exam_server.banks.base import ParseResult, ProgressCallback, Skipped, register
from exam_server.banks.gift_syntax import (
    BRACES, GENERAL, HASHES, MARKERS, TITLE_END, Block, gift_syntax_blocks, gift_syntax_category, find, first_words, gift_syntax_html,
    gift_syntax_notes, parse_weight, gift_syntax_short, gift_syntax_split, text_format, unescape,
)
from exam_server.banks.importer import ProblemList, decode_text, display_name
from exam_server.banks.inline_images import InlineImages
from exam_server.banks.media import kept_html
from exam_server.domain.items import Item, Option

MAX_OPTIONS = 26
BLANK = "_____"

_STRAY_TAIL = frozenset("\"';")
_ONE, _ZERO = Decimal(1), Decimal(0)
_TRUE = ("T", "TRUE")
_FALSE = ("F", "FALSE")

NOT_DELIVERED = "only single-answer multiple choice and true/false are delivered"


@register
class GiftFormat:
    name = "gift"
    extensions = (".gift",)

    def sniff(self, data: bytes, filename: str) -> int:
        lower = display_name(filename).lower()
        if lower.endswith(".gift") or ".gift." in lower:
            return 90
        head = data[:65536].decode("utf-8", "replace")
        if "\x00" in head:
            return 0
        if re.search(r"^[ \t]*(?:::[^\n]*::|\$CATEGORY:)", head, re.M):
            return 65
        if re.search(r"\{\s*(?:[=~][^{}]*|T|F|TRUE|FALSE)\}", head):
            return 55
        return 0

    def parse(self, data: bytes, filename: str, progress: ProgressCallback | None = None) -> ParseResult:
        text = decode_text(data, filename, "GIFT")
        return _Reader(display_name(filename)).read(text, progress)


@dataclass
class _Answer:
    text: str
    fmt: str
    weight: Decimal
    feedback: str
    feedback_fmt: str


class _Reader:
    def __init__(self, name: str):
        self.name = name
        self.category = ""
        self.result = ParseResult()
        self.problems = ProblemList(name)

    # ------------------------------------------------------------ the file

    def read(self, text: str, progress: ProgressCallback | None) -> ParseResult:
        total = text.count("\n") + 1
        for count, block in enumerate(gift_syntax_blocks(io.StringIO(text)), 1):
            self.read_block(block)
            if progress is not None and count % 1000 == 0:
                progress(block.lines[-1][0], total)
        if progress is not None:
            progress(total, total)
        self.problems.raise_if_any()
        return self.result

    def problem(self, line: int, reason: str) -> None:
        self.problems.add(line, reason)

    def warn(self, line: int, reason: str) -> None:
        self.result.warnings.append(f"{self.name}:{line}: {reason}")

    def skip(self, block: Block, label: str, reason: str) -> None:
        self.result.skipped.append(Skipped(label, str(block.lines[0][0]), reason))

    # ------------------------------------------------------------ one question

    def read_block(self, block: Block) -> None:
        first = block.lines[0][1].lstrip()
        if first.startswith("$CATEGORY:"):
            self.category = gift_syntax_category(first[len("$CATEGORY:"):])
            block.lines = block.lines[1:]
            if not block.lines:
                return
        block.join()
        text = block.text
        pos = len(text) - len(text.lstrip())
        title = ""
        if text.startswith("::", pos):
            end = find(TITLE_END, "::", text, pos + 2)
            if end < 0:
                self.problem(block.line_at(pos), "the title opened with :: is not closed with ::")
                return
            title = unescape(text[pos + 2:end]).strip()
            pos = end + 2
        fmt, pos = text_format(text, pos, "moodle")
        braces = self.find_braces(block, pos)
        if braces is None:
            return
        if braces == (-1, -1):
            self.skip(block, title or first_words(text[pos:]),
                      f"description (text without a question): {NOT_DELIVERED}")
            return
        opening, closing = braces
        stem = self.stem_text(block, pos, opening, closing)
        answer = text[opening + 1:closing]
        general = ""
        split = find(GENERAL, "####", answer)
        if split >= 0:
            answer, general = answer[:split], answer[split + 4:]
        question = _Question(self, block, title, stem, fmt, general, opening + 1)
        question.read(answer)

    def find_braces(self, block: Block, start: int) -> tuple[int, int] | None:
        """Where the answer block opens and closes; (-1, -1) when there is none; None on error."""
        opening = closing = -1
        text = block.text
        for match in BRACES.finditer(text, start):
            token = match.group()
            if token == "{":
                if opening < 0:
                    opening = match.start()
                elif closing < 0:
                    self.problem(block.line_at(match.start()),
                                 f"{{ inside the answer block opened on line {block.line_at(opening)} "
                                 f"(write \\{{ for a brace in text)")
                    return None
                else:
                    self.problem(block.line_at(match.start()),
                                 "a second answer block: a question has one (write \\{ for a brace in text)")
                    return None
            elif token == "}":
                if opening < 0 or closing >= 0:
                    self.problem(block.line_at(match.start()),
                                 "} without a { before it (write \\} for a brace in text)")
                    return None
                closing = match.start()
        if opening >= 0 and closing < 0:
            self.problem(block.line_at(opening),
                         f"{{ opens an answer block that is never closed with }}: the question ends on "
                         f"line {block.lines[-1][0]} (a blank line or the end of the file ends a question)")
            return None
        return opening, closing

    def stem_text(self, block: Block, start: int, opening: int, closing: int) -> str:
        text = block.text
        head, tail = text[start:opening], text[closing + 1:]
        stripped = tail.strip()
        if not stripped:
            return head
        if set(stripped) <= _STRAY_TAIL:
            self.warn(block.line_at(closing), f"stray {stripped!r} after the answer block ignored")
            return head
        return head + BLANK + tail


class _Question:
    """The answer block of one question, turned into an item, a skip, or problems."""

    def __init__(self, reader: _Reader, block: Block, title: str, stem: str, fmt: str,
                 general: str, offset: int):
        self.reader, self.block, self.title = reader, block, title
        self.stem, self.fmt, self.general, self.offset = stem, fmt, general, offset
        self.line = block.lines[0][0]
        self.failed = False
        self.images = InlineImages()
        self.lost = ""  # what the candidate would not see: the reason to skip

    def problem(self, offset: int, reason: str) -> None:
        self.failed = True
        self.reader.problem(self.block.line_at(self.offset + offset), reason)

    def skip(self, kind: str) -> None:
        self.reader.skip(self.block, self.title or first_words(self.stem), f"{kind}: {NOT_DELIVERED}")

    def read(self, answer: str) -> None:
        body = answer.strip()
        if not body:
            self.skip("essay (written answer)")
        elif body.startswith("#"):
            self.skip("numerical question")
        elif find(MARKERS, "~", answer) >= 0:
            self.read_choices(answer)
        elif find(MARKERS, "=", answer) >= 0 and "->" in answer:
            self.skip("matching question")
        elif gift_syntax_split(HASHES, "#", answer)[0][1].strip().upper() in _TRUE + _FALSE:
            self.read_true_false(answer)
        else:
            self.skip("short answer (typed answer)")

    # ------------------------------------------------------------ true/false

    def read_true_false(self, answer: str) -> None:
        parts = gift_syntax_split(HASHES, "#", answer)
        is_true = parts[0][1].strip().upper() in _TRUE
        wrong = parts[1][1] if len(parts) > 1 else ""
        right = "#".join(part for _, part in parts[2:])
        wrong_html, right_html = self.feedback(wrong), self.feedback(right)
        options = (
            Option("True", _ONE if is_true else _ZERO, feedback=right_html if is_true else wrong_html),
            Option("False", _ZERO if is_true else _ONE, feedback=wrong_html if is_true else right_html),
        )
        self.emit(options, kind="truefalse", shuffle=False)

    def feedback(self, raw: str) -> str:
        fmt, start = text_format(raw, 0, self.fmt)
        return self.html(unescape(raw[start:]), fmt, needed=False)

    def html(self, text: str, fmt: str, *, needed: bool = True) -> str:
        """Safe HTML of one text, its data: pictures stored; a loss is noted (``needed``) or warned."""
        cleaned, reason = kept_html(text, fmt, self.images, gift_syntax_html)
        if reason and needed:
            self.lost = self.lost or reason
        elif reason:
            self.reader.warn(self.line, f"the feedback loses something: {reason}")
        return cleaned

    # ------------------------------------------------------------ multiple choice

    def read_choices(self, answer: str) -> None:
        parts = gift_syntax_split(MARKERS, "~=", answer)
        before = parts[0][1]
        if before.strip():
            self.problem(parts[0][0],
                         f"text {gift_syntax_short(before)!r} before the first answer: start every answer with = or ~")
        answers = parts[1:]
        if len(answers) > MAX_OPTIONS:
            self.problem(answers[0][0], f"{len(answers):,} answers: an item may have at most {MAX_OPTIONS}")
            return
        parsed = [self.read_choice(start - 1, answer[start - 1], body) for start, body in answers]
        if self.failed:
            return
        if len(parsed) < 2:
            self.problem(answers[0][0], "a multiple choice item needs at least 2 options")
            return
        weights = [choice.weight for choice in parsed]
        if not any(weight == 1 for weight in weights):
            if _is_multiple_response(weights):
                self.skip("multiple response (several options share the credit)")
            else:
                self.problem(answers[0][0], "no option earns full credit: mark the key with = or %100%")
            return
        keys = [_letter(i) for i, weight in enumerate(weights) if weight == 1]
        if len(keys) > 1:
            self.reader.warn(self.line, f"options {', '.join(keys)} all earn full credit")
        options = tuple(Option(self.html(c.text, c.fmt), c.weight,
                               feedback=self.html(c.feedback, c.feedback_fmt, needed=False)) for c in parsed)
        self.emit(options, kind="multichoice", shuffle=True)

    def read_choice(self, start: int, marker: str, body: str) -> _Answer:
        weight = _ONE if marker == "=" else _ZERO
        text = body.lstrip()
        if text.startswith("%"):
            end = text.find("%", 1)
            raw = text[1:end] if end > 0 else text[1:]
            parsed = parse_weight(raw) if end > 0 else None
            if parsed is None:
                self.problem(start, f"weight %{gift_syntax_short(raw)}% is not a number (write it like %50% or %-33.33333%)")
            elif not -1 <= parsed <= 1:
                self.problem(start, f"weight {raw.strip()}% is outside -100% to 100%")
            else:
                weight = parsed
            text = text[end + 1:] if end > 0 else text[1:]
        hash_at = find(HASHES, "#", text)
        feedback = text[hash_at + 1:] if hash_at >= 0 else ""
        text = text[:hash_at] if hash_at >= 0 else text
        fmt, at = text_format(text, 0, self.fmt)
        text = unescape(text[at:])
        if not text.strip():
            self.problem(start, f"the answer after {marker} is empty")
        feedback_fmt, at = text_format(feedback, 0, self.fmt)
        return _Answer(text, fmt, weight, unescape(feedback[at:]), feedback_fmt)

    # ------------------------------------------------------------ the item

    def emit(self, options: tuple[Option, ...], *, kind: str, shuffle: bool) -> None:
        notes = gift_syntax_notes(self.block.notes)
        stem = self.html(unescape(self.stem), self.fmt)
        if not stem:
            self.problem(0, "the question has no text")
        fixed = self.fixed_indexes(notes.get("fixed", []), len(options))
        general_fmt, at = text_format(self.general, 0, self.fmt)
        general = self.html(unescape(self.general[at:]), general_fmt, needed=False)
        for reason in self.images.problems:
            self.problem(0, reason)
        if self.failed:
            return
        if self.lost:
            self.reader.skip(self.block, self.title or first_words(self.stem), self.lost)
            return
        if "@@PLUGINFILE@@" in self.block.text:
            self.reader.warn(self.line, "an image or file stored in Moodle (@@PLUGINFILE@@) is not in a GIFT "
                                        "file and was left out")
        if fixed:
            options = tuple(Option(o.text, o.weight, True, o.feedback) if i in fixed else o
                            for i, o in enumerate(options))
        shuffle = shuffle and not any(v.strip().lower() in ("no", "false", "0") for v in notes.get("shuffle", []))
        self.reader.result.assets.update(self.images.assets)
        self.reader.result.items.append(Item(
            stem=stem,
            options=options,
            category=self.reader.category,
            title=self.title,
            kind=kind,
            shuffle_options=shuffle,
            general_feedback=general,
            difficulty=(notes.get("difficulty") or [""])[-1].strip(),
            tags=tuple(dict.fromkeys(t.strip() for t in notes.get("tag", []) if t.strip())),
            source=f"{self.reader.name}:{self.line}",
            extra={"idnumber": notes["id"][-1].strip()} if notes.get("id") else {},
        ))

    def fixed_indexes(self, values: list[str], count: int) -> set[int]:
        indexes: set[int] = set()
        for value in values:
            for letter in re.split(r"[\s,;]+", value.strip().upper()):
                if len(letter) == 1 and "A" <= letter < _letter(count):
                    indexes.add(ord(letter) - ord("A"))
                elif letter:
                    self.problem(0, f"[fixed:{value.strip()}] names no option {letter!r} "
                                    f"(options are A-{_letter(count - 1)})")
        return indexes


# ---------------------------------------------------------------- helpers


def _is_multiple_response(weights: list[Decimal]) -> bool:
    positive = [weight for weight in weights if weight > 0]
    return len(positive) >= 2 and abs(sum(positive) - 1) <= Decimal("0.005")


def _letter(index: int) -> str:
    return chr(ord("A") + index)
