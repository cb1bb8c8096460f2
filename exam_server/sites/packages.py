"""A session pulled from the hub, stored at the site with the hub's ids (read by the link and by opening a seal).

The rows keep the hub's ids so that the hub's credentials, attempt ids and
events mean the same at both ends. Two things follow: the database's id
generators are moved past them (``store.sequences``), and a row the site
already holds under one of those ids must be the same thing (the same exam,
bank, version or item); anything else is refused rather than mixed in.
"""
from __future__ import annotations

import base64

from sqlalchemy import select

from exam_server.errors import Conflict
from exam_server.store import models
from exam_server.store.sequences import advance_past_rows

# Tables that receive the hub's ids, in the order they are filled.
HUB_ID_TABLES = (models.Exam, models.Bank, models.BankVersion, models.Item, models.Asset, models.ExamSession,
                 models.Candidate, models.Attempt)
# What makes a row the same thing at the hub and at the site.
_IDENTITY = {models.Exam: ("code",), models.Bank: ("code",), models.BankVersion: ("bank_id", "content_sha256"),
             models.Item: ("bank_version_id", "ordinal"), models.Asset: ("bank_version_id", "name")}


def _taken(session, model, row: dict) -> bool:
    """True when the site already holds this row; Conflict when the id is held by something else."""
    held = session.get(model, row["id"])
    if held is None:
        return False
    if any(getattr(held, name) != row[name] for name in _IDENTITY[model]):
        raise Conflict(f"{model.__tablename__} id {row['id']} is already used at this site by something else than the "
                       "hub's; a site holds only its hub's sessions (create sessions at the hub with --site)")
    return True


def _refuse_taken_ids(session, model, rows: list[dict]) -> None:
    ids = [r["id"] for r in rows]
    if ids and session.scalar(select(model.id).where(model.id.in_(ids)).limit(1)) is not None:
        raise Conflict(f"{model.__tablename__}: ids of the hub's session are already used at this site; a site holds "
                       "only its hub's sessions (create sessions at the hub with --site)")


def apply_package(ctx, package: dict) -> None:
    """Store a session pulled from the hub with the hub's ids; bank content resealed with this site's key."""
    from exam_server.services.banks import asset_context, item_context

    with ctx.db.unit_of_work() as session:
        held = session.get(models.ExamSession, package["session"]["id"])
        if held is not None:
            if held.token != package["session"]["token"]:
                raise Conflict(f"session id {held.id} is already used at this site by another session")
            return
        if not _taken(session, models.Exam, package["exam"]):
            session.add(models.Exam(**package["exam"]))
        for bank in package["banks"]:
            if not _taken(session, models.Bank, bank):
                session.add(models.Bank(**bank))
        session.flush()
        codes = {b["id"]: b["code"] for b in package["banks"]}
        numbers = {}
        for version in package["bank_versions"]:
            numbers[version["id"]] = (codes[version["bank_id"]], version["version"])
            if not _taken(session, models.BankVersion, version):
                session.add(models.BankVersion(**version))
        session.flush()
        for item in package["items"]:
            if not _taken(session, models.Item, item):
                code, number = numbers[item["bank_version_id"]]
                content = ctx.cipher.seal_json(item["content"], item_context(code, number, item["ordinal"]))
                session.add(models.Item(**{**item, "content": content}))
        for asset in package["assets"]:
            if not _taken(session, models.Asset, asset):
                code, number = numbers[asset["bank_version_id"]]
                blob = base64.b64decode(asset["content"])
                session.add(models.Asset(**{**asset, "content": ctx.cipher.seal(blob, asset_context(code, number, asset["name"]))}))
        _refuse_taken_ids(session, models.Candidate, package["candidates"])
        _refuse_taken_ids(session, models.Attempt, package["attempts"])
        session.add(models.ExamSession(**package["session"]))
        session.flush()
        session.add_all(models.Candidate(**c) for c in package["candidates"])
        session.flush()
        session.add_all(models.Attempt(**a) for a in package["attempts"])
        session.flush()
        session.add_all(models.Result(document_json="{}", **r) for r in package["results"])
        session.add(models.AuditEntry(at=ctx.now(), action="site_session_pulled",
                                      target=f"session:{package['session']['id']}", detail_json="{}"))
        session.flush()
        advance_past_rows(session.connection(), [model.__table__ for model in HUB_ID_TABLES])
