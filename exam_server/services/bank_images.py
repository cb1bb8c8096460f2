"""Pictures of a bank, written into a form's HTML as ``data:`` URLs.

An item refers to a picture as ``asset:NAME``; the kiosk gets the picture
itself inside the form, so no URL exists that a stranger could fetch and a
kiosk needs no second authenticated request per image. Pictures are stored
sealed with the bank key; each is opened once per process and kept.
"""
from __future__ import annotations

import base64
import re
from typing import Callable

from sqlalchemy import select

from exam_server.services.banks import asset_context
from exam_server.services.context import ServiceContext
from exam_server.store import models

_ASSET = re.compile(r'asset:([A-Za-z0-9._-]{1,128})')
_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
                "svg": "image/svg+xml"}


def inliner(ctx: ServiceContext, session=None) -> Callable[[str], str]:
    """A function that replaces every ``asset:NAME`` in a piece of HTML with the picture itself.

    With ``session`` the pictures are read in it (the writer's thread has a connection of its own);
    without, in a reading unit of work of their own.
    """

    def inline(html: str) -> str:
        return _ASSET.sub(lambda m: data_uri(ctx, m.group(1), session), html) if "asset:" in html else html

    return inline


def data_uri(ctx: ServiceContext, name: str, session=None) -> str:
    """The picture called ``name`` as a ``data:`` URL ("" when no bank has it)."""
    if name not in ctx.asset_cache:
        found = _read(ctx, name, session)
        if found is None:
            return ""
        media = _MEDIA_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
        ctx.asset_cache[name] = f"data:{media};base64,{base64.b64encode(found).decode()}"
    return ctx.asset_cache[name]


def _read(ctx: ServiceContext, name: str, session=None) -> bytes | None:
    if session is None:
        with ctx.db.reading() as own:
            return _read(ctx, name, own)
    row = session.execute(
        select(models.Asset, models.BankVersion.version, models.Bank.code)
        .join(models.BankVersion, models.Asset.bank_version_id == models.BankVersion.id)
        .join(models.Bank, models.BankVersion.bank_id == models.Bank.id)
        .where(models.Asset.name == name).limit(1)
    ).first()
    if row is None:
        return None
    asset, version, code = row
    return ctx.cipher.open(asset.content, asset_context(code, version, name))
