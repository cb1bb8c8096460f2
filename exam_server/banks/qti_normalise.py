"""QTI 2 and QTI 3 documents in one spelling: elements renamed to their QTI 2 names.

Every element is annotated with its path and its own name, so problems can
be located in the file as written. A file that mixes versions is refused.
"""
from __future__ import annotations

from exam_server.banks.base import BankFormatError, Problem
from exam_server.banks.safety import XmlElement, local_name, namespace

QTI2_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imsqti_v2p0": "2.0",
    "http://www.imsglobal.org/xsd/imsqti_v2p1": "2.1",
    "http://www.imsglobal.org/xsd/imsqti_v2p2": "2.2",
}
QTI3_NAMESPACE = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
MAX_LISTED = 20

QTI_ROOTS = {"assessmentItem", "qti-assessment-item", "assessmentTest", "qti-assessment-test"}


def _camel(kebab: str) -> str:
    head, *rest = kebab.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def normalise(root: XmlElement, where: str) -> str:
    """Rename a QTI document's elements to QTI 2 spelling; return its version.

    Every element gets ``path`` (its XPath with the file's own names) and
    ``qti_name`` (its own local name). A QTI 3 file that uses QTI 2 names,
    or the reverse, is refused: it is valid in neither version.
    """
    root_ns, root_name = namespace(root.tag), local_name(root.tag)
    if root_name == "questestinterop":
        raise refuse(where, root, "this is QTI 1.2 (questestinterop), which is not read; "
                                   "export the questions as QTI 2.1, 2.2 or 3.0")
    if root_ns == QTI3_NAMESPACE:
        version = "3.0"
    elif root_ns in QTI2_NAMESPACES or (not root_ns and root_name in QTI_ROOTS):
        version = QTI2_NAMESPACES.get(root_ns, "2.1")
    else:
        raise refuse(where, root, f"<{root_name}> in namespace {root_ns or '(none)'} is not a QTI document")
    problems: list[Problem] = []
    annotate(root, f"/{root_name}")
    for element in root.iter():
        problem = _rename(element, root_ns, version)
        if problem and len(problems) < MAX_LISTED:
            problems.append(Problem(f"{where}:{element.line} ({element.path})", problem))
    if problems:
        raise BankFormatError(problems, filename=where.split("!", 1)[0])
    return version


def annotate(root: XmlElement, path: str) -> None:
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


def refuse(where: str, element: XmlElement, reason: str) -> BankFormatError:
    return BankFormatError([Problem(f"{where}:{element.line} (/{local_name(element.tag)})", reason)],
                           filename=where.split("!", 1)[0])
