"""Word's automatic numbering: which paragraphs are numbered 1, 2, 3 and which A, B, C.

A numbered paragraph names a numbering instance and a level (``w:numPr``),
directly or through its paragraph style ("List Number"); the numbering part
says which format that level counts in ("decimal", "upperLetter",
"lowerLetter", "bullet", ...). The question reader needs only that format.
"""
from __future__ import annotations

from docx.oxml.ns import qn


def numbering_formats(document) -> dict[tuple[str, str], str]:  # noqa: ANN001
    """(numId, level) -> number format ("decimal", "upperLetter", "lowerLetter", "bullet", ...)."""
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for definition in root.iterchildren(qn("w:abstractNum")):
        levels = {}
        for level in definition.iterchildren(qn("w:lvl")):
            fmt = level.find(qn("w:numFmt"))
            levels[level.get(qn("w:ilvl"), "0")] = fmt.get(qn("w:val"), "") if fmt is not None else ""
        abstract[definition.get(qn("w:abstractNumId"), "")] = levels
    formats = {}
    for num in root.iterchildren(qn("w:num")):
        reference = num.find(qn("w:abstractNumId"))
        levels = abstract.get(reference.get(qn("w:val"), "") if reference is not None else "", {})
        for level, fmt in levels.items():
            formats[(num.get(qn("w:numId"), ""), level)] = fmt
    return formats


def style_numbering(document, formats: dict[tuple[str, str], str]) -> dict[str, str]:  # noqa: ANN001
    """Paragraph style id -> the number format its own numbering gives (e.g. "List Number")."""
    found = {}
    for style in document.styles.element.iterchildren(qn("w:style")):
        numbered = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        if numbered is None:
            continue
        found[style.get(qn("w:styleId"), "")] = formats.get(numbering_key(numbered), "")
    return found


def numbering_key(numbered) -> tuple[str, str]:  # noqa: ANN001 - a w:numPr element
    num_id, level = numbered.find(qn("w:numId")), numbered.find(qn("w:ilvl"))
    return (num_id.get(qn("w:val"), "") if num_id is not None else "",
            level.get(qn("w:val"), "0") if level is not None else "0")
