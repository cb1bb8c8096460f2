"""Publishing signed results, and checking them."""
from __future__ import annotations

import json

from sqlalchemy import select

from exam_server.async_mode import run_blocking
from exam_server.domain.attempt_status import RUNNING
from exam_server.errors import Conflict, NotFound
from exam_server.security import keys as key_store
from exam_server.security.signing import check, public_key_entry, repeated_key, sign
from exam_server.services.context import ServiceContext
from exam_server.services.results import compute_document, public_document
from exam_server.services.revisions import verify_superseded
from exam_server.services.sessions import find_session
from exam_server.store import models



def publish(ctx: ServiceContext, session_id: int) -> dict:
    """Sign every result of the session, those never started too, and close it.

    Results signed before stay as they were signed (publishing again signs only what is new).
    """
    signer = key_store.current_signing_key(ctx.settings)
    with ctx.db.unit_of_work() as session:
        exam_session = find_session(session, session_id)
        rows = session.execute(select(models.Attempt, models.Result).join(
            models.Result, models.Result.attempt_id == models.Attempt.id).where(models.Attempt.session_id == session_id)).all()
        running = [attempt.candidate.participant_number for attempt, _ in rows if attempt.status in RUNNING]
        if running:
            raise Conflict(f"{len(running)} attempts are still running ({', '.join(running[:5])}); "
                           "wait for them to end or end them before publishing")
        from exam_server.sites.mismatches import unresolved_mismatches

        mismatched = unresolved_mismatches(session, session_id)
        if mismatched:
            raise Conflict(f"{len(mismatched)} results differ from their site's (attempts "
                           f"{', '.join(map(str, mismatched[:5]))}); resolve them with 'exam-server site resolve' first")
        now = ctx.now()
        signed = 0
        for attempt, result in rows:
            if result.signature:
                continue
            document = compute_document(ctx, session, attempt, result.id)
            sealed = sign(document, signer.private)
            result.document_json = json.dumps(document, ensure_ascii=False)
            result.signature, result.key_id, result.published_at = sealed["signature"], sealed["key_id"], now
            signed += 1
        exam_session.published_at = exam_session.published_at or now
        # Results are final now: nobody may still sign in and start.
        if exam_session.status == "open":
            exam_session.status, exam_session.closed_at = "closed", now
        return {"session_id": session_id, "signed": signed, "results": len(rows), "key_id": signer.key_id}


def public_keys(ctx: ServiceContext) -> dict:
    current = key_store.current_signing_key(ctx.settings).key_id
    return {"current": current,
            "keys": [public_key_entry(k.public) for k in key_store.signing_keys(ctx.settings).values()]}


def verify_result(ctx: ServiceContext, result_id: str) -> dict:
    """Whether a published result is authentic, and the result itself."""
    with ctx.db.reading() as session:
        result = session.get(models.Result, result_id) if isinstance(result_id, str) else None
        if result is None and isinstance(result_id, str):
            replaced = verify_superseded(session, result_id, _public_keys(ctx))
            if replaced is not None:
                return replaced
        if result is None or not result.signature:
            raise NotFound("no published result with this id")
        document, stored = public_document(result), result.document_json
    # A repeated key is refused before the signature: json.loads keeps the last value, other readers the first.
    problem = repeated_key(stored) or check(document, _public_keys(ctx))
    return {"valid": problem is None, "result": document, **({"problem": problem} if problem else {})}


def _public_keys(ctx: ServiceContext) -> dict:
    return {kid: k.public for kid, k in key_store.signing_keys(ctx.settings).items()}


def result_context(ctx: ServiceContext, document: dict) -> dict:
    """The exam's title and the session's name for the ``exam_code`` and ``session_id`` a result is signed with.

    Looked up only for what the signature covers: a result signed without them
    (published before results carried them) gets nothing, and neither does one
    whose session is not of the exam it names.
    """
    code, session_id = document.get("exam_code"), document.get("session_id")
    if not isinstance(code, str) or not isinstance(session_id, int) or isinstance(session_id, bool):
        return {}
    with ctx.db.reading() as session:
        exam_session = session.get(models.ExamSession, session_id)
        if exam_session is None or exam_session.exam.code != code:
            return {"exam_code": code, "session_id": session_id}
        return {"exam_code": code, "exam_title": exam_session.exam.title, "session_id": session_id,
                "session_name": exam_session.name}


def result_slip(ctx: ServiceContext, result_id: str, locale: str = "id") -> bytes:
    """The printable slip of one result on the office's paper, with a QR code of its public /verify page
    (left out, with a note, when the settings give no public_url)."""
    from exam_server.services.documents import result_slip as render
    from exam_server.services.paper import Office

    with ctx.db.reading() as session:
        result = session.get(models.Result, result_id)
        if result is None or result.document_json == "{}":
            raise NotFound("no result with this id yet: results exist once an attempt has ended or been published")
        document = public_document(result)
        exam_session = find_session(session, result.session_id)
        title, name = exam_session.exam.title, exam_session.name
        nip = session.get(models.Attempt, document["attempt_id"]).candidate.nip
    office = Office.of(ctx.settings, ctx.now(), locale)
    return run_blocking(lambda: render(office, title, name, document, nip))
