"""The session's minutes (berita acara): who came, what staff did and why, every irregularity, when it began and ended.

Testing offices sign this document at the end of a sitting; it is built from
the records the server already keeps (attempts, the audit log, alerts).
"""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from exam_server.async_mode import run_blocking
from exam_server.services.context import ServiceContext
from exam_server.services.results import iso_time
from exam_server.services.sessions import find_session
from exam_server.store import models


def session_minutes(ctx: ServiceContext, session_id: int) -> dict:
    with ctx.db.reading() as session:
        row = find_session(session, session_id)
        attempts = session.execute(
            select(models.Attempt, models.Candidate).join(models.Candidate, models.Attempt.candidate_id == models.Candidate.id)
            .where(models.Attempt.session_id == session_id).order_by(models.Candidate.participant_number)).all()
        targets = [f"session:{session_id}"] + [f"attempt:{a.id}" for a, _ in attempts]
        staff = dict(session.execute(select(models.StaffUser.id, models.StaffUser.username)).all())
        controls = session.scalars(select(models.AuditEntry).where(models.AuditEntry.target.in_(targets))
                                   .order_by(models.AuditEntry.at)).all()
        alerts = session.scalars(select(models.Alert).where(models.Alert.session_id == session_id)
                                 .order_by(models.Alert.at)).all()
        numbers = {a.id: c.participant_number for a, c in attempts}
        started = [a.started_at for a, _ in attempts if a.started_at]
        ended = [a.ended_at for a, _ in attempts if a.ended_at]
        return {
            "session": {"session_id": row.id, "name": row.name, "hall": row.hall, "exam_code": row.exam.code, "exam_title": row.exam.title,
                        "status": row.status, "opened_at": iso_time(row.created_at), "closed_at": iso_time(row.closed_at),
                        "first_start": iso_time(min(started)) if started else None,
                        "last_end": iso_time(max(ended)) if ended else None},
            "attendance": [{"participant_number": c.participant_number, "name": c.name, "nip": c.nip, "seat": c.seat,
                            "status": a.status, "started_at": iso_time(a.started_at), "ended_at": iso_time(a.ended_at),
                            "present": a.started_at is not None, "violations": a.violations} for a, c in attempts],
            "controls": [{"at": iso_time(e.at), "by": staff.get(e.user_id, ""), "action": e.action,
                          "target": _target(e.target, numbers), "reason": json.loads(e.detail_json).get("reason", ""),
                          "detail": json.loads(e.detail_json), "from": e.remote_addr} for e in controls],
            "alerts": [{"at": iso_time(a.at), "participant_number": numbers.get(a.attempt_id, ""), "type": a.type,
                        "category": a.category, "detail": a.detail} for a in alerts],
            "corrections": _corrections(ctx, session, session_id, staff),
        }


def _corrections(ctx: ServiceContext, session, session_id: int, staff: dict[int, str]) -> list[dict]:
    """Items corrected after the sitting: by whom, why, what the key became, whose result changed."""
    from exam_server.domain.correction import describe
    from exam_server.services.corrected_keys import open_state

    rows = session.scalars(select(models.ItemCorrection).where(models.ItemCorrection.session_id == session_id)
                           .order_by(models.ItemCorrection.id)).all()
    return [{"at": iso_time(r.at), "by": staff.get(r.user_id, "cli"), "item_id": r.item_id, "action": r.action,
             "state": describe(open_state(ctx, r)), "reason": r.reason,
             "changed": "; ".join(f"{c['participant_number']} {c['total_before']}->{c['total_after']}"
                                  + (" (lulus)" if c["passed_after"] else " (tidak lulus)")
                                  * (c["passed_before"] != c["passed_after"])
                                  for c in json.loads(r.changes_json))} for r in rows]


def _target(target: str, numbers: dict[int, str]) -> str:
    kind, _, ident = target.partition(":")
    return numbers.get(int(ident), target) if kind == "attempt" and ident.isdigit() else target


def minutes_csv(minutes: dict, zone: str = "WIB") -> bytes:
    """One table with a 'part' column, so a spreadsheet sorts and filters it; formulas neutralised.
    Times are the office's (the header names the zone), the other columns keep the records' codes."""
    from exam_server.services.exports import local_iso, neutralise

    def at(value):
        return local_iso(value, zone)

    rows = [["part", f"at ({zone})", "participant_number", "name", "what", "detail", "by", "reason"]]
    rows += [["attendance", at(a["started_at"]), a["participant_number"], a["name"],
              "present" if a["present"] else "absent", a["status"], "", ""] for a in minutes["attendance"]]
    rows += [["control", at(c["at"]), c["target"], "", c["action"], c["from"], c["by"], c["reason"]]
             for c in minutes["controls"]]
    rows += [["alert", at(a["at"]), a["participant_number"], "", a["type"], a["detail"], a["category"], ""]
             for a in minutes["alerts"]]
    rows += [["correction", at(c["at"]), "", "", f"item {c['item_id']}: {c['state']}", c["changed"], c["by"], c["reason"]]
             for c in minutes.get("corrections", [])]
    out = io.StringIO()
    csv.writer(out).writerows([[neutralise(cell) for cell in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def minutes_pdf(ctx: ServiceContext, minutes: dict, locale: str = "id") -> bytes:
    """The minutes on the office's paper, in ``locale``."""
    from exam_server.services.documents import session_minutes_pdf
    from exam_server.services.paper import Office

    office = Office.of(ctx.settings, ctx.now(), locale)
    return run_blocking(lambda: session_minutes_pdf(office, minutes))
