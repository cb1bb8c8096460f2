"""Export items as an IMS QTI 2.2 content package (.zip) that our QTI reader reads back.

Layout: ``imsmanifest.xml``; ``assessment.xml``, a test with one section per
run of items of the same category (the section title is the category);
``items/item-0001.xml`` and so on, one item per file; ``images/NAME`` for
every asset an item shows. Tags and difficulty go into the manifest as LOM
metadata; a true/false item carries ``class="exam-truefalse"`` on its
interaction. See docs/formats/qti.md.
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from html.parser import HTMLParser
from typing import Mapping, Sequence
from xml.etree import ElementTree as ET

from exam_server.banks.export import register_exporter
from exam_server.banks.text import ASSET_SCHEME
from exam_server.domain.items import Item
from exam_server.errors import ExamError

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/LOM"
MATHML = "http://www.w3.org/1998/Math/MathML"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "xml:lang"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p2/rptemplates/"
TRUE_FALSE_CLASS = "exam-truefalse"
_VOID = {"br", "hr", "img", "col", "wbr"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # content-addressed: no folders, no '..'


# Trees are built with plain element names and each root declares its
# namespaces itself (ElementTree cannot give a default namespace to a tree
# whose attributes have no namespace).


class _FragmentBuilder(HTMLParser):
    """Safe HTML (as the importers store it) -> QTI XML content under ``parent``."""

    def __init__(self, parent: ET.Element, images: dict[str, str]):
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.images = images  # asset name -> package path, filled as images are met
        self.math_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = self._attributes(tag, attrs)
        if tag == "math" and not self.math_depth:
            attributes["xmlns"] = MATHML
        if tag == "math" or self.math_depth:
            self.math_depth += tag not in _VOID
        element = ET.SubElement(self.stack[-1], tag, attributes)
        if tag not in _VOID:
            self.stack.append(element)

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> dict[str, str]:
        found = {}
        for name, value in attrs:
            value = _NOT_XML.sub("", value or "")
            if tag == "img" and name == "src" and value.startswith(ASSET_SCHEME):
                asset = value[len(ASSET_SCHEME):]
                self.images[asset] = f"images/{asset}"
                value = f"../images/{asset}"
            found[XML_LANG if name == "lang" else name] = value
        return found

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or len(self.stack) == 1:
            return
        if self.math_depth:
            self.math_depth -= 1
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        data = _NOT_XML.sub("", data)
        current = self.stack[-1]
        if len(current):
            current[-1].tail = (current[-1].tail or "") + data
        else:
            current.text = (current.text or "") + data


def _content(parent: ET.Element, fragment: str, images: dict[str, str]) -> ET.Element:
    builder = _FragmentBuilder(parent, images)
    builder.feed(fragment)
    builder.close()
    return parent


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _item_xml(item: Item, identifier: str, images: dict[str, str]) -> bytes:
    root = ET.Element("assessmentItem", {
        "xmlns": QTI, "xmlns:xsi": XSI,
        "xsi:schemaLocation": f"{QTI} http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2.xsd",
        "identifier": identifier, "title": _NOT_XML.sub("", item.title),
        "adaptive": "false", "timeDependent": "false"})
    keys = [f"C{i}" for i in range(1, len(item.options) + 1)]
    weights = [option.weight for option in item.options]
    plain = weights.count(Decimal(1)) == 1 and all(w in (0, 1) for w in weights)
    declaration = ET.SubElement(root, "responseDeclaration",
                                {"identifier": "RESPONSE", "cardinality": "single", "baseType": "identifier"})
    correct = [key for key, weight in zip(keys, weights) if weight == 1]
    if correct:
        ET.SubElement(ET.SubElement(declaration, "correctResponse"), "value").text = correct[0]
    if not plain:
        mapping = ET.SubElement(declaration, "mapping", {"defaultValue": "0"})
        for key, weight in zip(keys, weights):
            ET.SubElement(mapping, "mapEntry", {"mapKey": key, "mappedValue": _number(weight)})
    score = ET.SubElement(root, "outcomeDeclaration",
                          {"identifier": "SCORE", "cardinality": "single", "baseType": "float"})
    ET.SubElement(ET.SubElement(score, "defaultValue"), "value").text = "0"
    if item.general_feedback or any(option.feedback for option in item.options):
        ET.SubElement(root, "outcomeDeclaration",
                      {"identifier": "FEEDBACK", "cardinality": "single", "baseType": "identifier"})
    body = ET.SubElement(root, "itemBody")
    attributes = {"responseIdentifier": "RESPONSE", "shuffle": str(item.shuffle_options).lower(), "maxChoices": "1"}
    if item.kind == "truefalse":
        attributes["class"] = TRUE_FALSE_CLASS
    interaction = ET.SubElement(body, "choiceInteraction", attributes)
    _content(ET.SubElement(interaction, "prompt"), item.stem, images)
    for key, option in zip(keys, item.options):
        choice = _content(ET.SubElement(interaction, "simpleChoice",
                                        {"identifier": key, **({"fixed": "true"} if option.fixed else {})}),
                          option.text, images)
        if option.feedback:
            _content(ET.SubElement(choice, "feedbackInline",
                                   {"outcomeIdentifier": "FEEDBACK", "identifier": key, "showHide": "show"}),
                     option.feedback, images)
    template = "match_correct" if plain else "map_response"
    ET.SubElement(root, "responseProcessing", {"template": TEMPLATES + template})
    if item.general_feedback:
        _content(ET.SubElement(root, "modalFeedback",
                               {"outcomeIdentifier": "FEEDBACK", "identifier": "GENERAL", "showHide": "hide"}),
                 item.general_feedback, images)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _test_xml(items: list[Item], identifiers: list[str]) -> bytes:
    root = ET.Element("assessmentTest", {"xmlns": QTI, "identifier": "bank", "title": "Question bank"})
    part = ET.SubElement(root, "testPart", {"identifier": "part", "navigationMode": "nonlinear",
                                                 "submissionMode": "individual"})
    section = None
    for number, (item, identifier) in enumerate(zip(items, identifiers), 1):
        if section is None or section.get("title") != _NOT_XML.sub("", item.category):
            section = ET.SubElement(part, "assessmentSection", {
                "identifier": f"section-{number:04d}", "title": _NOT_XML.sub("", item.category), "visible": "true"})
        ET.SubElement(section, "assessmentItemRef", {"identifier": identifier, "href": f"items/{identifier}.xml"})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _lom(resource: ET.Element, item: Item) -> None:
    if not item.tags and not item.difficulty:
        return
    lom = ET.SubElement(ET.SubElement(resource, "metadata"), "imsmd:lom")
    if item.tags:
        general = ET.SubElement(lom, "imsmd:general")
        for tag in item.tags:
            keyword = ET.SubElement(general, "imsmd:keyword")
            ET.SubElement(keyword, "imsmd:string", {"language": "x-none"}).text = _NOT_XML.sub("", tag)
    if item.difficulty:
        difficulty = ET.SubElement(ET.SubElement(lom, "imsmd:educational"), "imsmd:difficulty")
        ET.SubElement(difficulty, "imsmd:source").text = "LOMv1.0"
        ET.SubElement(difficulty, "imsmd:value").text = _NOT_XML.sub("", item.difficulty)


def _manifest_xml(items: list[Item], identifiers: list[str], item_images: list[dict[str, str]]) -> bytes:
    root = ET.Element("manifest", {"xmlns": CP, "xmlns:imsmd": LOM, "identifier": "exam-bank"})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.2 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    test = ET.SubElement(resources, "resource",
                         {"identifier": "bank", "type": "imsqti_test_xmlv2p2", "href": "assessment.xml"})
    ET.SubElement(test, "file", {"href": "assessment.xml"})
    for identifier in identifiers:
        ET.SubElement(test, "dependency", {"identifierref": identifier})
    for item, identifier, images in zip(items, identifiers, item_images):
        href = f"items/{identifier}.xml"
        resource = ET.SubElement(resources, "resource",
                                 {"identifier": identifier, "type": "imsqti_item_xmlv2p2", "href": href})
        _lom(resource, item)
        ET.SubElement(resource, "file", {"href": href})
        for path in sorted(set(images.values())):
            ET.SubElement(resource, "file", {"href": path})
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


@register_exporter("qti", extension=".zip", media_type="application/zip")
def export_qti(items: Sequence[Item], assets: Mapping[str, bytes]) -> bytes:
    """A QTI 2.2 content package of ``items``, with the images they show from ``assets``.

    Raises ``ExamError`` when an item shows an image that ``assets`` lacks
    (code ``missing_asset``: the bank is damaged, and a package without the
    image would be refused on import) or whose name is not a plain file name
    (code ``bad_asset``).
    """
    items = list(items)
    identifiers = [f"item-{number:04d}" for number in range(1, len(items) + 1)]
    item_images: list[dict[str, str]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item, identifier in zip(items, identifiers):
            images: dict[str, str] = {}
            _write(archive, f"items/{identifier}.xml", _item_xml(item, identifier, images))
            item_images.append(images)
        _write(archive, "assessment.xml", _test_xml(items, identifiers))
        _write(archive, "imsmanifest.xml", _manifest_xml(items, identifiers, item_images))
        for asset in sorted({name for images in item_images for name in images}):
            if not _ASSET_NAME.match(asset) or ".." in asset:
                raise ExamError(f"an item shows an image with the invalid name {asset!r}", code="bad_asset")
            if asset not in assets:
                raise ExamError(f"an item shows the image {asset}, which is not among the bank's assets",
                                code="missing_asset")
            _write(archive, f"images/{asset}", assets[asset])
    return buffer.getvalue()
