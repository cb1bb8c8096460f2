"""Re-encrypting every bank with a new key.

Order matters for a crash at any point: the new key is written first, the rows
are re-sealed in one transaction, and only then does the new key replace the
old. A rotation stopped before the rename leaves both keys, and the server
opens rows sealed with either.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from exam_server.errors import Conflict
from exam_server.security import keys
from exam_server.services.banks import asset_context, item_context
from exam_server.services.context import ServiceContext
from exam_server.services.corrected_keys import correction_context
from exam_server.store import models
from exam_server.store.crypto import ContentCipher

SERVER_ALIVE_MS = 10_000


def rotate_bank_key(ctx: ServiceContext, *, force: bool = False) -> dict:
    if not force:
        with ctx.db.reading() as session:
            clock = session.get(models.ServerClock, 1)
        if clock is not None and ctx.now() - clock.last_alive_at < SERVER_ALIVE_MS:
            raise Conflict("a server is running on this database: stop it first (it keeps the old key), or pass --force")
    current = ContentCipher(*keys.bank_keys(ctx.settings))
    new_key = keys.begin_bank_key_rotation(ctx.settings)
    sealer = ContentCipher(new_key)
    items = assets = 0
    with ctx.db.unit_of_work() as session:
        places = dict(session.execute(select(models.BankVersion.id, models.Bank.code).join(
            models.Bank, models.BankVersion.bank_id == models.Bank.id)).all())
        versions = dict(session.execute(select(models.BankVersion.id, models.BankVersion.version)).all())
        for item in session.scalars(select(models.Item)):
            where = item_context(places[item.bank_version_id], versions[item.bank_version_id], item.ordinal)
            item.content = sealer.seal(current.open(item.content, where), where)
            items += 1
        for asset in session.scalars(select(models.Asset)):
            where = asset_context(places[asset.bank_version_id], versions[asset.bank_version_id], asset.name)
            asset.content = sealer.seal(current.open(asset.content, where), where)
            assets += 1
        for fix in session.scalars(select(models.ItemCorrection)):  # a corrected key is bank content too
            where = correction_context(fix)
            fix.state = sealer.seal(current.open(fix.state, where), where)
    retired = keys.finish_bank_key_rotation(ctx.settings, datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
    return {"items": items, "assets": assets, "retired_key": str(retired)}
