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

import re

from exam_server.banks.base import BankFormatError, ParseResult, register
from exam_server.banks.importer import display_name
from exam_server.banks.qti_html import XML_NAMESPACE, ImageResolver  # noqa: F401 - importable from here
from exam_server.banks.qti_items import TEMPLATES, TRUE_FALSE_CLASS, Context, loose_image, read_item  # noqa: F401
from exam_server.banks.qti_normalise import (  # noqa: F401 - importable from here
    QTI_ROOTS, MATHML_NAMESPACE, MAX_LISTED, QTI2_NAMESPACES, QTI3_NAMESPACE, refuse, normalise,
)
from exam_server.banks.qti_package import Package
from exam_server.banks.safety import is_zip, local_name, open_zip, parse_xml

_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


# ---------------------------------------------------------------- format


def _read_single(data: bytes, filename: str) -> ParseResult:
    root = parse_xml(data, filename)
    if local_name(root.tag) == "manifest":
        raise refuse(filename, root, "an imsmanifest.xml alone holds no items: import the whole "
                                      "content package as a .zip")
    normalise(root, filename)
    if root.tag == "assessmentTest":
        raise refuse(filename, root, "an assessmentTest refers to items in other files: import the "
                                      "content package (.zip) that holds the test and its items")
    if root.tag != "assessmentItem":
        raise refuse(filename, root, f"<{root.qti_name}> is not an assessment item")
    result, problems = ParseResult(), []
    read_item(root, Context(filename, "", loose_image), result, problems)
    if problems:
        raise BankFormatError(problems, filename=filename)
    return result


def _sniff_xml(head: bytes) -> int:
    match = _ROOT.search(head)
    if not match:
        return 0
    name = match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1]
    if name in QTI_ROOTS:
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
            return Package(open_zip(data, name)).read()
        return _read_single(data, name)
