"""What a question would lose on its way to the kiosk.

``lost`` compares a text before and after the sanitiser: a question whose
picture, sound, video or formula would not reach the candidate cannot be
answered as written, so the importers skip it with the reason ``lost`` gives,
never import it crippled. ``kept_html`` is the usual step of a text format:
its ``data:`` pictures stored (``inline_images.InlineImages``), the text
cleaned, and what it lost.
"""
from __future__ import annotations

import html
import re
from typing import Callable

import markdown as _markdown

from exam_server.banks.inline_images import InlineImages
from exam_server.banks.text import ASSET_SCHEME, TAGS

# Every scan here is linear in the text, with bounded tags: a hostile bank must not make them slow.
IMG = re.compile(r"<img\b[^>]{0,4096}>", re.IGNORECASE)
SRC = re.compile(r"((?<![\w-])src\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_MEDIA = re.compile(r"<(audio|video|object|embed|iframe|applet|svg|canvas)\b", re.IGNORECASE)
_HREF = re.compile(r"(?<![\w-])href\s*=\s*[\"']?([^\"'\s>]{1,2048})", re.IGNORECASE)
_MEDIA_FILE = (".mp3", ".m4a", ".aac", ".ogg", ".oga", ".wav", ".mp4", ".m4v", ".webm", ".ogv", ".mov", ".avi",
               ".flv", ".swf")
_TAG = re.compile(r"<(/?)(?:[A-Za-z][\w.-]{0,64}:)?([A-Za-z][\w-]{0,64})")
_KINDS = {"audio": "a sound", "video": "a video", "canvas": "a drawing"}


def img_src(tag: str) -> str:
    match = SRC.search(tag)
    return html.unescape(match.group(2).strip("\"'")).strip() if match else ""


def kept_html(text: str, fmt: str, images: InlineImages,
              clean: Callable[[str, str], str]) -> tuple[str, str | None]:
    """(safe HTML of ``text`` written in ``fmt``, what it lost or None), its data: pictures stored.

    ``clean`` is the format's own text-to-safe-HTML function.
    """
    if fmt == "markdown":
        text, fmt = _markdown.markdown(text.strip()), "html"
    if fmt == "plain" or "<" not in text:
        return clean(text, fmt), None
    text = images.rewrite(text)
    cleaned = clean(text, fmt)
    return cleaned, lost(text, cleaned)


def lost(source: str, cleaned: str) -> str | None:
    """What the candidate would miss in ``cleaned`` (safe HTML made from ``source``), or None."""
    if "<" not in source:
        return None
    media = _MEDIA.search(source)
    if media:
        tag = media.group(1).lower()
        if tag == "svg":
            return "a drawing written into the text (<svg>) cannot be delivered: save it as an .svg picture"
        return f"{_KINDS.get(tag, 'an embedded object')} (<{tag}>) cannot be delivered: only text and pictures are"
    for link in _HREF.finditer(source):
        if link.group(1).split("?", 1)[0].split("#", 1)[0].lower().endswith(_MEDIA_FILE):
            return f"a sound or video ({link.group(1)[:80]}) cannot be delivered: only text and pictures are"
    return _lost_picture(source, cleaned) or _lost_formula(source)


def _lost_picture(source: str, cleaned: str) -> str | None:
    pictures = [src for src in map(img_src, IMG.findall(source)) if src]
    kept = sum(img_src(tag).startswith(ASSET_SCHEME) for tag in IMG.findall(cleaned))
    if len(pictures) <= kept:
        return None
    missing = next((src for src in pictures if not src.startswith(ASSET_SCHEME)), "")
    if missing.startswith("@@PLUGINFILE@@"):
        return (f"the picture {missing[15:][:80]} stayed in Moodle (@@PLUGINFILE@@): this file does not "
                "carry it (export the questions as Moodle XML, which does)")
    return f"the picture {missing[:80]} is not in the file, and the question needs it"


def _lost_formula(source: str) -> str | None:
    if "math" not in source.lower():
        return None
    depth = hidden = 0  # inside <math>; inside <annotation-xml>, another encoding a browser does not show
    for closing, name in _TAG.findall(source):
        step = -1 if closing else 1
        if name.lower() == "math":
            depth = max(depth + step, 0)
        elif name.lower() == "annotation-xml":
            hidden = max(hidden + step, 0)
        elif depth and not hidden and not closing and name.lower() not in TAGS:
            return f"the formula uses MathML <{name}>, which cannot be shown: write it as text or a picture"
    return None
