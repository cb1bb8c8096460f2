"""IMS QTI 2.1, 2.2 and 3.0: one assessmentItem file, or a content package (.zip).

Delivered: an item whose one interaction is a ``choiceInteraction`` with
single cardinality and ``maxChoices="1"``, scored by the ``match_correct``
or ``map_response`` template (or by custom processing that does the same).
Other items are skipped with a reason naming their interaction. QTI 3 names
(``qti-choice-interaction``, ``max-choices``) are read by turning them into
their QTI 2 spelling first, so one reader serves every version.

Weights under ``map_response``: each choice's mapped value (the mapping's
default for a choice it does not list, within its lower and upper bound)
divided by the highest of those values, so the best choice weighs 1 and a
negative value is a penalty. See docs/formats/qti.md.
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable

from exam_server.banks.base import BankFormatError, ParseResult, Problem, Skipped, register
from exam_server.banks.importer import display_name
from exam_server.banks.safety import (
    ImageRefused, SafeZip, XmlElement, data_url_bytes, image_asset_name, is_zip, local_name,
    namespace, open_zip, parse_xml, resolve_href,
)
from exam_server.banks.text import safe_html, to_plain
from exam_server.domain.items import Item, Option

QTI2_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imsqti_v2p0": "2.0",
    "http://www.imsglobal.org/xsd/imsqti_v2p1": "2.1",
    "http://www.imsglobal.org/xsd/imsqti_v2p2": "2.2",
}
QTI3_NAMESPACE = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
TRUE_FALSE_CLASS = "exam-truefalse"  # on the choiceInteraction: the item is true/false
TEMPLATES = ("match_correct", "map_response")
MAX_LISTED = 20
_PLACES = Decimal("1e-7")  # weights are kept to seven decimal places, as Moodle writes them

_ITEM_TYPE = re.compile(r"^imsqti_item_xmlv(2p0|2p1|2p2|3p0)$")
_TEST_TYPE = re.compile(r"^imsqti_test_xmlv(2p0|2p1|2p2|3p0)$")
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_DROP = {"feedbackBlock", "feedbackInline", "modalFeedback", "printedVariable", "templateBlock",
         "templateInline", "stylesheet", "catalogInfo", "companionMaterialsInfo", "endAttemptInteraction"}
_VOID = {"br", "hr", "img", "col", "wbr"}
_QTI_ROOTS = {"assessmentItem", "qti-assessment-item", "assessmentTest", "qti-assessment-test"}


class _SkipItem(Exception):
    """A well-formed item of a kind we do not deliver; the message is the reason."""


def _camel(kebab: str) -> str:
    head, *rest = kebab.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# ------------------------------------------------------------ normalising


def normalise(root: XmlElement, where: str) -> str:
    """Rename a QTI document's elements to QTI 2 spelling; return its version.

    Every element gets ``path`` (its XPath with the file's own names) and
    ``qti_name`` (its own local name). A QTI 3 file that uses QTI 2 names,
    or the reverse, is refused: it is valid in neither version.
    """
    root_ns, root_name = namespace(root.tag), local_name(root.tag)
    if root_name == "questestinterop":
        raise _refuse(where, root, "this is QTI 1.2 (questestinterop), which is not read; "
                                   "export the questions as QTI 2.1, 2.2 or 3.0")
    if root_ns == QTI3_NAMESPACE:
        version = "3.0"
    elif root_ns in QTI2_NAMESPACES or (not root_ns and root_name in _QTI_ROOTS):
        version = QTI2_NAMESPACES.get(root_ns, "2.1")
    else:
        raise _refuse(where, root, f"<{root_name}> in namespace {root_ns or '(none)'} is not a QTI document")
    problems: list[Problem] = []
    _annotate(root, f"/{root_name}")
    for element in root.iter():
        problem = _rename(element, root_ns, version)
        if problem and len(problems) < MAX_LISTED:
            problems.append(Problem(f"{where}:{element.line} ({element.path})", problem))
    if problems:
        raise BankFormatError(problems, filename=where.split("!", 1)[0])
    return version


def _annotate(root: XmlElement, path: str) -> None:
    stack = [(root, path)]
    while stack:
        element, element_path = stack.pop()
        element.path = element_path
        element.qti_name = local_name(element.tag)
        seen: dict[str, int] = {}
        for child in element:
            name = local_name(child.tag)
            if not name:
                continue
            seen[name] = seen.get(name, 0) + 1
            stack.append((child, f"{element_path}/{name}[{seen[name]}]"))


def _rename(element: XmlElement, root_ns: str, version: str) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None
    ns, name = namespace(tag), local_name(tag)
    if ns == MATHML_NAMESPACE:
        element.tag = name
        return None
    if ns in QTI2_NAMESPACES or ns == QTI3_NAMESPACE:
        if ns != root_ns:
            return f"<{name}> is in the namespace {ns}, but the document is QTI {version}: the file mixes versions"
    elif ns:
        return None  # foreign markup: left as it is, shown as its text
    if version == "3.0":
        if any(ch.isupper() for ch in name):
            return (f"<{name}> is a QTI 2 element name in a QTI 3 document (namespace {QTI3_NAMESPACE}); "
                    f"QTI 3 writes qti-kebab-case names: the file mixes QTI 2 and QTI 3")
        if name.startswith("qti-"):
            element.tag = _camel(name[4:])
            element.attrib = {_camel(k) if "-" in k and not k.startswith(("data-", "aria-")) else k: v
                              for k, v in element.attrib.items()}
            return None
    elif name.startswith("qti-"):
        return (f"<{name}> is a QTI 3 element name in a QTI {version} document: "
                f"the file mixes QTI 2 and QTI 3")
    element.tag = name
    return None


def _refuse(where: str, element: XmlElement, reason: str) -> BankFormatError:
    return BankFormatError([Problem(f"{where}:{element.line} (/{local_name(element.tag)})", reason)],
                           filename=where.split("!", 1)[0])


# ------------------------------------------------------------------ HTML

ImageResolver = Callable[[str, XmlElement], "str | None"]


def _text(text: str | None) -> str:
    return html.escape(text or "", quote=False)


class _Html:
    """QTI body content -> HTML (still to be sanitised), images as ``asset:`` names."""

    def __init__(self, image: ImageResolver, interaction: XmlElement | None = None):
        self.image = image
        self.interaction = interaction

    def inner(self, element: XmlElement) -> str:
        parts = [_text(element.text)]
        for child in element:
            if isinstance(child.tag, str):
                parts.append(self.element(child))
            parts.append(_text(child.tail))
        return "".join(parts)

    def stem(self, body: XmlElement) -> str:
        """The body around the interaction, the prompt in its place.

        A body that holds nothing but the interaction has the prompt as its
        whole question text (as our exporter writes it).
        """
        prompt = self.interaction.find("prompt") if self.interaction is not None else None
        alone = (prompt is not None and not (body.text or "").strip()
                 and all(child is self.interaction and not (child.tail or "").strip() for child in body))
        return self.inner(prompt) if alone else self.inner(body)

    def element(self, element: XmlElement) -> str:
        tag = element.tag
        if element is self.interaction:
            prompt = element.find("prompt")
            return f"<div>{self.inner(prompt)}</div>" if prompt is not None else ""
        if tag.startswith("{"):  # markup from another namespace: its text only
            return self.inner(element)
        if tag in _DROP or tag.endswith("Interaction"):
            return ""
        if tag == "rubricBlock":
            return f"<div>{self.inner(element)}</div>" if "candidate" in element.get("view", "").split() else ""
        if tag in ("contentBody", "prompt"):
            return self.inner(element)
        if tag == "object" and element.get("type", "").startswith("image/"):
            return self.img(element, element.get("data", ""), to_plain(self.inner(element)))
        if tag == "img":
            return self.img(element, element.get("src", ""), element.get("alt"))
        attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in self.attributes(element))
        if tag in _VOID:
            return f"<{tag}{attributes}>"
        return f"<{tag}{attributes}>{self.inner(element)}</{tag}>"

    @staticmethod
    def attributes(element: XmlElement) -> list[tuple[str, str]]:
        found = []
        for name, value in element.attrib.items():
            if name == f"{{{XML_NAMESPACE}}}lang":
                name = "lang"
            if not name.startswith("{"):
                found.append((name, value))
        return found

    def img(self, element: XmlElement, src: str, alt: str | None) -> str:
        asset = self.image(src, element) if src.strip() else None
        source = f' src="asset:{asset}"' if asset else ""
        alt_text = f' alt="{html.escape(alt)}"' if alt is not None else ""
        size = "".join(f' {n}="{html.escape(element.get(n, ""))}"' for n in ("width", "height") if element.get(n))
        return f"<img{source}{alt_text}{size}>"


# ------------------------------------------------------------------ items


@dataclass
class _Context:
    """Where an item file sits and what the package says about it."""

    where: str  # "file.xml" or "pkg.zip!items/a.xml"
    line_prefix: str  # "" for a single file, "items/a.xml:" in a package
    image: Callable[[str, XmlElement, "_ItemReader"], "str | None"]
    category: str = ""
    tags: tuple[str, ...] = ()
    difficulty: str = ""
    assets: dict[str, bytes] = field(default_factory=dict)


class _ItemReader:
    def __init__(self, root: XmlElement, context: _Context):
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
        render = _Html(lambda src, element: self.context.image(src, element, self), interaction)
        stem = safe_html(render.stem(body), "html")
        if not to_plain(stem) and "<img" not in stem and "<math" not in stem:
            self.problem(body, "the item has no question text")
        options = tuple(self.option(render, choice, weights.get(choice.get("identifier"), Decimal(0)))
                        for choice in choices)
        feedback = [safe_html(render.inner(f), "html") for f in root.findall("modalFeedback")]
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
            raise _SkipItem("adaptive item (its feedback and score change over several attempts)")
        if self.root.find("templateProcessing") is not None or self.root.find("templateDeclaration") is not None:
            raise _SkipItem("template item (its values are drawn at random)")
        found = [e for e in body.iter() if isinstance(e.tag, str) and e.tag.endswith("Interaction")] \
            if body is not None else []
        if not found:
            raise _SkipItem("informational item: it has no interaction to answer")
        names = ", ".join(dict.fromkeys(e.qti_name for e in found))
        if len(found) > 1:
            raise _SkipItem(f"{len(found)} interactions ({names}): only items with one single-answer "
                            "choice interaction are delivered")
        if found[0].tag != "choiceInteraction":
            raise _SkipItem(f"{names} is not delivered: only single-answer choice interactions are")
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
            raise _SkipItem(f"{interaction.qti_name} with {cardinality or 'no'} cardinality (multiple response) "
                            "is not delivered: only single-answer choice is")
        raw = interaction.get("maxChoices", "1").strip()
        if raw != "1":
            raise _SkipItem(f"{interaction.qti_name} with maxChoices={raw} (multiple response) is not "
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
            raise _SkipItem("no response processing: the item is not scored")
        template = (processing.get("template") or "").strip()
        if template:
            base = posixpath.splitext(template.rstrip("/").rsplit("/", 1)[-1])[0]
            if base not in TEMPLATES:
                raise _SkipItem(f"response processing template {base} is not supported "
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
            raise _SkipItem("no correct response: the item cannot be scored")
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

    def option(self, render: _Html, choice: XmlElement, weight: Decimal) -> Option:
        feedback = "".join(safe_html(render.inner(f), "html") for f in choice.findall("feedbackInline"))
        return Option(text=safe_html(render.inner(choice), "html"), weight=weight,
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
    raise _SkipItem("custom response processing that does more than compare with the correct response")


def _read_item(root: XmlElement, context: _Context, result: ParseResult, problems: list[Problem]) -> None:
    reader = _ItemReader(root, context)
    label = root.get("title") or root.get("identifier") or context.where
    try:
        item = reader.read()
    except _SkipItem as exc:
        result.skipped.append(Skipped(label, f"{context.line_prefix}{root.line} ({root.path})", str(exc)))
        return
    except _Refused:
        item = None
    problems.extend(reader.problems)
    if item is not None:
        result.items.append(item)
        result.assets.update(context.assets)
        result.warnings.extend(reader.warnings)


def _outside_image(src: str) -> str | None:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src) or src.startswith("//"):
        return f"the image {src[:80]} is outside the file; only images inside it can be stored"
    return None


def _store(reader: _ItemReader, element: XmlElement, data: bytes, name: str) -> str | None:
    try:
        asset = image_asset_name(data, name)
    except ImageRefused as exc:
        reader.problem(element, str(exc))
        return None
    reader.context.assets[asset] = data
    return asset


def _inline_image(src: str, element: XmlElement, reader: _ItemReader) -> str | None:
    try:
        data = data_url_bytes(src)
    except ValueError:
        reader.problem(element, "the data: URL of an image cannot be decoded")
        return None
    return _store(reader, element, data, "image")


def _loose_image(src: str, element: XmlElement, reader: _ItemReader) -> str | None:
    if src.lower().startswith("data:"):
        return _inline_image(src, element, reader)
    raise _SkipItem(_outside_image(src) or f"the image {src} is not in this file: import the content "
                                            "package (.zip) that holds the item and its images")


# --------------------------------------------------------------- packages


class _Package:
    def __init__(self, archive: SafeZip):
        self.zip = archive
        self.problems: list[Problem] = []
        self.result = ParseResult()
        self.parsed: dict[str, XmlElement | None] = {}
        self.declared: dict[str, tuple[str, XmlElement]] = {}  # test member -> (type, resource)

    def where(self, member: str, element: XmlElement | None = None) -> str:
        base = self.zip.where(member)
        return f"{base}:{element.line} ({element.path})" if element is not None else base

    def load(self, member: str) -> XmlElement | None:
        """The normalised root of a QTI file in the package, or None (problem recorded)."""
        if member not in self.parsed:
            try:
                root = parse_xml(self.zip.read(member), self.zip.where(member))
                normalise(root, self.zip.where(member))
                self.parsed[member] = root
            except BankFormatError as exc:
                self.problems.extend(exc.problems)
                self.parsed[member] = None
        return self.parsed[member]

    def member(self, base: str, href: str, element: XmlElement, what: str) -> str | None:
        target = resolve_href(base, href)
        if not href.strip():
            self.problems.append(Problem(self.where(base, element), f"the {what} has no href"))
        elif target is None:
            self.problems.append(Problem(self.where(base, element),
                                         f"{what} {href!r} points outside the package: refused"))
        elif target not in self.zip:
            self.problems.append(Problem(self.where(base, element), f"{what} {href!r} is not in the package"))
            return None
        return target

    def image(self, src: str, element: XmlElement, reader: _ItemReader) -> str | None:
        if src.lower().startswith("data:"):
            return _inline_image(src, element, reader)
        outside = _outside_image(src)
        if outside:
            raise _SkipItem(outside)
        base = reader.context.where.split("!", 1)[1]
        target = resolve_href(base, src)
        if target is None:
            reader.problem(element, f"the image {src!r} points outside the package: refused")
        elif target not in self.zip:
            reader.problem(element, f"the image {src!r} is not in the package")
        else:
            return _store(reader, element, self.zip.read(target), target)
        return None

    def read(self) -> ParseResult:
        if "imsmanifest.xml" not in self.zip:
            self.problems.append(Problem(self.zip.filename, "no imsmanifest.xml at the top of the zip: "
                                                            "this is not an IMS content package"))
            return self.finish()
        loaded = self.load_manifest()
        if loaded is None:
            return self.finish()
        items, tests = loaded
        order: dict[str, dict] = {}
        for test in tests:
            for member, category in self.test_refs(test):
                order.setdefault(member, {"category": category})
        for member, meta in items.items():
            order.setdefault(member, {}).update(meta)
        if not order and not self.problems:
            self.problems.append(Problem(self.where("imsmanifest.xml"), "the manifest lists no QTI items or tests"))
        for member, meta in order.items():
            self.item(member, meta)
        return self.finish()

    def finish(self) -> ParseResult:
        if self.problems:
            raise BankFormatError(self.problems, filename=self.zip.filename)
        return self.result

    def load_manifest(self) -> tuple[dict[str, dict], list[str]] | None:
        try:
            manifest = parse_xml(self.zip.read("imsmanifest.xml"), self.zip.where("imsmanifest.xml"))
        except BankFormatError as exc:
            self.problems.extend(exc.problems)
            return None
        _annotate(manifest, f"/{local_name(manifest.tag)}")
        if local_name(manifest.tag) != "manifest":
            self.problems.append(Problem(self.where("imsmanifest.xml", manifest),
                                         "the root element of imsmanifest.xml must be <manifest>"))
            return None
        items: dict[str, dict] = {}
        tests: list[str] = []
        for resource in (e for e in manifest.iter() if local_name(e.tag) == "resource"):
            kind = resource.get("type", "")
            is_item, is_test = bool(_ITEM_TYPE.match(kind)), bool(_TEST_TYPE.match(kind))
            if not (is_item or is_test):
                continue
            for file in (e for e in resource if local_name(e.tag) == "file"):
                self.member("imsmanifest.xml", file.get("href", ""), file, "file")
            target = self.member("imsmanifest.xml", resource.get("href", ""), resource, f"{kind} resource")
            if target and is_item:
                items[target] = {"declared": kind, **_lom(resource)}
            elif target:
                tests.append(target)
                self.declared[target] = (kind, resource)
        return items, tests

    def test_refs(self, member: str) -> list[tuple[str, str]]:
        root = self.load(member)
        if root is None:
            return []
        if root.tag != "assessmentTest":
            kind, resource = self.declared[member]
            self.problems.append(Problem(self.where("imsmanifest.xml", resource),
                                         f"{member} is declared as a test ({kind}) but holds <{root.qti_name}>"))
            return []
        refs: list[tuple[str, str]] = []
        self.collect_refs(member, root, "", refs)
        return refs

    def collect_refs(self, member: str, element: XmlElement, category: str, refs: list) -> None:
        for child in element:
            if child.tag == "assessmentSection":
                self.collect_refs(member, child, child.get("title", "").strip() or category, refs)
            elif child.tag == "assessmentItemRef":
                target = self.member(member, child.get("href", ""), child, "item reference")
                if target:
                    refs.append((target, category))
            elif child.tag == "testPart":
                self.collect_refs(member, child, category, refs)
            elif child.tag == "assessmentSectionRef":
                self.result.warnings.append(
                    f"{self.where(member, child)}: the section reference {child.get('href', '')!r} is not "
                    "followed; its items are imported only when the manifest lists them")

    def item(self, member: str, meta: dict) -> None:
        root = self.load(member)
        if root is None:
            return
        if root.tag != "assessmentItem":
            reason = (f"declared as an item ({meta['declared']}) but holds <{root.qti_name}>" if "declared" in meta
                      else f"a test refers to it as an item, but it holds <{root.qti_name}>")
            self.problems.append(Problem(self.where(member, root), reason))
            return
        context = _Context(self.zip.where(member), f"{member}:", self.image, meta.get("category", ""),
                           meta.get("tags", ()), meta.get("difficulty", ""))
        _read_item(root, context, self.result, self.problems)


def _lom(resource: XmlElement) -> dict:
    """Tags (LOM keywords) and difficulty from a manifest resource's metadata."""
    tags: list[str] = []
    difficulty = ""
    for element in resource.iter():
        name = local_name(element.tag)
        if name == "keyword":
            tags.extend(" ".join("".join(s.itertext()).split()) for s in element.iter()
                        if local_name(s.tag) == "string")
        elif name == "difficulty":
            values = [" ".join("".join(v.itertext()).split()) for v in element.iter() if local_name(v.tag) == "value"]
            difficulty = next((v for v in values if v), difficulty)
    return {"tags": tuple(dict.fromkeys(t for t in tags if t)), "difficulty": difficulty}


# ---------------------------------------------------------------- format


def _read_single(data: bytes, filename: str) -> ParseResult:
    root = parse_xml(data, filename)
    if local_name(root.tag) == "manifest":
        raise _refuse(filename, root, "an imsmanifest.xml alone holds no items: import the whole "
                                      "content package as a .zip")
    normalise(root, filename)
    if root.tag == "assessmentTest":
        raise _refuse(filename, root, "an assessmentTest refers to items in other files: import the "
                                      "content package (.zip) that holds the test and its items")
    if root.tag != "assessmentItem":
        raise _refuse(filename, root, f"<{root.qti_name}> is not an assessment item")
    result, problems = ParseResult(), []
    _read_item(root, _Context(filename, "", _loose_image), result, problems)
    if problems:
        raise BankFormatError(problems, filename=filename)
    return result


def _sniff_xml(head: bytes) -> int:
    match = _ROOT.search(head)
    if not match:
        return 0
    name = match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1]
    if name in _QTI_ROOTS:
        return 95
    if name == "questestinterop" or (name == "manifest" and b"imsqti" in head):
        return 60
    return 0


@register
class QtiFormat:
    name = "qti"
    extensions = (".zip", ".xml")

    def sniff(self, data: bytes, filename: str) -> int:
        if is_zip(data):
            if b"[Content_Types].xml" in data:
                return 0  # an Office document (xlsx), not a content package
            return 90 if b"imsmanifest.xml" in data else 20
        return _sniff_xml(data[:4096])

    def parse(self, data: bytes, filename: str) -> ParseResult:
        name = display_name(filename)
        if is_zip(data) or name.lower().endswith(".zip"):
            return _Package(open_zip(data, name)).read()
        return _read_single(data, name)
