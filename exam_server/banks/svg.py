"""SVG pictures made safe to show: a strict allow-list of SVG elements and attributes.

A picture is shown through ``<img>``, where a browser runs no script, and the
kiosk's policy forbids scripts anyway; cleaning is the second wall. Whatever
is not on the lists goes: scripts, event handlers (``on*``), animation (it
can rewrite a link), ``foreignObject`` (HTML inside the picture), markup of
other namespaces (editors' own data), every reference that leaves the
picture (only ``#fragment`` links, and raster ``data:`` images, remain) and
a ``<use>`` of a group that itself holds a ``<use>`` (they multiply).
The file is parsed with defusedxml: no DTD, no entities, no external files.
"""
from __future__ import annotations

import hashlib
import re
from xml.etree import ElementTree as ET

from exam_server.banks.base import BankFormatError
from exam_server.banks.safety import ImageRefused, image_asset_name, looks_like_svg, namespace, parse_xml, sniff_image

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset({
    "svg", "g", "defs", "title", "desc", "symbol", "use", "switch", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath", "image", "a",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feDropShadow",
    "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feMerge",
    "feMergeNode", "feMorphology", "feOffset",
})
ATTRIBUTES = frozenset({
    "id", "class", "style", "transform", "lang", "version", "viewBox", "preserveAspectRatio",
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "dx", "dy",
    "width", "height", "d", "points", "pathLength", "rotate", "textLength", "lengthAdjust",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap",
    "stroke-linejoin", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity",
    "color", "display", "visibility", "overflow", "clip-path", "clip-rule", "mask", "filter",
    "marker-start", "marker-mid", "marker-end", "paint-order", "vector-effect", "shape-rendering",
    "text-rendering", "image-rendering", "color-interpolation-filters",
    "font-family", "font-size", "font-weight", "font-style", "font-variant", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "startOffset", "method", "spacing", "side",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
    "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient",
    "filterUnits", "primitiveUnits", "stdDeviation", "in", "in2", "result", "mode", "operator",
    "k1", "k2", "k3", "k4", "values", "type", "tableValues", "slope", "intercept", "amplitude",
    "exponent", "flood-color", "flood-opacity", "radius", "media", "href",
})
_RASTER = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.I)
# url(...) pointing anywhere but into the picture itself, imports, old IE expressions, script URLs
_UNSAFE_CSS = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(|javascript:|\\", re.I)


class SvgRefused(ValueError):
    """The bytes are not an SVG picture we can clean; the message says why."""


def clean_svg(data: bytes, name: str) -> bytes:
    """The picture with only allow-listed SVG left, as UTF-8 XML; ``SvgRefused`` when it is no SVG."""
    try:
        root = parse_xml(data, name)
    except BankFormatError as exc:
        raise SvgRefused(f"{name}: not a readable SVG image ({exc.problems[0].reason})") from None
    if root.tag != f"{{{SVG}}}svg":
        raise SvgRefused(f"{name}: not an SVG image (the root element must be <svg> in the SVG namespace)")
    _clean(root)
    _unnest_uses(root)
    _plain_names(root)
    root.set("xmlns", SVG)
    root.set("xmlns:xlink", XLINK)
    return ET.tostring(root, encoding="utf-8")


def _clean(element: ET.Element) -> None:
    kept: list[ET.Element] = []
    carried: list[str] = []  # the text after a removed element stays in its parent's text flow
    for child in list(element):
        if _allowed(child):
            _carry(element, kept, carried)
            _clean(child)
            kept.append(child)
        elif child.tail:
            carried.append(child.tail)
    _carry(element, kept, carried)
    element[:] = kept
    for attribute, value in list(element.attrib.items()):
        if not _safe_attribute(element, attribute, value):
            del element.attrib[attribute]
    if element.tag == f"{{{SVG}}}style" and _UNSAFE_CSS.search(element.text or ""):
        element.text = ""


def _unnest_uses(root: ET.Element) -> None:
    """A <use> of something that holds a <use> loses its link: nested, they multiply (a "billion laughs")."""
    use = f"{{{SVG}}}use"
    holding = {element.get("id") for element in root.iter()
               if element.get("id") and any(inner.tag == use for inner in element.iter() if inner is not element)}
    for element in root.iter(use):
        for attribute in ("href", f"{{{XLINK}}}href"):
            if element.get(attribute, "").strip()[1:] in holding:
                del element.attrib[attribute]


def _carry(parent: ET.Element, kept: list[ET.Element], carried: list[str]) -> None:
    if carried:
        text = "".join(carried)
        carried.clear()
        if kept:
            kept[-1].tail = (kept[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text


def _plain_names(root: ET.Element) -> None:
    # Written with the usual prefixes (no ns0:), without touching ElementTree's global prefix map.
    prefixes = {XLINK: "xlink:", XML: "xml:"}
    for element in root.iter():
        element.tag = element.tag.split("}", 1)[1]
        for attribute in [a for a in element.attrib if a.startswith("{")]:
            ns, local = attribute[1:].split("}", 1)
            element.attrib[prefixes[ns] + local] = element.attrib.pop(attribute)


def _allowed(element: ET.Element) -> bool:
    tag = element.tag
    return isinstance(tag, str) and namespace(tag) == SVG and tag.split("}", 1)[1] in ELEMENTS


def _safe_attribute(element: ET.Element, attribute: str, value: str) -> bool:
    ns = namespace(attribute)
    local = attribute.rsplit("}", 1)[-1]
    if ns == XML:
        return local in ("space", "lang")
    if ns not in ("", XLINK) or (ns == XLINK and local != "href"):
        return False
    if local == "href":
        target = value.strip()
        return target.startswith("#") or (element.tag == f"{{{SVG}}}image" and bool(_RASTER.match(target)))
    if local not in ATTRIBUTES:
        return False
    return not _UNSAFE_CSS.search(value)


def stored_image(data: bytes, original_name: str) -> tuple[str, bytes]:
    """(asset name, bytes to store) for a picture; an SVG is stored cleaned (see ``banks.svg``).

    Raises ``ImageRefused`` for anything that is not PNG, JPEG, GIF, WebP or SVG.
    """
    if sniff_image(data) is None and looks_like_svg(data, original_name):
        try:
            cleaned = clean_svg(data, original_name)
        except SvgRefused as exc:
            raise ImageRefused(str(exc)) from None
        return hashlib.sha256(cleaned).hexdigest()[:32] + ".svg", cleaned
    return image_asset_name(data, original_name), data
