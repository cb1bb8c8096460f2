"""Printed documents: candidate login cards, the results list, result slips and the minutes (berita acara).

Each is made on the office's paper (services/paper.py) in the office's language
and zone; the codes of the records (statuses, alert types, actions) become words.
"""
from __future__ import annotations

import io

from exam_server.i18n import labels
from exam_server.services.paper import Office, Paper, qr_png

ABSENT, UNFINISHED = "not_started", ("in_progress", "paused")


def outcome(office: Office, result: dict) -> str:
    """Lulus, Tidak lulus, or Tidak hadir for a candidate who never came: absence is not a failure."""
    if result["status"] == ABSENT:
        return office._("Tidak hadir")
    if result["status"] in UNFINISHED:
        return office._("Belum selesai")
    return office._("Lulus") if result["passed"] else office._("Tidak lulus")


def _yes_no(office: Office, result: dict, passed: bool) -> str:
    return "–" if result["status"] == ABSENT else office._("ya") if passed else office._("tidak")


def candidate_cards(office: Office, exam_title: str, session_name: str, session_token: str, kiosk_url: str,
                    candidates: list[dict]) -> bytes:
    """Cards to cut out, eight to a page: who, where, the session token and the password, a QR of the kiosk."""
    _ = office._
    pdf = Paper(_("Kartu peserta - {session}", session=session_name), office)
    qr = qr_png(kiosk_url).getvalue() if kiosk_url else None
    card_w, card_h = 95, 66
    for index, candidate in enumerate(candidates):
        if index % 8 == 0:
            pdf.add_page()
        x = 10 + (index % 2) * card_w
        y = 12 + ((index % 8) // 2) * (card_h + 2)
        pdf.rect(x, y, card_w - 2, card_h)
        for line, (text, size, bold) in enumerate(((office.name, 6, False), (exam_title, 8, True), (session_name, 7, False))):
            pdf.set_xy(x + 3, y + 2 + line * 4)
            pdf.write_cell(card_w - 34, 4, text, bold=bold, size=size, fit=True)
        rows = [(_("Nama"), candidate.get("name", ""), False), ("NIP", candidate.get("nip", ""), False),
                (_("No. peserta"), candidate["participant_number"], True), (_("Kursi"), candidate.get("seat", ""), False),
                (_("Token sesi"), session_token, True), (_("Kata sandi"), candidate["password"], True)]
        for line, (label, value, bold) in enumerate(rows):
            pdf.set_xy(x + 3, y + 16 + line * 7.8)
            pdf.write_cell(22, 6, label, size=8, fit=True)
            pdf.write_cell(card_w - 60 if line < 2 else card_w - 30, 6, value, bold=bold, size=10, fit=True)
        pdf.set_xy(x + card_w - 31, y + 31)
        if qr is not None:
            pdf.image(io.BytesIO(qr), x=card_w - 30 + x, y=y + 4, w=26, h=26)
            pdf.write_cell(28, 4, _("alamat ujian"), size=6, align="C")
        else:
            pdf.write_cell(28, 4, _("tanya pengawas alamatnya"), size=5, align="C", fit=True)
    return bytes(pdf.output())


def results_list(office: Office, exam_title: str, session_name: str, document: dict, nips: dict) -> bytes:
    """The ranked results of a session as a table to sign and file."""
    _, fmt = office._, office.fmt
    pdf = Paper(_("Hasil - {session}", session=session_name), office, orientation="L")
    pdf.add_page()
    pdf.letterhead()
    pdf.write_lines(_("DAFTAR HASIL UJIAN"), bold=True, size=13, align="C", h=7)
    pdf.write_lines(f"{exam_title} - {session_name}", size=10, align="C")
    pdf.ln(3)
    results = document["results"]
    sections = [s["name"] for s in results[0]["sections"]] if results else []
    header = ["#", _("No. peserta"), "NIP", _("Nama")] + sections + [_("Total"), _("Keterangan"), _("Status")]
    widths = [5, 13, 17, 28] + [11] * len(sections) + [10, 12, 13]
    rows = [[rank, r["participant_number"], nips.get(r["participant_number"], ""), r["name"]]
            + [fmt.number(s["points"]) for s in r["sections"]]
            + [fmt.number(r["total"]), outcome(office, r), labels.status(r["status"], office.locale)]
            for rank, r in enumerate(results, start=1)]
    pdf.table(header, widths, rows)
    pdf.signatures(fmt.date(office.issued_at))
    return bytes(pdf.output())


def result_slip(office: Office, exam_title: str, session_name: str, result: dict, nip: str) -> bytes:
    """One candidate's result, with a QR code of the public page that proves it genuine."""
    _, fmt = office._, office.fmt
    pdf = Paper(_("Hasil {number}", number=result["participant_number"]), office)
    pdf.add_page()
    pdf.letterhead()
    pdf.write_lines(_("SURAT KETERANGAN HASIL UJIAN"), bold=True, size=13, align="C", h=7)
    pdf.write_lines(f"{exam_title} - {session_name}", size=10, align="C")
    pdf.ln(4)
    for label, value in ((_("Nama"), result["name"]), ("NIP", nip or "–"), (_("No. peserta"), result["participant_number"]),
                         (_("Status"), labels.status(result["status"], office.locale)),
                         (_("Selesai"), fmt.datetime(result.get("submitted_at")))):
        pdf.write_cell(35, 7, label, size=10)
        pdf.write_cell(0, 7, value, bold=True, size=10, ln=True)
    pdf.ln(3)
    rows = [[s["name"], fmt.number(s["points"]), fmt.number(s["max_points"]), _yes_no(office, result, s["passed"])]
            for s in result["sections"]]
    rows.append([_("Total"), fmt.number(result["total"]), "", outcome(office, result).upper()])
    pdf.table([_("Bagian"), _("Nilai"), _("Maksimum"), _("Lulus")], [40, 20, 20, 20], rows, size=10)
    _verification(pdf, office, result)
    pdf.signatures(fmt.date(office.issued_at))
    return bytes(pdf.output())


def _verification(pdf: Paper, office: Office, result: dict) -> None:
    _ = office._
    pdf.ln(4)
    if not office.public_url:
        pdf.write_lines(_("Kode QR verifikasi tidak dicetak: alamat publik server (public_url) belum diatur."), size=8)
        return
    url = f"{office.public_url}/verify/{result['result_id']}"
    pdf.image(qr_png(url), w=32, h=32)
    pdf.write_lines(_("Pindai untuk memeriksa keaslian hasil ini:"), size=8)
    pdf.write_lines(url, size=8)
    if result.get("signature"):
        pdf.write_lines(_("Ditandatangani dengan kunci Ed25519 {key}, id {id}", key=result.get("key_id"),
                          id=result["result_id"]), size=7)


def session_minutes_pdf(office: Office, minutes: dict) -> bytes:
    """The berita acara: the sitting, attendance, staff actions with what they did and why, irregularities, signatures."""
    from exam_server.services.minutes_text import alert_rows, attendance_rows, control_rows, correction_rows, summary

    _ = office._
    info = minutes["session"]
    pdf = Paper(_("Berita acara - {session}", session=info["name"]), office)
    pdf.add_page()
    pdf.letterhead()
    pdf.write_lines(_("BERITA ACARA PELAKSANAAN UJIAN"), bold=True, size=13, align="C", h=7)
    pdf.write_lines(f"{info['exam_title']} ({info['exam_code']}) - {office.session_label(info['name'], info.get('hall'))}",
                    size=10, align="C")
    pdf.ln(3)
    for label, value in summary(office, minutes):
        pdf.write_cell(40, 6, label, size=9)
        pdf.write_cell(0, 6, value, bold=True, size=9, ln=True)
    tables = [(_("Daftar hadir"), *attendance_rows(office, minutes)),
              (_("Tindakan pengawas"), *control_rows(office, minutes)),
              (_("Kejadian"), *alert_rows(office, minutes))]
    if minutes.get("corrections"):
        tables.append((_("Koreksi soal setelah ujian"), *correction_rows(office, minutes)))
    for title, header, widths, rows in tables:
        pdf.ln(3)
        pdf.write_lines(title, bold=True, size=11, h=7)
        pdf.table(header, widths, rows, size=7.5)
    pdf.signatures(office.fmt.date(office.issued_at))
    return bytes(pdf.output())
