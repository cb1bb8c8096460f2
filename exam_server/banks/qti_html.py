"""QTI body content to HTML (still to be sanitised), with images as ``asset:`` names."""
from __future__ import annotations

import html
from typing import Callable

from exam_server.banks.safety import XmlElement
from exam_server.banks.text import to_plain

XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_DROP = {"feedbackBlock", "feedbackInline", "modalFeedback", "printedVariable", "templateBlock",
         "templateInline", "stylesheet", "catalogInfo", "companionMaterialsInfo", "endAttemptInteraction"}
_VOID = {"br", "hr", "img", "col", "wbr"}

ImageResolver = Callable[[str, XmlElement], "str | None"]


def _text(text: str | None) -> str:
    return html.escape(text or "", quote=False)


class Html:
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
        if tag == f"{{{SVG_NAMESPACE}}}svg":  # kept as a mark, so that the loss of the drawing is seen
            return "<svg></svg>"
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
