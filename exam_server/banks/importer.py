"""Read one question bank file into items, whatever its format: all of it or none.

``parse_bank`` is the single entry point the services and the CLI use. It
refuses what no format should see (too large, empty, binary), finds the
format (given, or guessed from the name and the content), lets the format
parse, and then looks across the whole file for what a format cannot see on
its own: the same question twice, the same option twice in one item.
"""
from __future__ import annotations

import codecs
import inspect
import re
from collections import Counter
from functools import lru_cache
from pathlib import PureWindowsPath

from exam_server.banks.base import (
    BankFormat,
    BankFormatError,
    ParseResult,
    Problem,
    ProgressCallback,
    formats,
)
from exam_server.banks.inline_images import settle_pictures
from exam_server.banks.text import safe_html, to_plain
from exam_server.domain.items import Item

MAX_BANK_BYTES = 64 * 1024 * 1024
MAX_LISTED_PROBLEMS = 200  # a hostile file must not flood the report; the rest are counted
MAX_LISTED_WARNINGS = 200  # per kind; the rest is summed up in one line

_PICTURE = re.compile(r'<img\b[^>]*?\bsrc="([^"]*)"')
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def display_name(filename: str) -> str:
    """The file's own name, without the folders (uploads may carry a Windows path)."""
    return PureWindowsPath(filename).name or filename or "bank"


def refuse(where: str, reason: str, filename: str) -> BankFormatError:
    return BankFormatError([Problem(where, reason)], filename=filename)


class ProblemList:
    """The problems a format finds in one pass over a file, each at a line of it.

    Only the first ``MAX_LISTED_PROBLEMS`` are kept (a hostile file must not
    flood the report); the rest are counted in one last line.
    """

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, line: int | str, reason: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_LISTED_PROBLEMS:
            self.problems.append(Problem(f"{self.name}:{line}", reason))

    def raise_if_any(self) -> None:
        if self.count:
            problems = list(self.problems)
            if self.count > len(problems):
                problems.append(Problem(self.name, f"... and {self.count - len(problems):,} more problems"))
            raise BankFormatError(problems, filename=self.name)


def decode_text(data: bytes, filename: str, label: str, *, fallback: str | None = None,
                warnings: list[str] | None = None) -> str:
    """The text of a text-format file, with Windows and old Mac line ends made ``\\n``.

    UTF-8 (with or without a byte order mark) is expected; UTF-16 with a byte
    order mark (Windows "Unicode" text) is read too. Binary data is refused
    with a message naming ``label``, the format the file was expected to be in.
    With ``fallback`` an undecodable file is read in that encoding, and a
    warning is added to ``warnings``.
    """
    name = display_name(filename)
    encoding = "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom):], bom_encoding
            break
    if encoding == "utf-8" and b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise refuse(f"{name}:{line}", f"this is not {_a(label)} text file: it holds binary data (NUL bytes)", name)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        text = _decode_fallback(data, name, label, exc, fallback, warnings)
    if "\x00" in text:
        raise refuse(name, f"this is not {_a(label)} text file: it holds binary data (NUL characters)", name)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _a(label: str) -> str:
    return f"an {label}" if label[:1] in "AEIOU" else f"a {label}"


def _decode_fallback(data: bytes, name: str, label: str, exc: UnicodeDecodeError,
                     fallback: str | None, warnings: list[str] | None) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    where = f"{name}:{line}"
    if fallback:
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            pass
        else:
            if warnings is not None:
                warnings.append(f"{where}: the file is not UTF-8; it was read as {fallback} "
                                f"(check accented letters, and save as UTF-8 next time)")
            return text
    byte = data[exc.start:exc.start + 1].hex()
    raise refuse(where, f"this is not {_a(label)} text file in UTF-8 (byte 0x{byte} cannot be read); "
                        f"save it as UTF-8 text", name)


_MARKUP = frozenset("<>&\r\xa0\x00")


@lru_cache(maxsize=4096)
def clean_text(text: str, text_format: str) -> str:
    """``safe_html(text, text_format)``, faster: text without markup skips the sanitiser.

    The sanitiser changes nothing in text that has no ``<``, ``>``, ``&``,
    carriage return, no-break space or NUL (checked over random text in the tests),
    and most question texts have none; repeated texts (feedback, "True") are
    remembered.
    """
    if text_format in ("moodle", "html") and _MARKUP.isdisjoint(text):
        text = text.strip()
        return text.replace("\n", "<br>") if text_format == "moodle" else text
    return safe_html(text, text_format)


def known_formats() -> list[str]:
    return sorted(formats())


def guess_format(data: bytes, filename: str) -> str:
    """The name of the registered format most sure that ``data`` is in it."""
    scores = [(fmt.sniff(data, filename), name) for name, fmt in formats().items()]
    scores.sort(key=lambda pair: (-pair[0], pair[1]))
    if not scores or scores[0][0] <= 0:
        name = display_name(filename)
        raise refuse(name, f"cannot tell which format this file is in; known formats: "
                           f"{', '.join(known_formats())} (name one with --format)", name)
    return scores[0][1]


def find_format(fmt: str, filename: str) -> BankFormat:
    registry = formats()
    found = registry.get(fmt.strip().lower())
    if found is None:
        name = display_name(filename)
        raise refuse(name, f"unknown format {fmt!r}; known formats: {', '.join(known_formats())}", name)
    return found


def parse_bank(data: bytes, filename: str, fmt: str | None = None, *, strict: bool = False,
               progress: ProgressCallback | None = None) -> ParseResult:
    """Every deliverable item of the file, or ``BankFormatError`` listing every problem.

    Pictures written into the texts as ``data:`` URIs become assets, and an
    item showing a picture the file does not carry is skipped (see
    ``inline_images``). ``strict`` refuses the file when any item would be skipped. ``progress``
    is called now and then with (bytes read, bytes in the file), last with
    both equal; formats report in their own units (lines, rows), scaled here.
    """
    name = display_name(filename)
    if len(data) > MAX_BANK_BYTES:
        raise refuse(name, f"the file is {len(data):,} bytes, more than the "
                           f"{_size(MAX_BANK_BYTES)} a bank may be", name)
    if not data.strip(b" \t\r\n\x0b\x0c" + codecs.BOM_UTF8):
        raise refuse(name, "the file is empty", name)
    bank_format = find_format(fmt, filename) if fmt else find_format(guess_format(data, filename), filename)
    if progress is not None and _accepts_progress(bank_format):
        result = bank_format.parse(data, filename, progress=_in_bytes(progress, len(data)))
    else:
        result = bank_format.parse(data, filename)
    if progress is not None:
        progress(len(data), len(data))
    settle_pictures(result, name)
    if strict and result.skipped:
        raise BankFormatError([Problem(f"{name}:{s.line}", f"{s.item}: {s.reason} (refused: strict import)")
                               for s in result.skipped], filename=name)
    result.warnings.extend(duplicate_warnings(result.items))
    return result


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count:,} bytes"


def _in_bytes(progress: ProgressCallback, size: int) -> ProgressCallback:
    """A format's (done, total) in its own units, passed on as bytes of the file."""

    def report(done: int, total: int) -> None:
        progress(min(size, size * done // total) if total > 0 else 0, size)

    return report


def _accepts_progress(bank_format: BankFormat) -> bool:
    try:
        return "progress" in inspect.signature(bank_format.parse).parameters
    except (TypeError, ValueError):
        return False


def _visible(html_text: str) -> str:
    """What a candidate sees, for comparing: the text, and the pictures (assets are named by content)."""
    if "<" in html_text or "&" in html_text:
        pictures = " ".join(_PICTURE.findall(html_text))
        return to_plain(html_text).casefold() + (f"\x00{pictures}" if pictures else "")
    return " ".join(html_text.split()).casefold()


def duplicate_warnings(items: list[Item]) -> list[str]:
    """Warnings for a question text seen twice, and for an option repeated in its item."""
    same_stem: list[str] = []
    first_seen: dict[str, str] = {}
    for item in items:
        key = _visible(item.stem)
        if key in first_seen:
            same_stem.append(f"{item.source}: same question text as {first_seen[key]}")
        else:
            first_seen[key] = item.source
    same_option: list[str] = []
    for item in items:
        counts = Counter(_visible(option.text) for option in item.options)
        if len(counts) < len(item.options):
            same_option.extend(_repeated_options(item, counts))
    return _capped(same_stem, "repeated question texts") + _capped(same_option, "repeated options")


def _repeated_options(item: Item, counts: Counter) -> list[str]:
    letters: dict[str, list[str]] = {}
    for index, option in enumerate(item.options):
        key = _visible(option.text)
        if counts[key] > 1:
            letters.setdefault(key, []).append(_letter(index))
    return [f"{item.source}: options {', '.join(group[:-1])} and {group[-1]} have the same text"
            for group in letters.values()]


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _capped(warnings: list[str], kind: str) -> list[str]:
    if len(warnings) <= MAX_LISTED_WARNINGS:
        return warnings
    rest = len(warnings) - MAX_LISTED_WARNINGS
    return warnings[:MAX_LISTED_WARNINGS] + [f"... and {rest:,} more {kind}"]


def report(result: ParseResult) -> dict:
    """The import summary the CLI prints with ``--json`` (without bank and version)."""
    categories = Counter(item.category for item in result.items)
    return {
        "imported": len(result.items),
        "categories": dict(sorted(categories.items())),
        "skipped": [skipped.as_dict() for skipped in result.skipped],
        "warnings": list(result.warnings),
    }
