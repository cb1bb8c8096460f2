"""Codes the server stores (statuses, alert types, staff actions) as words a person reads.

The codes stay in the database, the API and the signed documents (other programs
read them); only what a person reads goes through these tables.
"""
from __future__ import annotations

import re

from exam_server.i18n import N_, translate

STATUS = {"open": N_("terbuka"), "closed": N_("ditutup"), "not_started": N_("belum mulai"),
          "in_progress": N_("mengerjakan"), "paused": N_("dijeda"), "submitted": N_("selesai"),
          "timed_out": N_("waktu habis"), "ended_by_proctor": N_("diakhiri pengawas")}
ROLE = {"admin": N_("administrator"), "proctor": N_("pengawas")}
FLAG = {"negative_discrimination": N_("daya beda negatif"), "key_never_chosen": N_("kunci tidak pernah dipilih"),
        "distractor_never_chosen": N_("pengecoh tidak pernah dipilih"), "too_easy": N_("terlalu mudah"),
        "too_hard": N_("terlalu sulit"), "distractor_over_key": N_("pengecoh lebih dipilih kelompok atas"),
        "p_extreme": N_("p bernilai 0 atau 1")}
ALERT = {"focus_lost": N_("jendela ujian ditinggalkan"), "fullscreen_exit": N_("keluar dari layar penuh"),
         "visibility_hidden": N_("halaman ujian tersembunyi"), "copy": N_("menyalin teks"),
         "paste": N_("menempel teks"), "kiosk_exit": N_("keluar dari kios"), "other": N_("lainnya"),
         "answer_burst": N_("jawaban beruntun"), "disconnected": N_("koneksi terputus"),
         "idle": N_("tidak aktif"), "other_workstation": N_("masuk dari komputer lain"),
         "audit_chain_rewritten": N_("log peserta diubah di basis data")}
CATEGORY = {"candidate": N_("peserta"), "technical": N_("teknis"), "environment": N_("lingkungan"),
            "staff": N_("staf")}
# Details the server wrote itself (in English, kept as stored) and how to say them.
_DETAILS = [
    (re.compile(r"(\d+) answers within (\d+) s"), N_("{0} jawaban dalam {1} detik")),
    (re.compile(r"disconnected for (\d+) s while the clock runs"), N_("terputus {0} detik saat waktu berjalan")),
    (re.compile(r"no answer for (\d+) min while the clock runs"), N_("tidak menjawab {0} menit saat waktu berjalan")),
    (re.compile(r"logged in from (\S+), earlier from (\S+)"), N_("masuk dari {0}, sebelumnya dari {1}")),
]


def label(table: dict[str, str], code, locale: str | None = None) -> str:
    """The word for ``code``; a code the table does not know is shown as it is, never hidden."""
    if code is None or code == "":
        return "–"
    return translate(table[code], locale) if code in table else str(code)


def status(code, locale: str | None = None) -> str:
    return label(STATUS, code, locale)


def alert_detail(detail: str, locale: str | None = None) -> str:
    """An alert's detail in the reader's language where the server wrote it; a candidate's own words stay."""
    for pattern, text in _DETAILS:
        found = pattern.fullmatch(detail or "")
        if found:
            return translate(text, locale).format(*found.groups())
    return detail or ""
