"""Results a site reported with other figures than the hub recomputed, until an admin resolves them."""
from __future__ import annotations

from sqlalchemy import select

from exam_server.store import models


def unresolved_mismatches(session, session_id: int) -> list[int]:
    return list(session.scalars(select(models.SiteResult.attempt_id).join(
        models.Attempt, models.Attempt.id == models.SiteResult.attempt_id).where(
        models.Attempt.session_id == session_id, models.SiteResult.mismatch.is_(True),
        models.SiteResult.resolved_at.is_(None))))


def mark_mismatches(session, session_id: int, documents: list[dict]) -> None:
    """``"mismatch": true`` on each result whose site reported other figures than the hub recomputed."""
    mismatched = set(unresolved_mismatches(session, session_id))
    for document in documents:
        if document.get("attempt_id") in mismatched:
            document["mismatch"] = True
