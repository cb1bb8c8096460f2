"""Moodle XML question export (``<quiz><question type="...">``).

Delivered: ``multichoice`` with ``<single>true</single>`` and ``truefalse``.
A ``category`` question sets the category of the questions after it. Every
other question type is skipped with its reason; a question we would deliver
but cannot read (no correct answer, a fraction that is not a number, an image
that is not in the file) refuses the whole file. See docs/formats/moodlexml.md.
"""
from __future__ import annotations

import base64
import binascii
import html
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote

import markdown as _markdown

from exam_server.banks.base import BankFormatError, ParseResult, Problem, Skipped, register
from exam_server.banks.categories import moodle_category
from exam_server.banks.importer import display_name
from exam_server.banks.inline_images import stored_picture
from exam_server.banks.media import lost
from exam_server.banks.safety import ImageRefused, XmlElement, is_zip, parse_xml, refuse
from exam_server.banks.svg import stored_image
from exam_server.banks.text import safe_html, sanitize, to_plain
from exam_server.domain.items import Item, Option

TRUE_TEXT, FALSE_TEXT = "True", "False"  # as the GIFT reader writes them

_TEXT_FORMATS = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
_SKIP_NAMES = {
    "essay": "essay (free text)", "shortanswer": "short answer", "numerical": "numerical",
    "matching": "matching", "cloze": "cloze (embedded answers)", "multianswer": "cloze (embedded answers)",
    "description": "description (no question to answer)", "calculated": "calculated",
    "calculatedsimple": "calculated", "calculatedmulti": "calculated multiple choice",
    "ddwtos": "drag and drop into text", "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers", "gapselect": "select missing words",
    "randomsamatch": "random short-answer matching", "random": "random",
}
_IMG = re.compile(r"<img\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_SRC = re.compile(r"((?<![\w-])src\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_PLUGINFILE = "@@PLUGINFILE@@/"


class _SkipItem(Exception):
    """The question is well formed but depends on something we cannot deliver."""


def category_name(path: str) -> str:
    """'$course$/top/TWK' -> 'TWK', '$course$/Iota/Kappa' -> 'Iota/Kappa'."""
    return moodle_category(path)


def _child(element: XmlElement, name: str) -> XmlElement | None:
    return element.find(name)


def _text_of(element: XmlElement | None) -> str:
    if element is None:
        return ""
    text = element.find("text")
    return "".join(text.itertext()) if text is not None else ""


def _flag(element: XmlElement | None, default: bool) -> bool:
    if element is None or not (element.text or "").strip():
        return default
    return (element.text or "").strip().lower() not in ("0", "false", "no")


class _Question:
    """Reads the texts of one ``<question>``, collecting its problems and the images it shows."""

    def __init__(self, filename: str, element: XmlElement, path: str):
        self.filename = filename
        self.element = element
        self.path = path
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.assets: dict[str, bytes] = {}
        self.all_files = {self._file_key(f): f for f in element.iter("file")}

    def where(self, element: XmlElement, path: str) -> str:
        return f"{self.filename}:{element.line} ({path})"

    def problem(self, element: XmlElement, path: str, reason: str) -> None:
        self.problems.append(Problem(self.where(element, path), reason))

    @staticmethod
    def _file_key(file: XmlElement) -> str:
        folder = (file.get("path") or "/").strip("/")
        name = file.get("name") or ""
        return f"{folder}/{name}" if folder else name

    def html(self, container: XmlElement | None, default_format: str, path: str, *, needed: bool = True) -> str:
        """Safe HTML of ``container/text``, its images turned into assets.

        What the sanitiser would drop (a sound, a video, a formula) skips the
        question when it is ``needed`` to answer it, and is warned about otherwise.
        """
        if container is None:
            return ""
        source = _text_of(container)
        declared = container.get("format", default_format)
        text_format = _TEXT_FORMATS.get(declared, "html")
        if text_format == "plain":
            return safe_html(source, "plain")
        if text_format == "markdown":
            source, text_format = _markdown.markdown(source.strip()), "html"
        files = {self._file_key(f): f for f in container.findall("file")}
        source = _IMG.sub(lambda m: self._rewrite_img(m.group(0), files, container, path), source)
        cleaned = safe_html(source, text_format)
        reason = lost(source, cleaned) if not self.problems else None
        if reason and needed:
            raise _SkipItem(reason)
        if reason:
            self.warnings.append(f"{self.where(container, path)}: the feedback loses something: {reason}")
        return cleaned

    def _rewrite_img(self, tag: str, files: dict, container: XmlElement, path: str) -> str:
        match = _SRC.search(tag)
        if not match:
            return tag
        src = html.unescape(match.group(2).strip("\"'")).strip()
        if not src:
            return tag
        name = self._image_for(src, files, container, path)
        if name is None:
            return tag
        return tag[: match.start(2)] + f'"asset:{name}"' + tag[match.end(2):]

    def _image_for(self, src: str, files: dict, container: XmlElement, path: str) -> str | None:
        if src.startswith(_PLUGINFILE):
            key = unquote(src[len(_PLUGINFILE):]).split("?", 1)[0]
            file = files.get(key) or self.all_files.get(key)
            if file is None:
                self.problem(container, path, f"image {src} has no matching <file> in the question")
                return None
            return self.store(self._decode_file(file, path), file.get("name") or key, container, path)
        if src.lower().startswith("data:"):
            return self._data_picture(src, container, path)
        raise _SkipItem(f"the image {src[:80]} is not inside the file (only embedded images can be stored)")

    def _decode_file(self, file: XmlElement, path: str) -> bytes | None:
        if (file.get("encoding") or "base64").lower() != "base64":
            self.problem(file, f"{path}/file", "an embedded file must be base64-encoded")
            return None
        return self.decode_base64(file.text or "", file, f"{path}/file")

    def decode_base64(self, payload: str, element: XmlElement, path: str) -> bytes | None:
        try:
            return base64.b64decode("".join(payload.split()), validate=True)
        except (binascii.Error, ValueError):
            self.problem(element, path, "the embedded image is not valid base64")
            return None

    def _data_picture(self, src: str, element: XmlElement, path: str) -> str | None:
        try:
            asset, data = stored_picture(src)
        except ImageRefused as exc:
            self.problem(element, path, str(exc))
            return None
        self.assets[asset] = data
        return asset

    def store(self, data: bytes | None, name: str, element: XmlElement, path: str) -> str | None:
        if data is None:
            return None
        try:
            asset, data = stored_image(data, name)
        except ImageRefused as exc:
            self.problem(element, path, str(exc))
            return None
        self.assets[asset] = data
        return asset


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self.result = ParseResult()
        self.category = ""

    def read(self, root: XmlElement) -> ParseResult:
        if root.tag != "quiz":
            where = f"{self.filename}:{root.line} (/{root.tag})"
            raise BankFormatError([Problem(where, f"the root element is <{root.tag}>; a Moodle XML "
                                                  "file starts with <quiz>")], filename=self.filename)
        questions = [child for child in root if child.tag == "question"]
        for index, element in enumerate(questions, 1):
            self.question(element, f"/quiz/question[{index}]")
        if self.problems:
            raise BankFormatError(self.problems, filename=self.filename)
        return self.result

    def question(self, element: XmlElement, path: str) -> None:
        kind = (element.get("type") or "").strip()
        title = " ".join(_text_of(_child(element, "name")).split())
        if not kind:
            self.problems.append(Problem(f"{self.filename}:{element.line} ({path})", "the question has no type"))
        elif kind == "category":
            self.category = category_name(_text_of(_child(element, "category")))
        elif kind == "multichoice" and not _flag(_child(element, "single"), True):
            self.skip(element, path, title, "multiple response (<single>false</single>): only "
                                            "single-answer questions are delivered")
        elif kind in ("multichoice", "truefalse"):
            self.deliverable(element, path, title, kind)
        else:
            name = _SKIP_NAMES.get(kind, kind)
            self.skip(element, path, title, f"{name} questions are not delivered: only single-answer "
                                            "multiple choice and true/false are")

    def skip(self, element: XmlElement, path: str, title: str, reason: str) -> None:
        label = title or to_plain(_text_of(_child(element, "questiontext")))[:60]
        self.result.skipped.append(Skipped(label, f"{element.line} ({path})", reason))

    def deliverable(self, element: XmlElement, path: str, title: str, kind: str) -> None:
        question = _Question(self.filename, element, path)
        try:
            item = self.build(question, title, kind)
        except _SkipItem as exc:
            self.skip(element, path, title, str(exc))
            return
        if question.problems:
            self.problems.extend(question.problems)
            return
        self.result.items.append(item)
        self.result.assets.update(question.assets)
        self.result.warnings.extend(question.warnings)

    def build(self, question: _Question, title: str, kind: str) -> Item:
        element, path = question.element, question.path
        text_element = _child(element, "questiontext")
        stem_format = text_element.get("format", "html") if text_element is not None else "html"
        stem = question.html(text_element, "html", f"{path}/questiontext") + _old_image(question)
        if not to_plain(stem) and "<img" not in stem and "<math" not in stem:
            question.problem(element, path, "the question text is empty")
        if kind == "truefalse":
            options, shuffle = _true_false(question, stem_format), False
        else:
            options, shuffle = _choices(question, stem_format), _flag(_child(element, "shuffleanswers"), True)
        idnumber = (getattr(_child(element, "idnumber"), "text", None) or "").strip()
        return Item(
            stem=stem, options=options, category=self.category, title=title, kind=kind,
            shuffle_options=shuffle,
            general_feedback=question.html(_child(element, "generalfeedback"), stem_format,
                                           f"{path}/generalfeedback", needed=False),
            tags=tuple(t for t in (" ".join(_text_of(tag).split()) for tag in element.iterfind("tags/tag")) if t),
            source=f"{self.filename}:{element.line} ({path})",
            extra={"idnumber": idnumber} if idnumber else {},
        )


def _old_image(question: _Question) -> str:
    """Moodle 1.9 kept one picture per question in <image> / <image_base64>."""
    image = _child(question.element, "image")
    name = (image.text or "").strip() if image is not None else ""
    if not name:
        return ""
    encoded = _child(question.element, "image_base64")
    if encoded is None or not (encoded.text or "").strip():
        raise _SkipItem(f"the image {name} is not inside the file (no <image_base64>)")
    path = f"{question.path}/image_base64"
    asset = question.store(question.decode_base64(encoded.text or "", encoded, path), name, encoded, path)
    return sanitize(f'<p><img src="asset:{asset}" alt=""></p>') if asset else ""


def _fraction(question: _Question, answer: XmlElement, path: str) -> Decimal | None:
    raw = (answer.get("fraction") or "0").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        question.problem(answer, path, f"fraction {raw!r} is not a number")
        return None
    if not value.is_finite() or not -100 <= value <= 100:
        question.problem(answer, path, f"fraction {raw} is outside -100..100")
        return None
    # Seven places, as Moodle writes fractions; "+ 0" turns -0 into 0.
    return ((value / 100).quantize(Decimal("1e-7")) + 0).normalize()


def _choices(question: _Question, stem_format: str) -> tuple[Option, ...]:
    options = []
    for index, answer in enumerate(question.element.findall("answer"), 1):
        path = f"{question.path}/answer[{index}]"
        weight = _fraction(question, answer, path)
        if not _text_of(answer).strip():
            continue  # Moodle ignores blank answers too
        text = question.html(answer, stem_format, path)
        feedback = question.html(_child(answer, "feedback"), stem_format, f"{path}/feedback", needed=False)
        options.append(Option(text=text, weight=weight if weight is not None else Decimal(0), feedback=feedback))
    if len(options) < 2:
        question.problem(question.element, question.path, "a multiple-choice question needs at least two answers")
    elif not any(option.weight == 1 for option in options):
        question.problem(question.element, question.path,
                         "no answer has fraction 100: a single-answer question needs one fully correct answer")
    keys = [chr(ord("A") + i) for i, option in enumerate(options) if option.weight == 1]
    if len(keys) > 1:  # as the GIFT and spreadsheet readers say it
        question.warnings.append(f"{question.where(question.element, question.path)}: options "
                                 f"{', '.join(keys)} all earn full credit")
    return tuple(options)


def _true_false(question: _Question, stem_format: str) -> tuple[Option, ...]:
    answers = question.element.findall("answer")
    if len(answers) != 2:
        question.problem(question.element, question.path,
                         f"a true/false question needs exactly two answers, not {len(answers)}")
        return ()
    found: dict[str, tuple[Decimal | None, str]] = {}
    for index, answer in enumerate(answers, 1):
        path = f"{question.path}/answer[{index}]"
        label = _text_of(answer).strip().lower()
        if label not in ("true", "false"):
            label = "true" if index == 1 else "false"  # old files: true first, as Moodle reads them
        feedback = question.html(_child(answer, "feedback"), stem_format, f"{path}/feedback", needed=False)
        found[label] = (_fraction(question, answer, path), feedback)
    if len(found) != 2:
        question.problem(question.element, question.path, "both answers say the same (true or false)")
        return ()
    correct = [label for label, (weight, _) in found.items() if weight == 1]
    if len(correct) != 1:
        question.problem(question.element, question.path,
                         "exactly one of the answers true and false must have fraction 100")
        return ()
    return tuple(Option(text, Decimal(1 if label == correct[0] else 0), feedback=found[label][1])
                 for label, text in (("true", TRUE_TEXT), ("false", FALSE_TEXT)))


_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


@register
class MoodleXmlFormat:
    name = "moodlexml"
    extensions = (".xml",)

    def sniff(self, data: bytes, filename: str) -> int:
        head = data[:4096]
        root = _ROOT.search(head)  # the first element: "<?xml" and "<!--" do not match
        if root is None or root.group(1) != b"quiz":
            return 0
        return 95 if b"<question" in head else 80

    def parse(self, data: bytes, filename: str) -> ParseResult:
        name = display_name(filename)
        if is_zip(data):
            raise refuse(name, "this is a zip file, not a Moodle XML file (a QTI content package? "
                               "import it with --format qti)")
        return _Reader(name).read(parse_xml(data, name))
