"""The overview page, and exams: listing them, registering a blueprint (TOML), showing one."""
from __future__ import annotations

from pathlib import Path

from flask import g, render_template, request, url_for

from exam_server.errors import BadInput, ExamError, NotFound
from exam_server.services import banks, exams, sessions
from exam_server.web.admin.base import blueprint
from exam_server.web.admin.i18n import translate
from exam_server.web.admin.pages import done, form_status, services

BLUEPRINT_LIMIT = 1024 * 1024  # as the command line's create-exam


# ---------------------------------------------------------------- overview


@blueprint.get("/")
def index():
    ctx = services()
    listed = sessions.list_sessions(ctx, g.staff)
    return render_template("admin/index.html", banks=banks.list_banks(ctx), exams=exams.list_exams(ctx),
                           sessions=listed, open_sessions=[s for s in listed if s["status"] == "open"])


# ---------------------------------------------------------------- exams


@blueprint.get("/exams")
def exam_list():
    return render_template("admin/exams.html", exams=exams.list_exams(services()), text="", problems=[])


@blueprint.post("/exams")
def exam_create():
    upload = request.files.get("blueprint_file")
    if upload and upload.filename:
        filename = Path(upload.filename.replace("\\", "/")).name
        text = upload.stream.read(BLUEPRINT_LIMIT + 1).decode("utf-8", errors="replace")
    else:
        filename, text = "blueprint.toml", request.form.get("blueprint_text") or ""
    try:
        if len(text) > BLUEPRINT_LIMIT:
            raise BadInput(f"{filename}: over the limit of {BLUEPRINT_LIMIT} bytes")
        if not text.strip():
            raise BadInput(translate("Tempel cetak biru (TOML) atau pilih berkasnya."))
        code = exams.create_exam(services(), text, filename)
    except ExamError as exc:
        problems = [str(p) for p in getattr(exc, "problems", [])]
        return render_template("admin/exams.html", exams=exams.list_exams(services()), text=text,
                               error=exc.message.splitlines()[0], problems=problems), form_status(exc)
    return done(translate("Ujian {code} tersimpan.", code=code), url_for("admin.exam_show", code=code))


@blueprint.get("/exams/<code>")
def exam_show(code: str):
    found = next((e for e in exams.list_exams(services()) if e["code"] == code), None)
    if found is None:
        raise NotFound(f"no exam with code {code!r}")
    return render_template("admin/exam.html", exam=found, blueprint=found["blueprint"])
