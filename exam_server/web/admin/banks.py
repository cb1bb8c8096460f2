"""Question banks: listing, upload checked by a dry run then confirmed, export, and the blank templates."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for

from exam_server.errors import BadInput, ExamError, NotFound
from exam_server.services import banks
from exam_server.web.admin.base import blueprint
from exam_server.web.admin.files import RESULT_FORMATS, download, temp_files
from exam_server.web.admin.i18n import translate
from exam_server.web.admin.pages import done, services

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@blueprint.get("/banks")
def bank_list():
    from exam_server.banks.export import exporters
    from exam_server.banks.importer import MAX_BANK_BYTES, known_formats

    return render_template("admin/banks.html", banks=banks.list_banks(services()), formats=known_formats(),
                           export_formats=sorted(exporters()), max_mb=MAX_BANK_BYTES // (1024 * 1024))


@blueprint.post("/banks/upload")
def bank_upload():
    """Check an uploaded bank (a dry run) and keep it, unchanged, for "confirm import"."""
    from exam_server.banks.importer import MAX_BANK_BYTES, display_name

    store = temp_files()
    if session.get("upload"):
        store.discard(session.pop("upload"))
    upload = request.files.get("bank_file")
    filename = display_name(upload.filename) if upload and upload.filename else ""
    options = {"filename": filename, "bank_code": (request.form.get("bank_code") or "").strip() or None,
               "fmt": (request.form.get("format") or "").strip() or None, "strict": bool(request.form.get("strict"))}
    data = upload.stream.read(MAX_BANK_BYTES + 1) if filename else b""
    try:
        if not filename:
            raise BadInput(translate("Pilih berkas bank soal yang akan diunggah."))
        if len(data) > MAX_BANK_BYTES:
            raise BadInput(f"{filename}: over the limit of {MAX_BANK_BYTES} bytes")
        report = banks.import_bank(services(), data, filename, bank_code=options["bank_code"], fmt=options["fmt"],
                                   strict=options["strict"], dry_run=True)
        outcome = {"report": report}
    except ExamError as exc:
        outcome = {"refused": exc.message.splitlines()[0],
                   "problems": [str(p) for p in getattr(exc, "problems", [])]}
        if isinstance(exc, banks.NothingDeliverable):  # every question with its own reason
            outcome.update(skipped=exc.report["skipped"], warnings=exc.report["warnings"], problems=[])
        data = b""  # nothing to confirm: keep only the report
    session["upload"] = store.put(data, {**options, **outcome})
    return redirect(url_for("admin.bank_review"), 303)


@blueprint.get("/banks/review")
def bank_review():
    staged = temp_files().meta(session.get("upload", ""))
    if staged is None:
        flash(translate("Tidak ada unggahan yang menunggu; unggah berkasnya lagi."), "error")
        return redirect(url_for("admin.bank_list"), 303)
    status = 400 if "refused" in staged else 200
    first = []
    if "report" in staged:
        from exam_server.services.bank_browser import first_items

        first = first_items(temp_files().data(session["upload"]), staged["filename"], staged["fmt"])
        g.item_html = True  # item HTML shown as the kiosk shows it (pages.secure)
    return render_template("admin/bank_review.html", staged=staged, first_items=first), status


@blueprint.post("/banks/confirm")
def bank_confirm():
    """Import the file checked before: the server's own copy, never one sent again."""
    store = temp_files()
    key = session.get("upload", "")
    staged = store.meta(key)
    if staged is None or "report" not in staged:
        flash(translate("Tidak ada unggahan yang menunggu; unggah berkasnya lagi."), "error")
        return redirect(url_for("admin.bank_list"), 303)
    report = banks.import_bank(services(), store.data(key), staged["filename"], bank_code=staged["bank_code"],
                               fmt=staged["fmt"], strict=staged["strict"])
    store.discard(session.pop("upload"))
    if report.get("unchanged"):
        message = translate("Bank {bank} sama dengan versi {version}; tidak ada yang berubah.", **report)
    else:
        message = translate("Bank {bank} versi {version}: {imported} soal diimpor.", **report)
    return done(message, url_for("admin.bank_list"))


@blueprint.post("/banks/cancel")
def bank_cancel():
    if session.get("upload"):
        temp_files().discard(session.pop("upload"))
    return done(translate("Unggahan dibatalkan; tidak ada yang disimpan."), url_for("admin.bank_list"))


@blueprint.get("/banks/<code>/export")
def bank_export(code: str):
    from exam_server.banks.export import export_bank, exporters

    fmt = request.args.get("format", "gift")
    found = exporters().get(fmt)
    if found is None:
        raise BadInput(f"unknown export format {fmt!r}; known formats: {', '.join(sorted(exporters()))}")
    version = request.args.get("version", type=int)
    items, assets = banks.bank_items(services(), code, version)
    suffix = f"-v{version}" if version else ""
    return download(export_bank(items, assets, fmt), f"{code}{suffix}{found.extension}", found.media_type)


@blueprint.get("/banks/template.<fmt>")
def bank_template(fmt: str):
    from exam_server.banks.docx_template import template_docx
    from exam_server.banks.template import template_csv, template_xlsx

    if fmt == "docx":
        return download(template_docx(), "templat-bank-soal.docx", DOCX_MEDIA_TYPE)
    if fmt == "csv":
        return download(template_csv(), "templat-bank-soal.csv", "text/csv; charset=utf-8")
    if fmt == "xlsx":
        return download(template_xlsx(), "templat-bank-soal.xlsx", RESULT_FORMATS["xlsx"])
    raise NotFound(f"no template in format {fmt!r}: csv, xlsx or docx")
