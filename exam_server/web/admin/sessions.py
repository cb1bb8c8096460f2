"""Sessions: opening and closing them, their results and downloads, publishing, slips, alerts, item analysis."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from flask import flash, g, redirect, render_template, request, session, url_for

from exam_server.errors import BadInput, ExamError, NotFound
from exam_server.services import alerts, analysis, exams, exports, minutes, publishing, results, sessions, users
from exam_server.web.admin.base import blueprint
from exam_server.web.admin.charts import facility_chart, histogram_chart
from exam_server.web.admin.files import RESULT_FORMATS, download, owned, remember, temp_files
from exam_server.web.admin.i18n import language, translate
from exam_server.web.admin.pages import done, form_status, run_action, services

log = logging.getLogger("exam_server.web.admin")

ROSTER_LIMIT = 16 * 1024 * 1024  # as the command line's create-session


def find_listed_session(session_id: int) -> dict:
    found = next((s for s in sessions.list_sessions(services(), g.staff) if s["session_id"] == session_id), None)
    if found is None:
        raise NotFound(f"no session with id {session_id}")
    return found


def session_form(status: int = 200, **context):
    ctx = services()
    proctors = [u for u in users.list_users(ctx) if u["role"] == "proctor" and u["active"]]
    listed = sessions.list_sessions(ctx, g.staff)
    page = render_template("admin/sessions.html", sessions=listed, sites=_site_states(ctx, listed),
                           exams=exams.list_exams(ctx), proctors=proctors, form=request.form, **context)
    return page, status


def _site_states(ctx, listed: list[dict]) -> dict:
    """At a hub: each site's link state, for the sessions held at sites (empty elsewhere)."""
    if not any(s.get("site") for s in listed):
        return {}
    from exam_server.sites.hub import site_views

    return {view["site"]: view for view in site_views(ctx)}


@blueprint.get("/sessions")
def session_list():
    return session_form()


@blueprint.post("/sessions")
def session_open():
    """Open a sitting; its login cards and credentials are offered once, right now (passwords exist only now)."""
    roster = request.files.get("candidates")
    seed = (request.form.get("seed") or "").strip()
    try:
        if not roster or not roster.filename:
            raise BadInput(translate("Pilih berkas CSV daftar peserta."))
        data = roster.stream.read(ROSTER_LIMIT + 1)
        if len(data) > ROSTER_LIMIT:
            raise BadInput(f"{roster.filename}: over the limit of {ROSTER_LIMIT} bytes")
        if seed and not re.fullmatch(r"-?\d{1,18}", seed):
            raise BadInput(translate("Seed harus berupa bilangan bulat."))
        opened = sessions.create_session(
            services(), request.form.get("exam") or "", request.form.get("name") or "", data,
            Path(roster.filename.replace("\\", "/")).name, proctors=tuple(request.form.getlist("proctors")),
            seed=int(seed) if seed else None, hall=request.form.get("hall"))
    except ExamError as exc:
        return session_form(form_status(exc), error=exc.message.splitlines()[0],
                            problems=[str(p) for p in getattr(exc, "problems", [])])
    key = offer_documents(opened)
    return redirect(url_for("admin.session_opened", key=key), 303)


def offer_documents(opened: dict) -> str:
    """Keep the credentials CSV and the cards PDF as one-time downloads; returns the page's key."""
    store, number = temp_files(), opened["session_id"]
    offered = {"credentials": store.put(exports.credentials_csv(opened["credentials"]), {
        "name": f"kredensial-sesi-{number}.csv", "type": "text/csv; charset=utf-8"})}
    try:
        offered["cards"] = store.put(sessions.login_cards(services(), opened), {
            "name": f"kartu-login-sesi-{number}.pdf", "type": "application/pdf"})
    except Exception:  # the session is open either way; the credentials CSV still holds every password
        log.exception("login cards of session %s could not be made", number)
    for key in offered.values():
        remember("downloads", key)
    record = {key: opened[key] for key in ("session_id", "session_token", "exam_code", "candidates")}
    key = store.put(b"", {**record, "offered": offered})
    remember("opened", key)
    return key


@blueprint.get("/sessions/opened/<key>")
def session_opened(key: str):
    record = temp_files().meta(key) if owned("opened", key) else None
    if record is None:
        raise NotFound(translate("Halaman ini sudah kedaluwarsa (berlaku satu jam)."))
    store = temp_files()
    offered = {kind: fid for kind, fid in record["offered"].items() if store.meta(fid) is not None}
    return render_template("admin/session_opened.html", record=record, offered=offered,
                           kiosk_url=sessions.kiosk_url(services().settings, record["session_token"]))


@blueprint.get("/downloads/<key>")
def one_time_download(key: str):
    store = temp_files()
    about = store.meta(key) if owned("downloads", key) else None
    if about is None:
        message = translate("Berkas ini sudah diunduh atau sudah kedaluwarsa; "
                            "berkas sekali unduh tidak dapat dibuat ulang.")
        return render_template("admin/error.html", problems=[], message=message), 410
    session["downloads"] = [k for k in session.get("downloads", []) if k != key]
    return download(store.take(key), about["name"], about["type"])


@blueprint.get("/sessions/<int:session_id>")
def session_show(session_id: int):
    ctx = services()
    listed = find_listed_session(session_id)
    document = results.session_results(ctx, session_id)
    proctors = [u for u in users.list_users(ctx) if session_id in u["sessions"]]
    return render_template("admin/session.html", session_row=listed, results=document["results"],
                           proctors=proctors, formats=list(RESULT_FORMATS))


@blueprint.post("/sessions/<int:session_id>/close")
def session_close(session_id: int):
    return run_action(lambda: sessions.close_session(services(), session_id),
                      translate("Sesi {id} ditutup.", id=session_id),
                      url_for("admin.session_show", session_id=session_id))


@blueprint.get("/sessions/<int:session_id>/publish")
def session_publish_confirm(session_id: int):
    return render_template("admin/publish.html", session_row=find_listed_session(session_id))


@blueprint.post("/sessions/<int:session_id>/publish")
def session_publish(session_id: int):
    target = url_for("admin.session_show", session_id=session_id)
    try:
        signed = publishing.publish(services(), session_id)
    except ExamError as exc:
        flash(exc.message, "error")
        return redirect(target, 303)
    return done(translate("{signed} hasil ditandatangani dengan kunci {key_id} ({results} hasil seluruhnya).",
                          **signed), target)


@blueprint.get("/sessions/<int:session_id>/results.<fmt>")
def session_results_file(session_id: int, fmt: str):
    if fmt not in RESULT_FORMATS:
        raise NotFound(f"results can be downloaded as {', '.join(RESULT_FORMATS)}")
    data = exports.export_results(services(), session_id, fmt, language())
    return download(data, f"hasil-sesi-{session_id}.{fmt}", RESULT_FORMATS[fmt])


@blueprint.get("/results/<result_id>/slip.pdf")
def result_slip(result_id: str):
    # The QR code points at the public_url of the settings, never at the address this page came from.
    return download(publishing.result_slip(services(), result_id, language()), f"slip-{result_id}.pdf",
                    RESULT_FORMATS["pdf"])


MINUTES_FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@blueprint.get("/sessions/<int:session_id>/minutes.<fmt>")
def session_minutes_file(session_id: int, fmt: str):
    """The berita acara, as ``exam-server minutes`` writes it, in the visitor's language."""
    if fmt not in MINUTES_FORMATS:
        raise NotFound(f"minutes can be downloaded as {', '.join(MINUTES_FORMATS)}")
    find_listed_session(session_id)
    ctx = services()
    document = minutes.session_minutes(ctx, session_id)
    data = minutes.minutes_pdf(ctx, document, language()) if fmt == "pdf" else \
        minutes.minutes_csv(document, ctx.settings.office_zone)
    return download(data, f"berita-acara-sesi-{session_id}.{fmt}", MINUTES_FORMATS[fmt])


@blueprint.get("/sessions/<int:session_id>/alerts")
def session_alerts(session_id: int):
    ctx = services()
    listed = find_listed_session(session_id)
    people = {r["attempt_id"]: r for r in results.session_results(ctx, session_id)["results"]}
    return render_template("admin/alerts.html", session_row=listed, people=people,
                           alerts=alerts.session_alerts(ctx, session_id))


# ---------------------------------------------------------------- item analysis


@blueprint.get("/sessions/<int:session_id>/analysis")
def session_analysis(session_id: int):
    listed = find_listed_session(session_id)
    report = analysis.session_analysis(services(), session_id)
    return render_template("admin/analysis.html", session_row=listed, report=report,
                           histogram=histogram_chart(report["histogram"]), facility=facility_chart(report["items"]))


@blueprint.get("/sessions/<int:session_id>/analysis.csv")
def session_analysis_csv(session_id: int):
    """The per-item table as ``exam-server analysis --out`` writes it, formulas neutralised."""
    report = analysis.session_analysis(services(), session_id)
    return download(exports.analysis_csv(report), f"analisis-sesi-{session_id}.csv",
                    "text/csv; charset=utf-8")
