"""Printed documents: candidate login cards, the results list, and result slips with a verification QR code."""
from __future__ import annotations

import io
from pathlib import Path

import segno
from fpdf import FPDF

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _Document(FPDF):
    """A4 portrait with a Unicode font where the system has one (names are not always Latin-1)."""

    def __init__(self, title: str):
        super().__init__(format="A4")
        self.set_title(title)
        self.set_creator("exam-server")
        self.set_auto_page_break(True, margin=15)
        regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family, self.unicode = "Body", True
        else:
            self.family, self.unicode = "Helvetica", False

    def text_of(self, value) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def write_cell(self, w, h, value, *, bold=False, size=10, align="L", border=0, ln=False, fit=False):
        self.set_font(self.family, "B" if bold else "", size)
        # A long name shrinks to its box instead of running under what stands beside it.
        while fit and w and size > 5 and self.get_string_width(self.text_of(value)) > w - 1:
            size -= 0.5
            self.set_font(self.family, "B" if bold else "", size)
        self.cell(w, h, self.text_of(value), border=border, align=align,
                  new_x="LMARGIN" if ln else "RIGHT", new_y="NEXT" if ln else "TOP")


def _qr_png(data: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=6, border=1)
    out.seek(0)
    return out


def candidate_cards(exam_title: str, session_name: str, session_token: str, kiosk_url: str,
                    candidates: list[dict]) -> bytes:
    """Cards to cut out, eight to a page: who, where, the session token and the password, a QR of the kiosk."""
    pdf = _Document(f"Kartu peserta - {session_name}")
    qr = _qr_png(kiosk_url).getvalue()
    card_w, card_h = 95, 66
    for index, candidate in enumerate(candidates):
        if index % 8 == 0:
            pdf.add_page()
        x = 10 + (index % 2) * (card_w + 0)
        y = 12 + ((index % 8) // 2) * (card_h + 2)
        pdf.rect(x, y, card_w - 2, card_h)
        pdf.set_xy(x + 3, y + 3)
        pdf.write_cell(card_w - 34, 5, exam_title, bold=True, size=9)
        pdf.set_xy(x + 3, y + 8)
        pdf.write_cell(card_w - 34, 5, session_name, size=8)
        rows = [("Nama", candidate.get("name", "")), ("No. peserta", candidate["participant_number"]),
                ("Kursi", candidate.get("seat", "")), ("Token sesi", session_token), ("Kata sandi", candidate["password"])]
        for line, (label, value) in enumerate(rows):
            pdf.set_xy(x + 3, y + 16 + line * 8)
            pdf.write_cell(22, 6, label, size=8)
            pdf.write_cell(card_w - 60, 6, value, bold=label in ("No. peserta", "Kata sandi", "Token sesi"), size=10, fit=True)
        pdf.image(io.BytesIO(qr), x=card_w - 30 + x, y=y + 4, w=26, h=26)
        pdf.set_xy(x + card_w - 31, y + 31)
        pdf.write_cell(28, 4, "kiosk", size=6, align="C")
    return bytes(pdf.output())


def results_list(exam_title: str, session_name: str, document: dict) -> bytes:
    """The ranked results of a session as a printable table."""
    pdf = _Document(f"Hasil - {session_name}")
    pdf.add_page(orientation="L")
    pdf.write_cell(0, 8, f"{exam_title} - {session_name}", bold=True, size=13, ln=True)
    results = document["results"]
    sections = [s["name"] for s in results[0]["sections"]] if results else []
    widths = [10, 30, 62] + [22] * len(sections) + [22, 18, 30]
    header = ["#", "No. peserta", "Nama"] + sections + ["Total", "Lulus", "Status"]
    for width, title in zip(widths, header):
        pdf.write_cell(width, 7, title, bold=True, size=9, border=1)
    pdf.ln()
    for rank, r in enumerate(results, start=1):
        row = [rank, r["participant_number"], r["name"]] + [s["points"] for s in r["sections"]] + \
              [r["total"], "ya" if r["passed"] else "tidak", r["status"]]
        for width, value in zip(widths, row):
            pdf.write_cell(width, 6, value, size=8, border=1)
        pdf.ln()
    return bytes(pdf.output())


def result_slip(exam_title: str, session_name: str, result: dict, verify_url: str) -> bytes:
    """One candidate's result, with a QR code of the page that proves it genuine."""
    pdf = _Document(f"Hasil {result['participant_number']}")
    pdf.add_page()
    pdf.write_cell(0, 9, exam_title, bold=True, size=15, ln=True)
    pdf.write_cell(0, 6, session_name, size=10, ln=True)
    pdf.ln(4)
    for label, value in (("Nama", result["name"]), ("No. peserta", result["participant_number"]),
                         ("Status", result["status"]), ("Selesai", result.get("submitted_at") or "-")):
        pdf.write_cell(35, 7, label, size=10)
        pdf.write_cell(0, 7, value, bold=True, size=10, ln=True)
    pdf.ln(3)
    for width, title in ((70, "Bagian"), (35, "Nilai"), (35, "Maksimum"), (30, "Lulus")):
        pdf.write_cell(width, 7, title, bold=True, size=10, border=1)
    pdf.ln()
    for section in result["sections"]:
        for width, value in ((70, section["name"]), (35, section["points"]), (35, section["max_points"]),
                             (30, "ya" if section["passed"] else "tidak")):
            pdf.write_cell(width, 7, value, size=10, border=1)
        pdf.ln()
    pdf.write_cell(70, 8, "Total", bold=True, size=11, border=1)
    pdf.write_cell(35, 8, result["total"], bold=True, size=11, border=1)
    pdf.write_cell(65, 8, "LULUS" if result["passed"] else "TIDAK LULUS", bold=True, size=11, border=1, ln=True)
    pdf.ln(6)
    pdf.image(_qr_png(verify_url), w=40, h=40)
    pdf.write_cell(0, 5, "Pindai untuk memeriksa keaslian hasil ini / scan to verify:", size=8, ln=True)
    pdf.write_cell(0, 5, verify_url, size=8, ln=True)
    if result.get("signature"):
        pdf.write_cell(0, 5, f"Ed25519 key {result.get('key_id')}, id {result['result_id']}", size=7, ln=True)
    return bytes(pdf.output())


def session_minutes_pdf(minutes: dict) -> bytes:
    """The berita acara: the sitting, attendance, staff actions with reasons, irregularities, and signature lines."""
    info = minutes["session"]
    pdf = _Document(f"Berita acara - {info['name']}")
    pdf.add_page()
    pdf.write_cell(0, 9, "BERITA ACARA PELAKSANAAN UJIAN", bold=True, size=14, align="C", ln=True)
    pdf.write_cell(0, 6, f"{info['exam_title']} ({info['exam_code']}) - {info['name']}", size=10, align="C", ln=True)
    pdf.ln(3)
    present = sum(1 for a in minutes["attendance"] if a["present"])
    for label, value in (("Sesi dibuka", info["opened_at"]), ("Mulai pertama", info["first_start"] or "-"),
                         ("Selesai terakhir", info["last_end"] or "-"), ("Sesi ditutup", info["closed_at"] or "-"),
                         ("Kehadiran", f"{present} hadir, {len(minutes['attendance']) - present} tidak hadir")):
        pdf.write_cell(40, 6, label, size=9)
        pdf.write_cell(0, 6, value, bold=True, size=9, ln=True)
    _table(pdf, "Daftar hadir", ["No. peserta", "Nama", "Kursi", "Status", "Mulai", "Pelanggaran"], [30, 55, 15, 30, 45, 15],
           [[a["participant_number"], a["name"], a["seat"], a["status"], a["started_at"] or "-", a["violations"]]
            for a in minutes["attendance"]])
    _table(pdf, "Tindakan pengawas", ["Waktu", "Oleh", "Tindakan", "Sasaran", "Alasan"], [45, 25, 25, 30, 65],
           [[c["at"], c["by"], c["action"], c["target"], c["reason"]] for c in minutes["controls"]])
    _table(pdf, "Kejadian", ["Waktu", "No. peserta", "Jenis", "Kategori", "Keterangan"], [45, 30, 30, 22, 63],
           [[a["at"], a["participant_number"], a["type"], a["category"], a["detail"]] for a in minutes["alerts"]])
    if minutes.get("corrections"):
        _table(pdf, "Koreksi soal setelah ujian", ["Waktu", "Oleh", "Soal", "Menjadi", "Alasan", "Hasil berubah"],
               [40, 18, 12, 35, 40, 45], [[c["at"], c["by"], c["item_id"], c["state"], c["reason"], c["changed"]]
                                          for c in minutes["corrections"]])
    pdf.ln(12)
    pdf.write_cell(95, 6, "Pengawas,", size=10)
    pdf.write_cell(95, 6, "Penanggung jawab,", size=10, ln=True)
    pdf.ln(18)
    pdf.write_cell(95, 6, "(............................)", size=10)
    pdf.write_cell(95, 6, "(............................)", size=10, ln=True)
    return bytes(pdf.output())


def _table(pdf: _Document, title: str, header: list[str], widths: list[int], rows: list[list]) -> None:
    pdf.ln(4)
    pdf.write_cell(0, 7, title, bold=True, size=11, ln=True)
    for width, name in zip(widths, header):
        pdf.write_cell(width, 6, name, bold=True, size=8, border=1)
    pdf.ln()
    if not rows:
        pdf.write_cell(sum(widths), 6, "-", size=8, border=1, ln=True)
    for row in rows:
        for width, value in zip(widths, row):
            pdf.write_cell(width, 6, value, size=7, border=1, fit=True)
        pdf.ln()
