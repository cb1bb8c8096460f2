"""A session pulled from the hub, stored at the site with the hub's ids (read by the link and by opening a seal)."""
from __future__ import annotations

import base64

from exam_server.store import models


def apply_package(ctx, package: dict) -> None:
    """Store a session pulled from the hub with the hub's ids; bank content resealed with this site's key."""
    from exam_server.services.banks import asset_context, item_context

    with ctx.db.unit_of_work() as session:
        if session.get(models.ExamSession, package["session"]["id"]) is not None:
            return
        if session.get(models.Exam, package["exam"]["id"]) is None:
            session.add(models.Exam(**package["exam"]))
        for bank in package["banks"]:
            if session.get(models.Bank, bank["id"]) is None:
                session.add(models.Bank(**bank))
        session.flush()
        codes = {b["id"]: b["code"] for b in package["banks"]}
        numbers = {}
        for version in package["bank_versions"]:
            numbers[version["id"]] = (codes[version["bank_id"]], version["version"])
            if session.get(models.BankVersion, version["id"]) is None:
                session.add(models.BankVersion(**version))
        session.flush()
        for item in package["items"]:
            if session.get(models.Item, item["id"]) is None:
                code, number = numbers[item["bank_version_id"]]
                content = ctx.cipher.seal_json(item["content"], item_context(code, number, item["ordinal"]))
                session.add(models.Item(**{**item, "content": content}))
        for asset in package["assets"]:
            if session.get(models.Asset, asset["id"]) is None:
                code, number = numbers[asset["bank_version_id"]]
                blob = base64.b64decode(asset["content"])
                session.add(models.Asset(**{**asset, "content": ctx.cipher.seal(blob, asset_context(code, number, asset["name"]))}))
        session.add(models.ExamSession(**package["session"]))
        session.flush()
        session.add_all(models.Candidate(**c) for c in package["candidates"])
        session.flush()
        session.add_all(models.Attempt(**a) for a in package["attempts"])
        session.flush()
        session.add_all(models.Result(document_json="{}", **r) for r in package["results"])
        session.add(models.AuditEntry(at=ctx.now(), action="site_session_pulled",
                                      target=f"session:{package['session']['id']}", detail_json="{}"))
