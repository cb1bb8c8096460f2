"""Turn question text in any source format into safe HTML for a kiosk.

Every text that leaves an importer passes through ``safe_html``: no script, no
event handler, no style that loads anything, and no resource outside the bank
itself (images must be ``asset:NAME``, stored with the bank, or a PNG, JPEG,
GIF or WebP ``data:`` picture inside the file, which the importer stores as
an asset, see ``inline_images``, before any text is kept).
"""
from __future__ import annotations

import html
import re

import markdown as _markdown
import nh3

TEXT_FORMATS = ("html", "plain", "markdown", "moodle")

ASSET_SCHEME = "asset:"
# A picture written into the text (GIFT and spreadsheet exports carry theirs
# so); the importer stores it as an asset before the text is kept.
# (``name=`` carries an asset name whose extension is not the usual one, e.g. .jpeg.)
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp)(?:;name=[A-Za-z0-9._-]{1,128})?;base64,"
                         r"[A-Za-z0-9+/=\s]+$", re.IGNORECASE)

TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "span", "div",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "img", "figure", "figcaption",
    # MathML, as QTI and Moodle items carry formulas this way.
    "math", "mrow", "mi", "mo", "mn", "msup", "msub", "msubsup", "mfrac", "msqrt",
    "mroot", "mtext", "mspace", "mtable", "mtr", "mtd", "mover", "munder", "munderover",
    "mstyle", "mfenced", "semantics", "annotation",
}
_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "style"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "ol": {"start", "type"},
    "math": {"display", "xmlns"},
}
_STYLE_PROPERTIES = {
    "text-align", "font-weight", "font-style", "text-decoration", "color",
    "background-color", "vertical-align", "width", "height", "border",
    "padding", "margin",
}


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images may only come from the bank's own stored assets (or be a raster
    # picture inside the file, stored as one on import): no remote resource,
    # no other data: URL, no relative path into the server.
    if element == "img" and attribute == "src":
        return value if value.startswith(ASSET_SCHEME) or _DATA_IMAGE.match(value) else None
    if attribute == "style" and "url(" in value.replace(" ", "").lower():
        return None
    return value


def sanitize(fragment: str) -> str:
    """Safe HTML from untrusted HTML."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"asset", "data"},
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
        link_rel=None,
    ).strip()


def plain_to_html(text: str) -> str:
    return html.escape(text.strip(), quote=False).replace("\n", "<br>")


def safe_html(text: str, text_format: str = "plain") -> str:
    """Safe HTML for ``text`` written in one of ``TEXT_FORMATS``."""
    if text_format == "plain":
        return plain_to_html(text)
    if text_format == "markdown":
        return sanitize(_markdown.markdown(text.strip()))
    if text_format == "moodle":
        # Moodle's "auto-format": HTML allowed, line breaks kept.
        return sanitize(text.strip().replace("\n", "<br>"))
    if text_format == "html":
        return sanitize(text)
    raise ValueError(f"unknown text format {text_format!r}")


def to_plain(fragment: str) -> str:
    """The visible text of an HTML fragment, for messages and duplicate checks."""
    text = nh3.clean(fragment, tags=set())
    return " ".join(html.unescape(text).split())
