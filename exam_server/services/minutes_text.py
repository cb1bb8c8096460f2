"""The minutes' words: what each staff action did, each irregularity, each candidate's attendance.

The records keep codes (``extend``, ``focus_lost``, ``session:1``); an office
reads "waktu ditambah 10 menit: listrik padam di ruang B".
"""
from __future__ import annotations

import re

from exam_server.domain.scoring import ANNUL_FULL, ANNUL_NONE
from exam_server.i18n import N_, labels
from exam_server.services.paper import Office

# What a staff action did, with the values its audit entry keeps.
_DID = {"pause": N_("ujian dijeda"), "resume": N_("ujian dilanjutkan"),
        "extend": N_("waktu ditambah {minutes} menit"), "end_attempt": N_("ujian peserta diakhiri"),
        "reset_login": N_("kunci masuk peserta dibuka"), "announce": N_("pengumuman: “{text}”"),
        "open_logins": N_("peserta boleh masuk"), "close_logins": N_("peserta tidak boleh masuk lagi"),
        "correct_item": N_("soal {item_id} dikoreksi (lihat Koreksi soal)"),
        # Sealed sessions at a site: how and where each was opened (the audit keeps "link" or "code").
        "session_open:link": N_("sesi tersegel dibuka oleh hub melalui tautan (situs {site})"),
        "session_open:code": N_("sesi tersegel dibuka dengan kode rilis (situs {site})"),
        "session_opened_at_site:link": N_("situs {site} melaporkan: sesi dibuka melalui tautan"),
        "session_opened_at_site:code": N_("situs {site} melaporkan: sesi dibuka dengan kode rilis"),
        "release_code_shown": N_("kode rilis ditampilkan"),
        "release_code_refused": N_("kode rilis yang salah ditolak"),
        "site_session_pulled": N_("sesi tersegel diterima dari hub")}


def did(office: Office, action: str, detail: dict) -> str:
    """``extend`` with 10 minutes and a reason -> "waktu ditambah 10 menit: listrik padam di ruang B"."""
    minutes = str(detail.get("minutes", ""))
    # As many decimals as were granted: "10" -> "10", "2.5" -> "2,5".
    values = {"minutes": office.fmt.number(minutes, len(minutes.partition(".")[2])), "text": detail.get("text", ""),
              "item_id": detail.get("item_id", "")}
    values["site"] = detail.get("site", "")
    if detail.get("how") in ("link", "code"):
        action = f"{action}:{detail['how']}"
    words = office._(_DID[action], **values) if action in _DID else action
    reason = (detail.get("reason") or "").strip()
    return f"{words}: {reason}" if reason else words


def _who(office: Office, target: str) -> str:
    return office._("seluruh peserta sesi") if target.startswith("session:") else target


def summary(office: Office, minutes: dict) -> list[tuple[str, str]]:
    _, fmt, info = office._, office.fmt, minutes["session"]
    present = sum(1 for a in minutes["attendance"] if a["present"])
    absent = len(minutes["attendance"]) - present
    return [(_("Sesi dibuka"), fmt.datetime(info["opened_at"])), (_("Mulai pertama"), fmt.datetime(info["first_start"])),
            (_("Selesai terakhir"), fmt.datetime(info["last_end"])), (_("Sesi ditutup"), fmt.datetime(info["closed_at"])),
            (_("Kehadiran"), _("{present} hadir, {absent} tidak hadir", present=present, absent=absent))]


def attendance_rows(office: Office, minutes: dict):
    _, fmt = office._, office.fmt
    header = [_("No. peserta"), "NIP", _("Nama"), _("Kursi"), _("Kehadiran"), _("Status"), _("Mulai"), _("Pelanggaran")]
    rows = [[a["participant_number"], a.get("nip", ""), a["name"], a["seat"],
             _("hadir") if a["present"] else _("Tidak hadir"), labels.status(a["status"], office.locale),
             fmt.time(a["started_at"]), a["violations"]] for a in minutes["attendance"]]
    return header, [12, 19, 20, 7, 10, 11, 10, 11], rows


def control_rows(office: Office, minutes: dict):
    _, fmt = office._, office.fmt
    header = [_("Waktu"), _("Oleh"), _("Peserta"), _("Tindakan dan alasan")]
    rows = [[fmt.time(c["at"]), c["by"], _who(office, c["target"]), did(office, c["action"], c.get("detail", {}))]
            for c in minutes["controls"]]
    return header, [14, 14, 16, 56], rows


def alert_rows(office: Office, minutes: dict):
    _, fmt = office._, office.fmt
    header = [_("Waktu"), _("No. peserta"), _("Jenis"), _("Kategori"), _("Keterangan")]
    rows = [[fmt.time(a["at"]), a["participant_number"], labels.label(labels.ALERT, a["type"], office.locale),
             labels.label(labels.CATEGORY, a["category"], office.locale), labels.alert_detail(a["detail"], office.locale)]
            for a in minutes["alerts"]]
    return header, [14, 15, 20, 11, 40], rows


def correction_rows(office: Office, minutes: dict):
    """Items corrected after the sitting: the new key as weights per option, whose results changed."""
    _, fmt = office._, office.fmt
    header = [_("Waktu"), _("Oleh"), _("Soal"), _("Menjadi"), _("Alasan"), _("Hasil berubah")]
    rows = [[fmt.datetime(c["at"]), c["by"], c["item_id"], _state(office, c["state"]), c["reason"],
             _changed(office, c["changed"])] for c in minutes["corrections"]]
    return header, [14, 9, 9, 20, 24, 24], rows


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_OUTCOME = re.compile(r"\((tidak lulus|lulus)\)")


def _decimals(office: Office, text: str) -> str:
    return _DECIMAL.sub(",", text) if office.locale == "id" else text


def _state(office: Office, state: str) -> str:
    """"A=0 B=1 annul=full" as stored -> the annulment in words, weights with the language's decimal mark."""
    words = {f"annul={ANNUL_FULL}": office._("dianulir: nilai penuh untuk semua"),
             f"annul={ANNUL_NONE}": office._("dianulir: tidak dihitung")}
    return " ".join(words.get(part, _decimals(office, part)) for part in state.split())


def _changed(office: Office, changed: str) -> str:
    """"P-001 3.00->4.00 (lulus)" -> "P-001 3,00 → 4,00 (lulus)", or "(passed)" in English."""
    outcome = {"lulus": office._("(lulus)"), "tidak lulus": office._("(tidak lulus)")}
    text = _OUTCOME.sub(lambda found: outcome[found.group(1)], changed.replace("->", " → "))
    return _decimals(office, text)
