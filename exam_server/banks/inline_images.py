"""Pictures inside a bank's texts: written out as ``data:`` URIs, read back as stored assets.

GIFT and spreadsheets hold text only. So that pictures travel with them, an
export writes each picture into the ``<img>`` that shows it
(``src="data:image/png;base64,..."``, with ``;name=`` when the asset's
extension is not the usual one, e.g. ``.jpeg``). Moodle and other editors
write small pictures into the HTML the same way. Every importer turns such a
picture into an asset here, and only here (``stored_picture``): named by its
content and the ``;name=`` it carries, an SVG cleaned first.

An ``asset:NAME`` reference that the file does not carry (an export from an
older server, or a hand-edited file) cannot be shown to a candidate: its item
is skipped with the reason, never stored with a broken picture.
"""
from __future__ import annotations

import base64
import dataclasses
import html
import re
from typing import Mapping

from exam_server.banks.base import BankFormatError, ParseResult, Problem, Skipped
from exam_server.banks.safety import ImageRefused, data_url_bytes, looks_like_svg, sniff_image
from exam_server.banks.svg import stored_image
from exam_server.banks.text import ASSET_SCHEME, to_plain
from exam_server.domain.items import Item
from exam_server.errors import ExamError

# Texts are safe HTML as nh3 writes it: attributes always in double quotes.
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_NAME_PARAMETER = re.compile(r"^data:[^;,]*;name=([A-Za-z0-9._-]{1,128})[;,]", re.IGNORECASE)
# Any quoting, as the formats' own HTML has it before the sanitiser.
_DATA_SRC = re.compile(r"((?<![\w-])src\s*=\s*)([\"'])(data:image/[^\"']*)\2", re.IGNORECASE)
_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
                "svg": "image/svg+xml"}


def _rewrite(item: Item, change) -> Item:  # noqa: ANN001 - a str -> str function
    """``item`` with ``change`` applied to every text that can show a picture, in reading order."""
    stem = change(item.stem)
    options = tuple(dataclasses.replace(o, text=change(o.text), feedback=change(o.feedback)) for o in item.options)
    return dataclasses.replace(item, stem=stem, options=options, general_feedback=change(item.general_feedback))


# ------------------------------------------------------------------ export


def data_uri(data: bytes, name: str = "") -> str:
    """``data:image/png;base64,...``; a name with another extension than the usual one
    (``.jpeg``) rides along as ``;name=``, so the import names the asset the same."""
    kind = sniff_image(data) or ("svg" if looks_like_svg(data, name) else "")
    media = _MEDIA_TYPES.get(kind, "application/octet-stream")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else kind
    label = f";name={name}" if extension != kind and _NAME.match(name) else ""
    return f"data:{media}{label};base64,{base64.b64encode(data).decode('ascii')}"


def inline_pictures(items: list[Item], assets: Mapping[str, bytes]) -> list[Item]:
    """``items`` with every ``asset:NAME`` picture written in as a ``data:`` URI.

    Raises ``ExamError`` (code ``missing_asset``) when an item shows a picture
    the bank lacks: an export without it would lose the picture silently.
    """
    def inline(text: str) -> str:
        if ASSET_SCHEME not in text:
            return text
        return _IMG_SRC.sub(lambda m: m.group(1) + _inlined(m.group(2), assets) + m.group(3), text)

    return [_rewrite(item, inline) for item in items]


def _inlined(src: str, assets: Mapping[str, bytes]) -> str:
    if not src.startswith(ASSET_SCHEME):
        return src
    name = src[len(ASSET_SCHEME):]
    if name not in assets:
        raise ExamError(f"an item shows the image {name}, which is not among the bank's assets",
                        code="missing_asset")
    return data_uri(assets[name], name)


# ------------------------------------------------------------------ import


def stored_picture(url: str) -> tuple[str, bytes]:
    """(asset name, bytes to store) for the picture of a ``data:`` URL: the one way every format names them.

    The name is the content's (see ``safety.image_asset_name``), with the
    extension a ``;name=`` parameter carries when it fits the bytes; an SVG is
    stored cleaned. Raises ``ImageRefused`` saying why for anything else.
    """
    try:
        data = data_url_bytes(url)
    except ValueError:
        raise ImageRefused("the data: URL of a picture cannot be decoded") from None
    given = _NAME_PARAMETER.match(url)
    return stored_image(data, given.group(1) if given else "image")


class InlineImages:
    """Stores the ``data:`` pictures of texts as assets; ``problems`` lists those that are no picture."""

    def __init__(self) -> None:
        self.assets: dict[str, bytes] = {}
        self.problems: list[str] = []

    def rewrite(self, source: str) -> str:
        """``source`` with every ``src="data:image/..."`` pointing at its stored asset."""
        if "data:" not in source.lower():
            return source
        return _DATA_SRC.sub(self._rewrite, source)

    def _rewrite(self, match: re.Match) -> str:
        name = self.store(html.unescape(match.group(3)).strip())
        return match.group(0) if name is None else f'{match.group(1)}"{ASSET_SCHEME}{name}"'

    def store(self, url: str) -> str | None:
        """The asset name of the picture of ``url``, stored; None (and a problem) when it is none."""
        try:
            name, data = stored_picture(url)
        except ImageRefused as exc:
            self.problems.append(f"a picture written into the text: {str(exc).removeprefix('image: ')}")
            return None
        self.assets[name] = data
        return name


class _Unresolved(Exception):
    """An ``asset:`` reference the file does not carry; the message is the skip reason."""


def settle_pictures(result: ParseResult, filename: str) -> None:
    """Skip items that show a picture the file lacks; store any ``data:`` picture still in a text.

    The formats store the ``data:`` pictures of their texts as they read them
    (``InlineImages``); one that is left is stored here the same way. One that
    is not a PNG, JPEG, GIF, WebP or SVG picture refuses the whole file
    (``BankFormatError``), as any other malformed input does.
    """
    kept: list[Item] = []
    problems: list[Problem] = []
    for item in result.items:
        images = InlineImages()
        try:
            item = _rewrite(item, lambda text: _settled(text, result.assets, images))
        except _Unresolved as exc:
            result.skipped.append(Skipped(_label(item), _line(item.source, filename), str(exc)))
            continue
        if images.problems:
            problems.extend(Problem(item.source or filename, reason) for reason in images.problems)
            continue
        result.assets.update(images.assets)
        kept.append(item)
    if problems:
        raise BankFormatError(problems, filename=filename)
    result.items[:] = kept


def _settled(text: str, carried: Mapping[str, bytes], images: InlineImages) -> str:
    if "<img" not in text:
        return text
    text = images.rewrite(text)
    for match in _IMG_SRC.finditer(text):
        src = match.group(2)
        name = src[len(ASSET_SCHEME):] if src.startswith(ASSET_SCHEME) else ""
        if name and name not in carried and name not in images.assets:
            raise _Unresolved(f"the picture {src} is not in this file (an export from another server; "
                              f"export the bank again so that it carries its pictures)")
    return text


def _label(item: Item) -> str:
    if item.title:
        return item.title
    words = " ".join(to_plain(item.stem).split()[:10])
    return words if len(words) <= 80 else words[:77] + "..."


def _line(source: str, filename: str) -> str:
    """'12' from 'bank.gift:12'; the source itself when it is not of that form."""
    prefix = f"{filename}:"
    return source[len(prefix):] if source.startswith(prefix) else source
