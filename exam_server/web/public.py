"""Public pages: checking a result's authenticity at /verify/<result_id>.

The page a phone opens when it scans the QR code on a result slip. It says
plainly whether the result carries a valid signature of this server
(``publishing.verify_result``, the same check as ``GET /api/v1/results/{id}/verify``),
shows the result, and needs no script.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template

from exam_server import current
from exam_server.errors import NotFound
from exam_server.services import publishing
from exam_server.web.admin import STATUS_LABELS, asset_url, choose_language, language, secure, translate

blueprint = Blueprint("public", __name__, template_folder="templates")
blueprint.after_request(secure)
blueprint.before_request(choose_language)


@blueprint.context_processor
def _page_globals() -> dict:
    return {"_": translate, "lang": language(), "asset": asset_url, "status_labels": STATUS_LABELS}


@blueprint.get("/verify/<result_id>")
def verify(result_id: str):
    try:
        checked = publishing.verify_result(current.services(), result_id[:64])
    except NotFound:
        return render_template("verify.html", found=False, result_id=result_id), 404
    services = current.services()
    return render_template("verify.html", found=True, result_id=result_id, valid=checked["valid"],
                           result=checked["result"], problem=checked.get("problem"),
                           superseded_by=checked.get("superseded_by"),
                           sitting=publishing.result_context(services, checked["result"]),
                           sat_on=date_in_words(checked["result"].get("submitted_at"), language()))


MONTHS = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def date_in_words(iso: str | None, lang: str) -> str | None:
    """'2026-12-07T01:20:00.000Z' -> '7 Desember 2026' (the server's local date): a date no reader misreads."""
    if not isinstance(iso, str):
        return None
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return None
    return f"{moment.day} {MONTHS.get(lang, MONTHS['id'])[moment.month - 1]} {moment.year}"
