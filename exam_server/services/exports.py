"""Results as files: JSON (the API document), CSV and XLSX for spreadsheets."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from exam_server.async_mode import run_blocking
from exam_server.services.context import ServiceContext
from exam_server.services.results import session_results

# A cell starting with one of these is a formula to a spreadsheet: a candidate
# named "=HYPERLINK(...)" must stay a name.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value, *, numbers_stay: bool = True):
    """Text that a spreadsheet would run as a formula gets a leading quote; numbers (a negative score) stay,
    unless the column holds only text (a participant number "+1" is a name, not a number)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not (numbers_stay and _NUMBER.fullmatch(value)):
        return "'" + value
    return value


def local_iso(value, zone: str) -> str:
    """A stored ISO time as the office's wall clock with its offset ("2026-12-07T14:02:00+07:00"); "" for none."""
    from exam_server.i18n.formatting import Formatter

    local = Formatter(zone=zone).local(value)
    return "" if local is None else local.isoformat(timespec="seconds")


def result_rows(document: dict, zone: str = "WIB") -> tuple[list[str], list[list]]:
    results = document["results"]
    sections = [s["name"] for s in results[0]["sections"]] if results else []
    header = ["rank", "participant_number", "name", "status"]
    for name in sections:
        header += [f"{name} points", f"{name} max", f"{name} passed"]
    header += ["total", "passed", f"submitted_at ({zone})", "result_id"]
    rows = []
    for rank, r in enumerate(results, start=1):
        row = [rank, r["participant_number"], r["name"], r["status"]]
        for s in r["sections"]:
            row += [s["points"], s["max_points"], "yes" if s["passed"] else "no"]
        row += [r["total"], "yes" if r["passed"] else "no", local_iso(r["submitted_at"], zone), r["result_id"]]
        rows.append([neutralise(v) for v in row])
    return header, rows


def _csv(document: dict, zone: str) -> bytes:
    header, rows = result_rows(document, zone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 names correctly


def _json(document: dict, zone: str) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _xlsx(document: dict, zone: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = result_rows(document, zone)
    book = Workbook()
    sheet = book.active
    sheet.title = "results"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORTERS = {"json": _json, "csv": _csv, "xlsx": _xlsx, "pdf": None}


def export_results(ctx: ServiceContext, session_id: int, fmt: str, locale: str = "id") -> bytes:
    from exam_server.errors import BadInput

    if fmt not in EXPORTERS:
        raise BadInput(f"--format {fmt}: results can be exported as {', '.join(EXPORTERS)}",
                       code="unknown_format")
    document = session_results(ctx, session_id)
    if fmt != "pdf":
        # Rendering a hall's XLSX is CPU work: off the event loop.
        return run_blocking(lambda: EXPORTERS[fmt](document, ctx.settings.office_zone))
    return results_pdf(ctx, session_id, document, locale)


def results_pdf(ctx: ServiceContext, session_id: int, document: dict, locale: str) -> bytes:
    """The results list on the office's paper, with each candidate's NIP."""
    from exam_server.services.documents import results_list
    from exam_server.services.paper import Office

    title, name, hall = session_titles(ctx, session_id, with_hall=True)
    nips = session_nips(ctx, session_id)
    office = Office.of(ctx.settings, ctx.now(), locale)
    return run_blocking(lambda: results_list(office, title, office.session_label(name, hall), document, nips))


def session_nips(ctx: ServiceContext, session_id: int) -> dict[str, str]:
    """Participant number -> NIP of a session's candidates (the signed results do not carry it)."""
    from sqlalchemy import select

    from exam_server.store import models

    with ctx.db.reading() as session:
        return dict(session.execute(select(models.Candidate.participant_number, models.Candidate.nip)
                                    .where(models.Candidate.session_id == session_id)).all())


def session_titles(ctx: ServiceContext, session_id: int, *, with_hall: bool = False) -> tuple:
    """The exam's title and the session's name (and its hall, or None, when asked)."""
    from exam_server.services.sessions import find_session

    with ctx.db.reading() as session:
        row = find_session(session, session_id)
        return (row.exam.title, row.name, row.hall) if with_hall else (row.exam.title, row.name)


def credentials_csv(credentials: list[dict]) -> bytes:
    """participant_number,password per candidate: what create-session --credentials-out and the admin pages give.

    The roster's author chose both values, so both are neutralised like any export."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["participant_number", "password"])
    writer.writerows([neutralise(c["participant_number"], numbers_stay=False),
                      neutralise(c["password"], numbers_stay=False)] for c in credentials)
    return out.getvalue().encode("utf-8")


def analysis_csv(report: dict) -> bytes:
    """The committee's per-item table, formulas neutralised."""
    out = io.StringIO()
    columns = list(report["items"][0]) if report["items"] else ["item_id"]
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in row.items()} for row in report["items"])
    return out.getvalue().encode("utf-8-sig")


def write_credentials(path: Path, credentials: list[dict]) -> None:
    """Write a session's logins to ``path`` as CSV, readable by the owner only (the passwords are in clear)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)  # passwords in clear: readable by the owner only
    path.chmod(0o600)
    path.write_bytes(credentials_csv(credentials))
