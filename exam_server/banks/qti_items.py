"""One QTI assessment item to an Item: its interaction, scoring rule, weights, stem and images."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable

from exam_server.banks.base import ParseResult, Problem, Skipped
from exam_server.banks.inline_images import stored_picture
from exam_server.banks.media import lost
from exam_server.banks.qti_html import Html
from exam_server.banks.safety import ImageRefused, XmlElement
from exam_server.banks.svg import stored_image
from exam_server.banks.text import safe_html, to_plain
from exam_server.domain.items import Item, Option

TRUE_FALSE_CLASS = "exam-truefalse"  # on the choiceInteraction: the item is true/false
TEMPLATES = ("match_correct", "map_response")
_PLACES = Decimal("1e-7")  # weights are kept to seven decimal places, as Moodle writes them


class SkipItem(Exception):
    """A well-formed item of a kind we do not deliver; the message is the reason."""


@dataclass
class Context:
    """Where an item file sits and what the package says about it."""

    where: str  # "file.xml" or "pkg.zip!items/a.xml"
    line_prefix: str  # "" for a single file, "items/a.xml:" in a package
    image: Callable[[str, XmlElement, "ItemReader"], "str | None"]
    category: str = ""
    tags: tuple[str, ...] = ()
    difficulty: str = ""
    assets: dict[str, bytes] = field(default_factory=dict)


class ItemReader:
    def __init__(self, root: XmlElement, context: Context):
        self.root = root
        self.context = context
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def where(self, element: XmlElement) -> str:
        return f"{self.context.where}:{element.line} ({element.path})"

    def problem(self, element: XmlElement, reason: str) -> None:
        self.problems.append(Problem(self.where(element), reason))

    def read(self) -> Item | None:
        root = self.root
        body = root.find("itemBody")
        interaction = self.interaction(body)
        declaration = self.declaration(interaction)
        self.check_choice_shape(interaction, declaration)
        choices = self.choices(interaction)
        rule = self.scoring_rule(interaction.get("responseIdentifier", ""))
        weights = self.weights(rule, declaration, choices)
        render = Html(lambda src, element: self.context.image(src, element, self), interaction)
        stem = self.kept(render.stem(body))
        if not to_plain(stem) and "<img" not in stem and "<math" not in stem:
            self.problem(body, "the item has no question text")
        options = tuple(self.option(render, choice, weights.get(choice.get("identifier"), Decimal(0)))
                        for choice in choices)
        feedback = [self.kept(render.inner(f), f) for f in root.findall("modalFeedback")]
        if self.problems:
            return None
        return Item(
            stem=stem, options=options, category=self.context.category, title=root.get("title", "").strip(),
            kind="truefalse" if TRUE_FALSE_CLASS in interaction.get("class", "").split() else "multichoice",
            shuffle_options=interaction.get("shuffle", "false").strip() == "true",
            general_feedback=_joined(feedback),
            difficulty=self.context.difficulty, tags=self.context.tags,
            source=f"{self.context.where}:{root.line} ({root.path})",
            extra={"identifier": root.get("identifier", "")},
        )

    def interaction(self, body: XmlElement | None) -> XmlElement:
        if self.root.get("adaptive", "false").strip() == "true":
            raise SkipItem("adaptive item (its feedback and score change over several attempts)")
        if self.root.find("templateProcessing") is not None or self.root.find("templateDeclaration") is not None:
            raise SkipItem("template item (its values are drawn at random)")
        found = [e for e in body.iter() if isinstance(e.tag, str) and e.tag.endswith("Interaction")] \
            if body is not None else []
        if not found:
            raise SkipItem("informational item: it has no interaction to answer")
        names = ", ".join(dict.fromkeys(e.qti_name for e in found))
        if len(found) > 1:
            raise SkipItem(f"{len(found)} interactions ({names}): only items with one single-answer "
                            "choice interaction are delivered")
        if found[0].tag != "choiceInteraction":
            raise SkipItem(f"{names} is not delivered: only single-answer choice interactions are")
        return found[0]

    def declaration(self, interaction: XmlElement) -> XmlElement:
        identifier = interaction.get("responseIdentifier", "")
        for declaration in self.root.findall("responseDeclaration"):
            if declaration.get("identifier") == identifier:
                return declaration
        self.problem(interaction, f"responseIdentifier {identifier!r} has no responseDeclaration")
        raise _Refused

    def check_choice_shape(self, interaction: XmlElement, declaration: XmlElement) -> None:
        cardinality = declaration.get("cardinality", "")
        if cardinality != "single":
            raise SkipItem(f"{interaction.qti_name} with {cardinality or 'no'} cardinality (multiple response) "
                            "is not delivered: only single-answer choice is")
        raw = interaction.get("maxChoices", "1").strip()
        if raw != "1":
            raise SkipItem(f"{interaction.qti_name} with maxChoices={raw} (multiple response) is not "
                            "delivered: only single-answer choice is")

    def choices(self, interaction: XmlElement) -> list[XmlElement]:
        choices = interaction.findall("simpleChoice")
        identifiers = [c.get("identifier", "") for c in choices]
        for choice, identifier in zip(choices, identifiers):
            if not identifier or identifiers.count(identifier) > 1:
                self.problem(choice, f"choice identifier {identifier!r} is missing or used twice")
        if len(choices) < 2:
            self.problem(interaction, "a choice interaction needs at least two choices")
        return choices

    def scoring_rule(self, response: str) -> str:
        processing = self.root.find("responseProcessing")
        if processing is None:
            raise SkipItem("no response processing: the item is not scored")
        template = (processing.get("template") or "").strip()
        if template:
            base = posixpath.splitext(template.rstrip("/").rsplit("/", 1)[-1])[0]
            if base not in TEMPLATES:
                raise SkipItem(f"response processing template {base} is not supported "
                                f"(only {' and '.join(TEMPLATES)})")
            return base
        return _custom_rule(processing, response)

    def weights(self, rule: str, declaration: XmlElement, choices: list[XmlElement]) -> dict[str, Decimal]:
        identifiers = [c.get("identifier", "") for c in choices]
        mapping = declaration.find("mapping")
        if rule == "map_response":
            if mapping is None:
                self.problem(declaration, "map_response scoring needs a <mapping> in the responseDeclaration")
                return {}
            return self.mapped_weights(mapping, identifiers)
        correct = [(v.text or "").strip() for v in declaration.iterfind("correctResponse/value")]
        if not correct:
            raise SkipItem("no correct response: the item cannot be scored")
        if len(correct) > 1:
            self.problem(declaration, f"single cardinality but {len(correct)} correct values")
        elif correct[0] not in identifiers:
            self.problem(declaration, f"the correct response {correct[0]!r} is not one of the choices "
                                      f"({', '.join(identifiers)})")
        if mapping is not None:
            self.warnings.append(f"{self.where(mapping)}: the mapping is not used, because the response "
                                 "processing is match_correct (right = 1, others 0)")
        return {correct[0]: Decimal(1)}

    def mapped_weights(self, mapping: XmlElement, identifiers: list[str]) -> dict[str, Decimal]:
        default = self.number(mapping, "defaultValue", "0")
        lower, upper = self.number(mapping, "lowerBound", None), self.number(mapping, "upperBound", None)
        values = {identifier: default for identifier in identifiers}
        for entry in mapping.findall("mapEntry"):
            key = entry.get("mapKey", "")
            if key not in values:
                self.problem(entry, f"mapKey {key!r} is not one of the choices ({', '.join(identifiers)})")
            values[key] = self.number(entry, "mappedValue", None) or Decimal(0)
        for key, value in values.items():
            values[key] = min(max(value, lower if lower is not None else value),
                              upper if upper is not None else value)
        best = max(values.values(), default=Decimal(0))
        if best <= 0:
            self.problem(mapping, "no choice earns points under the mapping")
            return {}
        weights = {key: ((value / best).quantize(_PLACES) + 0).normalize() for key, value in values.items()}
        for key, weight in weights.items():
            if weight < -1:
                self.problem(mapping, f"choice {key!r} would cost more than the item is worth "
                                      f"(weight {weight}, the lowest allowed is -1)")
        return weights

    def number(self, element: XmlElement, attribute: str, default: str | None) -> Decimal | None:
        raw = element.get(attribute, default)
        if raw is None:
            return None
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or abs(value) > 1_000_000_000:
            self.problem(element, f"{attribute}={raw!r} is not a usable number")
            return Decimal(0)
        return value.quantize(_PLACES)

    def kept(self, source: str, feedback: XmlElement | None = None) -> str:
        """Safe HTML of rendered body content; losing what the question needs skips the item."""
        cleaned = safe_html(source, "html")
        reason = lost(source, cleaned) if not self.problems else None
        if reason and feedback is None:
            raise SkipItem(reason)
        if reason:
            self.warnings.append(f"{self.where(feedback)}: the feedback loses something: {reason}")
        return cleaned

    def option(self, render: Html, choice: XmlElement, weight: Decimal) -> Option:
        feedback = "".join(self.kept(render.inner(f), f) for f in choice.findall("feedbackInline"))
        return Option(text=self.kept(render.inner(choice)), weight=weight,
                      fixed=choice.get("fixed", "false").strip() == "true", feedback=feedback)


def _joined(blocks: list[str]) -> str:
    distinct = list(dict.fromkeys(block for block in blocks if block))
    return distinct[0] if len(distinct) == 1 else "".join(f"<p>{block}</p>" for block in distinct)


class _Refused(Exception):
    """The item has a problem that was recorded; stop reading it."""


def _custom_rule(processing: XmlElement, response: str) -> str:
    """Custom processing that only compares against the correct response, or maps it."""
    for match in processing.iter("match"):
        operands = [(child.tag, child.get("identifier")) for child in match]
        if ("variable", response) in operands and ("correct", response) in operands:
            return "match_correct"
    for mapped in processing.iter("mapResponse"):
        if mapped.get("identifier") == response:
            return "map_response"
    raise SkipItem("custom response processing that does more than compare with the correct response")


def read_item(root: XmlElement, context: Context, result: ParseResult, problems: list[Problem]) -> None:
    reader = ItemReader(root, context)
    label = root.get("title") or root.get("identifier") or context.where
    try:
        item = reader.read()
    except SkipItem as exc:
        result.skipped.append(Skipped(label, f"{context.line_prefix}{root.line} ({root.path})", str(exc)))
        return
    except _Refused:
        item = None
    problems.extend(reader.problems)
    if item is not None:
        result.items.append(item)
        result.assets.update(context.assets)
        result.warnings.extend(reader.warnings)


def outside_image(src: str) -> str | None:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src) or src.startswith("//"):
        return f"the image {src[:80]} is outside the file; only images inside it can be stored"
    return None


def store(reader: ItemReader, element: XmlElement, data: bytes, name: str) -> str | None:
    try:
        asset, data = stored_image(data, name)
    except ImageRefused as exc:
        reader.problem(element, str(exc))
        return None
    reader.context.assets[asset] = data
    return asset


def inline_image(src: str, element: XmlElement, reader: ItemReader) -> str | None:
    try:
        asset, data = stored_picture(src)
    except ImageRefused as exc:
        reader.problem(element, str(exc))
        return None
    reader.context.assets[asset] = data
    return asset


def loose_image(src: str, element: XmlElement, reader: ItemReader) -> str | None:
    if src.lower().startswith("data:"):
        return inline_image(src, element, reader)
    raise SkipItem(outside_image(src) or f"the image {src} is not in this file: import the content "
                                            "package (.zip) that holds the item and its images")
