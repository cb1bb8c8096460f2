"""Public pages: checking a result's authenticity at /verify/<result_id>.

The page a phone opens when it scans the QR code on a result slip. It says
plainly whether the result carries a valid signature of this server
(``publishing.verify_result``, the same check as ``GET /api/v1/results/{id}/verify``),
shows the result, and needs no script.
"""
from __future__ import annotations

from flask import Blueprint, render_template

from exam_server import current
from exam_server.errors import NotFound
from exam_server.services import publishing
from exam_server.web.admin import STATUS_LABELS, asset_url, choose_language, language, secure, translate
from exam_server.web.admin.i18n import formatter

blueprint = Blueprint("public", __name__, template_folder="templates")
blueprint.after_request(secure)
blueprint.before_request(choose_language)


@blueprint.context_processor
def _page_globals() -> dict:
    # Points and dates as on the papers: "87,50", "7 Desember 2026", "14.02 WIT" (the office's zone).
    return {"_": translate, "lang": language(), "asset": asset_url, "status_labels": STATUS_LABELS, "fmt": formatter()}


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
                           sat_on=checked["result"].get("submitted_at") and formatter().date(checked["result"]["submitted_at"]))

