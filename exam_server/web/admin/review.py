"""Reviewing items: the bank browser, retiring an item, and correcting an item of a session after the sitting.

Every page here shows keys and weights, so it lives under /admin, which only
administrators can open (proctors are sent to /proctor by the guard).
Item HTML is shown as the kiosk shows it, so these pages allow its
sanitised style attributes, as the kiosk does.
"""
from __future__ import annotations

from flask import g, render_template, request, url_for

from exam_server.errors import BadInput, ExamError
from exam_server.services import bank_browser, corrections, retirement
from exam_server.web.admin.base import blueprint
from exam_server.web.admin.i18n import translate
from exam_server.web.admin.pages import done, form_status, run_action, services
from exam_server.web.admin.sessions import find_listed_session


def item_page(body, status: int = 200):
    """A page showing item HTML: answered with the kiosk's policy (``pages.secure``)."""
    g.item_html = True
    return body, status


def _whole(name: str) -> int | None:
    value = (request.values.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadInput(translate("{name} harus berupa bilangan bulat.", name=name))
    return int(value)


# ---------------------------------------------------------------- bank browser


@blueprint.get("/banks/<code>/v<int:version>")
def bank_items(code: str, version: int):
    query = bank_browser.Query(text=request.args.get("q", "")[:200], category=request.args.get("category", "")[:255],
                               item_id=_whole("id"), after=_whole("after") or 0)
    page = bank_browser.browse(services(), code, version, query)
    return item_page(render_template("admin/bank_items.html", page=page, query=query))


@blueprint.get("/banks/<code>/v<int:version>/items/<int:item_id>")
def bank_item(code: str, version: int, item_id: int):
    item = bank_browser.item_detail(services(), code, version, item_id)
    return item_page(render_template("admin/bank_item.html", item=item, bank=code, version=version))


@blueprint.post("/banks/<code>/v<int:version>/items/<int:item_id>/retire")
def bank_item_retire(code: str, version: int, item_id: int):
    return run_action(
        lambda: retirement.retire_item(services(), code, version, item_id, request.form.get("reason"),
                                         user_id=g.staff.id, remote_addr=request.remote_addr or ""),
        translate("Soal {id} tidak akan diundi lagi.", id=item_id),
        url_for("admin.bank_item", code=code, version=version, item_id=item_id))


# ---------------------------------------------------------------- corrections


def _change() -> corrections.Change:
    action = request.form.get("action")
    value = (request.form.get(action or "") or "").strip() or None
    if action not in ("key", "weights", "annul") or value is None:
        raise BadInput(translate("Pilih satu koreksi: kunci baru, bobot baru, atau anulir."))
    return corrections.Change(**{action: value})


def _correction_form(session_id: int, status: int = 200, **context):
    listed = find_listed_session(session_id)
    history = corrections.session_corrections(services(), session_id)
    item_id = context.pop("item_id", None) or _whole("item")
    item = bank_browser.item_by_id(services(), item_id, session_id) if item_id else None
    page = render_template("admin/corrections.html", session_row=listed, history=history, item_id=item_id,
                           item=item, form=request.form, **context)
    return item_page(page, status)


@blueprint.get("/sessions/<int:session_id>/corrections")
def session_corrections(session_id: int):
    return _correction_form(session_id)


@blueprint.post("/sessions/<int:session_id>/corrections")
def session_correct(session_id: int):
    """``confirm`` absent: a preview that saves nothing; present: the correction itself."""
    try:
        item_id = _whole("item")
        if item_id is None:
            raise BadInput(translate("Isi ID soal."))
        answer = corrections.correct(services(), session_id, item_id, _change(), request.form.get("reason") or "",
                                     actor=corrections.Actor(g.staff.id, request.remote_addr or ""),
                                     dry_run=not request.form.get("confirm"))
    except ExamError as exc:
        return _correction_form(session_id, form_status(exc), error=exc.message.splitlines()[0])
    if answer["dry_run"]:
        return _correction_form(session_id, preview=answer, item_id=item_id)
    return done(translate("Soal {item} dikoreksi: {n} hasil berubah dan ditandatangani ulang.",
                          item=item_id, n=len(answer["changed"])),
                url_for("admin.session_corrections", session_id=session_id))

