"""Pictures inside a bank's texts: written out as ``data:`` URIs, read back as stored assets.

GIFT and spreadsheets hold text only. So that pictures travel with them, an
export writes each picture into the ``<img>`` that shows it
(``src="data:image/png;base64,..."``) and an import turns every such picture
back into an asset named by its content, as the other formats store theirs.

An ``asset:NAME`` reference that the file does not carry (an export from an
older server, or a hand-edited file) cannot be shown to a candidate: its item
is skipped with the reason, never stored with a broken picture.
"""
from __future__ import annotations

import base64
import dataclasses
import re
from typing import Mapping

from exam_server.banks.base import BankFormatError, ParseResult, Problem, Skipped
from exam_server.banks.safety import ImageRefused, data_url_bytes, image_asset_name, sniff_image
from exam_server.banks.text import ASSET_SCHEME, to_plain
from exam_server.domain.items import Item
from exam_server.errors import ExamError

# Texts are safe HTML as nh3 writes it: attributes always in double quotes.
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_NAME_PARAMETER = re.compile(r"^data:[^;,]*;name=([A-Za-z0-9._-]{1,128})[;,]", re.IGNORECASE)
_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def _rewrite(item: Item, change) -> Item:  # noqa: ANN001 - a str -> str function
    """``item`` with ``change`` applied to every text that can show a picture, in reading order."""
    stem = change(item.stem)
    options = tuple(dataclasses.replace(o, text=change(o.text), feedback=change(o.feedback)) for o in item.options)
    return dataclasses.replace(item, stem=stem, options=options, general_feedback=change(item.general_feedback))


# ------------------------------------------------------------------ export


def data_uri(data: bytes, name: str = "") -> str:
    """``data:image/png;base64,...``; a name with another extension than the usual one
    (``.jpeg``) rides along as ``;name=``, so the import names the asset the same."""
    kind = sniff_image(data) or ""
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


class _Unresolved(Exception):
    """An ``asset:`` reference the file does not carry; the message is the skip reason."""


def settle_pictures(result: ParseResult, filename: str) -> None:
    """Store ``data:`` pictures as assets; skip items that show a picture the file lacks.

    A ``data:`` picture that is not a PNG, JPEG, GIF or WebP image refuses the
    whole file (``BankFormatError``), as any other malformed input does.
    """
    kept: list[Item] = []
    problems: list[Problem] = []
    for item in result.items:
        found: dict[str, bytes] = {}
        try:
            item = _rewrite(item, lambda text: _settled(text, result.assets, found))
        except ImageRefused as exc:
            problems.append(Problem(item.source or filename, str(exc)))
            continue
        except _Unresolved as exc:
            result.skipped.append(Skipped(_label(item), _line(item.source, filename), str(exc)))
            continue
        result.assets.update(found)
        kept.append(item)
    if problems:
        raise BankFormatError(problems, filename=filename)
    result.items[:] = kept


def _settled(text: str, carried: Mapping[str, bytes], found: dict[str, bytes]) -> str:
    if "<img" not in text:
        return text

    def settle(match: re.Match) -> str:
        src = match.group(2)
        if src.lower().startswith("data:"):
            return match.group(1) + ASSET_SCHEME + _stored(src, found) + match.group(3)
        name = src[len(ASSET_SCHEME):] if src.startswith(ASSET_SCHEME) else ""
        if name and name not in carried and name not in found:
            raise _Unresolved(f"the picture {src} is not in this file (an export from another server; "
                              f"export the bank again so that it carries its pictures)")
        return match.group(0)

    return _IMG_SRC.sub(settle, text)


def _stored(src: str, found: dict[str, bytes]) -> str:
    try:
        data = data_url_bytes(src)
    except ValueError:
        raise ImageRefused("the data: URL of an image cannot be decoded") from None
    given = _NAME_PARAMETER.match(src)
    name = image_asset_name(data, given.group(1) if given else "image")
    found[name] = data
    return name


def _label(item: Item) -> str:
    if item.title:
        return item.title
    words = " ".join(to_plain(item.stem).split()[:10])
    return words if len(words) <= 80 else words[:77] + "..."


def _line(source: str, filename: str) -> str:
    """'12' from 'bank.gift:12'; the source itself when it is not of that form."""
    prefix = f"{filename}:"
    return source[len(prefix):] if source.startswith(prefix) else source
