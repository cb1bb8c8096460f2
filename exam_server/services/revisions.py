"""Result revisions: a signed result that a correction changes is kept as signed and replaced.

The replacement gets a new ``result_id`` and carries ``revision`` (2, 3, ...)
and ``supersedes`` (the replaced ``result_id``) inside its signed content, so
a slip printed before the correction still verifies, as superseded, and names
the revision in force.
"""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from exam_server.security.signing import check, repeated_key, sign
from exam_server.store import models


def revision_of(document: dict) -> int:
    return int(document.get("revision", 1))


def replace_signed(session, result: models.Result, document: dict, signer, now: int, correction_id: int) -> str:
    """Keep the signed ``result`` as a superseded revision; sign ``document`` as the next one. Returns its id."""
    old = json.loads(result.document_json)
    new_id = str(uuid.uuid4())
    session.add(models.ResultRevision(
        id=result.id, attempt_id=result.attempt_id, session_id=result.session_id, revision=revision_of(old),
        document_json=result.document_json, signature=result.signature, key_id=result.key_id,
        published_at=result.published_at, superseded_at=now, superseded_by=new_id, correction_id=correction_id))
    document = {**document, "result_id": new_id, "revision": revision_of(old) + 1, "supersedes": result.id}
    sealed = sign(document, signer.private)
    result.id = new_id
    result.document_json = json.dumps(document, ensure_ascii=False)
    result.signature, result.key_id, result.published_at = sealed["signature"], sealed["key_id"], now
    return new_id


def superseded(session, result_id: str) -> dict | None:
    """A replaced revision: its document as signed and the revision now in force; None when not replaced."""
    row = session.get(models.ResultRevision, result_id)
    if row is None:
        return None
    current = session.scalar(select(models.Result).where(models.Result.attempt_id == row.attempt_id))
    document = {**json.loads(row.document_json), "signature": row.signature, "key_id": row.key_id}
    return {"result": document, "superseded_by": {"result_id": current.id,
                                                  "revision": revision_of(json.loads(current.document_json))}}


def verify_superseded(session, result_id: str, public_keys) -> dict | None:
    """The verify answer for a replaced revision: its signature checked, and what replaced it."""
    found = superseded(session, result_id)
    if found is None:
        return None
    stored = session.get(models.ResultRevision, result_id).document_json
    problem = repeated_key(stored) or check(found["result"], public_keys)
    return {"valid": problem is None, "result": found["result"], "superseded": True,
            "superseded_by": found["superseded_by"], **({"problem": problem} if problem else {})}


def superseded_ids(session, result_ids) -> dict[str, dict]:
    """Of the ids given, those replaced: id -> the revision in force (for ``exam-server verify``)."""
    ids = [i for i in result_ids if isinstance(i, str)]
    rows = session.scalars(select(models.ResultRevision).where(models.ResultRevision.id.in_(ids))).all() if ids else []
    return {row.id: superseded(session, row.id)["superseded_by"] for row in rows}
