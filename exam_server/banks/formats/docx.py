"""Word (.docx): numbered questions, lettered options, a key line or weights, as offices write them.

A question starts with its number (``1.`` or ``1)``, typed or Word's
automatic numbering) and runs to the next one. Options are ``A.`` to ``E.``
(or ``a)``, or Word's lettered numbering); a ``Kunci: B`` (``Jawaban: B``)
line names the key; ``Bobot: A=5, B=4, ...`` lines or a table of options and
weights give TKP weights; ``Kategori: TWK`` sets the category of the
questions that follow; ``Pembahasan:`` starts the explanation. Paragraphs
between these lines belong to the stem or option before them, with their
bold, italic, sub/superscript, tables and pictures. See docs/formats/docx.md.

The document is checked as a zip first (sizes, names, zip bombs, no DTDs),
then read with python-docx. Every problem names its paragraph and question;
the file is refused when there is any.
"""
from __future__ import annotations

import io
import re

from exam_server.banks.base import ParseResult, register
from exam_server.banks.docx_blocks import Block, BodyReader
from exam_server.banks.docx_questions import Question, QuestionBuilder
from exam_server.banks.importer import ProblemList, display_name, refuse
from exam_server.banks.safety import is_zip, open_zip

_ASSET_REFERENCE = re.compile(r'src="asset:([A-Za-z0-9._-]+)"')
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NUMBER = re.compile(r"^\s*(?:soal\s*)?(\d{1,4})\s*[.)]\s*(?=\S)", re.IGNORECASE)
_OPTION = re.compile(r"^\s*\(?([A-Za-z])\s*[.)]\s*")
_KEY = re.compile(r"^\s*(?:kunci(?:\s+jawaban)?|jawaban(?:\s+benar)?|key|answer)\s*[:=]\s*(.*)$", re.IGNORECASE)
_WEIGHTS = re.compile(r"^\s*(?:bobot(?:\s+nilai)?|nilai|skor|weights?)\s*[:=]\s*(.*)$", re.IGNORECASE)
_CATEGORY = re.compile(r"^\s*(?:kategori|category)\s*[:=]\s*(.*)$", re.IGNORECASE)
_EXPLANATION = re.compile(r"^\s*(?:pembahasan|penjelasan|explanation)\s*[:=]\s*", re.IGNORECASE)


@register
class DocxFormat:
    name = "docx"
    extensions = (".docx",)

    def sniff(self, data: bytes, filename: str) -> int:
        if display_name(filename).lower().endswith(".docx"):
            return 95
        if data.startswith(_OLE_MAGIC) and display_name(filename).lower().endswith(".doc"):
            return 50  # an old Word file: parse() says to save it as .docx
        return 92 if is_zip(data) and b"word/document.xml" in data else 0

    def parse(self, data: bytes, filename: str) -> ParseResult:
        name = display_name(filename)
        document = _open(data, name)
        reader = BodyReader(document)
        result = ParseResult()
        _Reader(name, result).read(reader.blocks())
        result.assets.update(_used(reader.assets, result))
        return result


def _open(data: bytes, name: str):  # noqa: ANN202 - a python-docx Document
    if data.startswith(_OLE_MAGIC):
        raise refuse(name, "this is a Word 97-2003 document (.doc); open it in Word and save it as .docx", name)
    archive = open_zip(data, name)  # sizes, names and zip bombs, before python-docx unpacks anything
    if "word/document.xml" not in archive:
        raise refuse(name, "this zip is not a Word document (.docx): it has no word/document.xml", name)
    for member in archive.names():
        if member.endswith((".xml", ".rels")) and b"<!DOCTYPE" in archive.read(member):
            raise refuse(archive.where(member), "a document type declaration (DTD) is not allowed", name)
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds of errors on a damaged document
        raise refuse(name, f"this Word document cannot be read: {type(exc).__name__}: {exc}", name) from None


def _used(assets: dict[str, bytes], result: ParseResult) -> dict[str, bytes]:
    """The pictures of the items kept (a skipped question's pictures are not stored)."""
    shown = set()
    for item in result.items:
        for text in (item.stem, item.general_feedback, *(option.text for option in item.options)):
            shown.update(_ASSET_REFERENCE.findall(text))
    return {name: data for name, data in assets.items() if name in shown}


class _Reader:
    """Walks the blocks once, opening a question at each number and filling it line by line."""

    def __init__(self, name: str, result: ParseResult):
        self.name = name
        self.result = result
        self.problems = ProblemList(name)
        self.builder = QuestionBuilder(name, result, self.problems)
        self.question: Question | None = None
        self.category = ""
        self.ordinal = 0
        self.preamble = 0

    def read(self, blocks: list[Block]) -> None:
        for block in blocks:
            self.block(block)
        self.close()
        if not self.ordinal and not self.problems:
            self.problems.add(1, "no numbered question found (write '1.' before the first question) / "
                                 "tidak ada soal bernomor")
        if self.preamble:
            self.result.warnings.append(f"{self.name}: {self.preamble} paragraph(s) before question 1 ignored "
                                        f"(title or instructions)")
        self.problems.raise_if_any()

    def close(self) -> None:
        if self.question is not None:
            self.builder.finish(self.question)
            self.question = None

    def block(self, block: Block) -> None:
        text = block.text.strip()
        if block.table is None and not text and not block.has_picture():
            return
        if block.table is None and self.special(block, text):
            return
        # A number inside a stem ("1) ... 2) ..." statements) is text: only
        # after the options can a number start the next question.
        number = self.number(block, text) if self.question is None or self.question.options else None
        if number is not None:
            self.close()
            self.ordinal += 1
            self.question = Question(number[0], block.number, self.category)
            self.question.add_stem(block, number[1])
            return
        if self.question is None:
            self.preamble += 1
            return
        option = self.option(block, text)
        if option is not None:
            self.question.add_option(block, option[1])
        else:
            self.question.add_more(block)

    def special(self, block: Block, text: str) -> bool:
        """Category, key, weights and explanation lines; True when ``block`` was one."""
        if match := _CATEGORY.match(text):
            if self.question is not None and self.question.options:
                self.close()
            self.category = " ".join(match.group(1).split())
            if self.question is not None:
                self.question.category = self.category
            return True
        if self.question is None:
            return False
        if match := _KEY.match(text):
            self.question.key_line(block, match.group(1).strip())
        elif match := _WEIGHTS.match(text):
            self.question.weight_line(block, match.group(1).strip())
        elif match := _EXPLANATION.match(text):
            self.question.explanation(block, match.end())
        else:
            return False
        return True

    def number(self, block: Block, text: str) -> tuple[str, int] | None:
        """(the question's number, characters to drop) when ``block`` starts a question."""
        if block.table is not None:
            return None
        if block.numbering == "decimal":
            return str(self.ordinal + 1), 0
        if block.numbering:
            return None
        match = _NUMBER.match(text)
        leading = len(block.text) - len(block.text.lstrip())
        return (match.group(1), leading + match.end()) if match else None

    def option(self, block: Block, text: str) -> tuple[str, int] | None:
        """(the option's letter, characters to drop) when ``block`` is the next option."""
        question = self.question
        if block.table is not None or question.after_options:
            return None
        expected = chr(ord("A") + len(question.options))
        if block.numbering in ("upperLetter", "lowerLetter"):
            return expected, 0
        match = _OPTION.match(text)
        if match and match.group(1).upper() == expected and len(text) > match.end() - 1:
            leading = len(block.text) - len(block.text.lstrip())
            return expected, leading + match.end()
        return None
