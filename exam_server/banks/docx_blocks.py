"""A Word document's body as a list of blocks: paragraphs and tables, with their text, HTML and pictures.

The question reader (``formats/docx.py``) looks at each block's plain text to
find question numbers, options and key lines, and takes the HTML of what lies
between them. Kept from Word: bold, italic, underline, subscript,
superscript, line breaks, tables and pictures (stored as assets by content,
as the other formats store theirs). An equation (OMML, or an old Equation
Editor object) cannot be shown faithfully: its block says so, and the
question holding it is skipped.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from exam_server.banks.docx_numbering import numbering_formats, numbering_key, style_numbering
from exam_server.banks.safety import ImageRefused, image_asset_name, sniff_image

_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_DRAWING_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_VML_IMAGE = "{urn:schemas-microsoft-com:vml}imagedata"
_OLE = "{urn:schemas-microsoft-com:office:office}OLEObject"
_R_EMBED, _R_LINK, _R_ID = qn("r:embed"), qn("r:link"), qn("r:id")
_STYLES = (("b", "b"), ("i", "i"), ("u", "u"), ("sub", "sub"), ("sup", "sup"))
_CONTAINERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}
_SKIPPED_TAGS = {qn("w:pPr"), qn("w:rPr"), qn("w:sdtPr"), qn("w:del"), qn("w:moveFrom"), qn("w:commentRangeStart"),
                 qn("w:commentRangeEnd"), qn("w:bookmarkStart"), qn("w:bookmarkEnd")}

EQUATION = "persamaan/equation: the question holds a Word equation, which cannot be shown faithfully " \
           "(write it as a picture, or as text with sub/superscript)"


@dataclass
class Piece:
    """Text in one style, or a piece of ready HTML (a picture, a line break)."""

    text: str = ""
    style: tuple[str, ...] = ()
    html: str = ""


@dataclass
class Block:
    """One paragraph or table of the document body, numbered from 1 in reading order."""

    number: int
    pieces: list[Piece] = field(default_factory=list)
    numbering: str = ""  # Word's automatic numbering format: "decimal", "upperLetter", ...
    table: list[list[str]] | None = None  # a table's cell texts, row by row
    cells_html: list[list[str]] = field(default_factory=list)  # and their HTML
    table_html: str = ""
    skip_reason: str = ""  # the question holding this block cannot be delivered

    @property
    def text(self) -> str:
        if self.table is not None:
            return " | ".join(" | ".join(row) for row in self.table)
        return "".join(piece.text for piece in self.pieces)

    def html(self, drop: int = 0) -> str:
        """The block as HTML, without its first ``drop`` characters of text (a "1." or "A.")."""
        if self.table is not None:
            return self.table_html
        return _pieces_html(_dropped(self.pieces, drop)).strip()

    def has_picture(self) -> bool:
        return "<img" in self.table_html or any("<img" in piece.html for piece in self.pieces)


class BodyReader:
    """Turns ``document.element.body`` into blocks; pictures land in ``assets``."""

    def __init__(self, document):  # noqa: ANN001 - a python-docx Document
        self.part = document.part
        self.numbering = numbering_formats(document)
        self.styles = style_numbering(document, self.numbering)
        self.assets: dict[str, bytes] = {}
        self.count = 0

    def blocks(self, container=None) -> list[Block]:  # noqa: ANN001 - lxml elements
        found = []
        for child in (container if container is not None else self.part.element.body).iterchildren():
            if child.tag == qn("w:p"):
                self.count += 1
                found.append(self.paragraph(child, self.count))
            elif child.tag == qn("w:tbl"):
                self.count += 1
                found.append(self.table(child, self.count))
            elif child.tag in _CONTAINERS:  # content controls and custom XML hold paragraphs too
                found.extend(self.blocks(child))
        return found

    def paragraph(self, element, number: int) -> Block:  # noqa: ANN001
        block = Block(number, numbering=self.numbering_format(element))
        self.walk(element, block)
        return block

    def table(self, element, number: int) -> Block:  # noqa: ANN001
        block = Block(number, table=[])
        rows_html = []
        for row in element.iterchildren(qn("w:tr")):
            texts, cells = [], []
            for cell in row.iterchildren(qn("w:tc")):
                parts = self.cell(cell, number)
                block.skip_reason = block.skip_reason or next((p.skip_reason for p in parts if p.skip_reason), "")
                texts.append(" ".join(p.text.strip() for p in parts).strip())
                cells.append("<br>".join(p.html() for p in parts if p.html()))
            block.table.append(texts)
            block.cells_html.append(cells)
            rows_html.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        block.table_html = "<table><tbody>" + "".join(rows_html) + "</tbody></table>"
        return block

    def cell(self, cell, number: int) -> list[Block]:  # noqa: ANN001
        """The paragraphs and tables of one table cell, each a block with the table's number."""
        parts = []
        for child in cell.iterchildren():
            if child.tag == qn("w:p"):
                parts.append(self.paragraph(child, number))
            elif child.tag == qn("w:tbl"):
                parts.append(self.table(child, number))
            elif child.tag in _CONTAINERS:
                parts.extend(self.cell(child, number))
        return parts

    def numbering_format(self, paragraph) -> str:  # noqa: ANN001
        properties = paragraph.find(qn("w:pPr"))
        numbered = properties.find(qn("w:numPr")) if properties is not None else None
        if numbered is None and properties is not None:
            style = properties.find(qn("w:pStyle"))
            return self.styles.get(style.get(qn("w:val"), "")) or "" if style is not None else ""
        if numbered is None:
            return ""
        return self.numbering.get(numbering_key(numbered), "")

    def walk(self, element, block: Block) -> None:  # noqa: ANN001
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED_TAGS:
                continue
            if tag.startswith(_MATH):
                block.skip_reason = block.skip_reason or EQUATION
            elif tag == qn("w:r"):
                self.run(child, block)
            elif tag == _MC + "AlternateContent":
                self.walk(self.alternative(child), block)
            else:
                self.walk(child, block)

    def run(self, run, block: Block) -> None:  # noqa: ANN001
        style = _run_style(run.find(qn("w:rPr")))
        for child in run.iterchildren():
            tag = child.tag
            if tag == qn("w:t"):
                block.pieces.append(Piece(child.text or "", style))
            elif tag == qn("w:tab"):
                block.pieces.append(Piece(" ", style))
            elif tag in (qn("w:br"), qn("w:cr")):
                block.pieces.append(Piece(html="<br>"))
            elif tag in (qn("w:drawing"), qn("w:pict"), qn("w:object")) or tag == _MC + "AlternateContent":
                self.pictures(child, block)

    def pictures(self, element, block: Block) -> None:  # noqa: ANN001
        if any(ole.get("ProgID", "").startswith("Equation") for ole in element.iter(_OLE)):
            block.skip_reason = block.skip_reason or EQUATION
            return
        if element.tag == _MC + "AlternateContent":
            element = self.alternative(element)
            if _has_math(element):
                block.skip_reason = block.skip_reason or EQUATION
                return
        for blip in element.iter(_DRAWING_BLIP, _VML_IMAGE):
            relation = blip.get(_R_EMBED) or blip.get(_R_ID)
            if not relation:
                block.skip_reason = block.skip_reason or (
                    "a picture linked to a file outside the document (insert the picture itself)"
                    if blip.get(_R_LINK) else "a picture without its data")
                continue
            self.picture(relation, _alt_text(element), block)

    def alternative(self, element):  # noqa: ANN001, ANN201 - an mc:AlternateContent element
        """The branch of an mc:AlternateContent to read: Word's own markup, or its picture.

        An equation that Word also saved as a picture (the Fallback) is read
        as that picture, when it is one we can show: it is what the author saw.
        """
        choice, fallback = element.find(_MC + "Choice"), element.find(_MC + "Fallback")
        if choice is None:
            return fallback if fallback is not None else element
        if fallback is not None and _has_math(choice) and self.shows_raster_pictures(fallback):
            return fallback
        return choice

    def shows_raster_pictures(self, element) -> bool:  # noqa: ANN001
        relations = [e.get(_R_EMBED) or e.get(_R_ID) for e in element.iter(_DRAWING_BLIP, _VML_IMAGE)]
        parts = [self.part.related_parts.get(r) for r in relations if r]
        return bool(parts) and len(parts) == len(relations) and all(
            p is not None and sniff_image(p.blob) for p in parts)

    def picture(self, relation: str, alt: str, block: Block) -> None:
        part = self.part.related_parts.get(relation)
        if part is None:
            block.skip_reason = block.skip_reason or f"a picture whose data is missing (relation {relation})"
            return
        data = part.blob
        try:
            name = image_asset_name(data, str(part.partname))
        except ImageRefused as exc:
            block.skip_reason = block.skip_reason or (
                f"{exc}; save the picture as PNG or JPEG and insert it again")
            return
        self.assets[name] = data
        block.pieces.append(Piece(html=f'<img src="asset:{name}" alt="{html.escape(alt)}">'))


def _has_math(element) -> bool:  # noqa: ANN001
    return any(isinstance(e.tag, str) and e.tag.startswith(_MATH) for e in element.iter())


def _alt_text(element) -> str:  # noqa: ANN001
    for properties in element.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        return (properties.get("descr") or "").strip()
    return ""


def _run_style(properties) -> tuple[str, ...]:  # noqa: ANN001
    if properties is None:
        return ()
    found = []
    for tag, name in (("w:b", "b"), ("w:i", "i"), ("w:u", "u")):
        element = properties.find(qn(tag))
        if element is not None and element.get(qn("w:val"), "true").lower() not in ("false", "0", "none", "off"):
            found.append(name)
    position = properties.find(qn("w:vertAlign"))
    value = position.get(qn("w:val"), "") if position is not None else ""
    if value == "subscript":
        found.append("sub")
    elif value == "superscript":
        found.append("sup")
    return tuple(found)


def _dropped(pieces: list[Piece], count: int) -> list[Piece]:
    """``pieces`` without their first ``count`` characters of text (pictures before them stay)."""
    kept = []
    for piece in pieces:
        if count and piece.text:
            cut = min(count, len(piece.text))
            count -= cut
            piece = Piece(piece.text[cut:], piece.style)
            if not piece.text:
                continue
        kept.append(piece)
    if kept and kept[0].text:
        kept[0] = Piece(kept[0].text.lstrip(), kept[0].style)
    return kept


def _pieces_html(pieces: list[Piece]) -> str:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and not piece.html and not merged[-1].html and merged[-1].style == piece.style:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.style)
        else:
            merged.append(piece)
    out = []
    for piece in merged:
        if piece.html:
            out.append(piece.html)
            continue
        text = html.escape(piece.text, quote=False)
        for tag, wanted in _STYLES:
            if wanted in piece.style:
                text = f"<{tag}>{text}</{tag}>"
        out.append(text)
    return "".join(out)
