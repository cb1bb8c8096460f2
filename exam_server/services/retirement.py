"""Retiring an item: out of every future draw of its bank version, while forms already drawn keep it."""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_server.errors import BadInput, Conflict, NotFound
from exam_server.services.banks import find_version
from exam_server.services.context import ServiceContext
from exam_server.store import models

MAX_REASON = 1000


def retire_item(ctx: ServiceContext, code: str, version: int, item_id: int, reason, *, user_id: int | None = None,
                remote_addr: str = "") -> dict:
    """Take an item out of future draws; forms already drawn keep it. Audited."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise BadInput(f"say why the item is retired (1 to {MAX_REASON} characters)")
    with ctx.db.unit_of_work() as session:
        row = find_version(session, code, version)[1]
        if session.scalar(select(models.Item.id).where(models.Item.id == item_id,
                                                       models.Item.bank_version_id == row.id)) is None:
            raise NotFound(f"bank {code!r} version {version} has no item {item_id}")
        if session.get(models.ItemRetirement, item_id) is not None:
            raise Conflict(f"item {item_id} is already retired")
        now = ctx.now()
        session.add(models.ItemRetirement(item_id=item_id, at=now, user_id=user_id, reason=reason.strip()))
        session.add(models.AuditEntry(at=now, user_id=user_id, action="retire_item", target=f"item:{item_id}",
                                      detail_json=json.dumps({"bank": code, "version": version,
                                                              "reason": reason.strip()}, ensure_ascii=False),
                                      remote_addr=remote_addr[:64]))
    return {"item_id": item_id, "bank": code, "version": version}


def retired_ids():
    """SQL: the ids of retired items, to leave out of a draw."""
    return select(models.ItemRetirement.item_id)
