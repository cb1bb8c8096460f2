"""The one place where an error the server raised becomes a sentence a person reads on a page.

The services raise errors in English with a stable ``code`` (the API and the
command line keep both as they are); a page shows the sentence below in its
visitor's language. The patterns match the messages the services write; a
message none matches is shown as it is rather than hidden.
"""
from __future__ import annotations

import re

from exam_server.i18n import N_, translate

_MESSAGES = [
    (r"(.+) was refused, nothing was imported", N_("{0} ditolak; tidak ada yang diimpor")),
    (r"(.+): cannot tell which format this file is in; known formats: (.+) \(name one with --format\)",
     N_("{0}: format berkas ini tidak dikenali. Format yang dikenal: {1}; pilih salah satu di formulir.")),
    (r"(.+): unknown format '(.+)'; known formats: (.+)", N_("{0}: format {1} tidak dikenal. Format yang dikenal: {2}.")),
    (r"(.+): the file is empty", N_("{0}: berkasnya kosong.")),
    (r"(.+): over the limit of (\d+) bytes", N_("{0}: melebihi batas {1} bita.")),
    (r"no session with id (\d+)", N_("Sesi {0} tidak ada.")),
    (r"session (\d+) is already closed", N_("Sesi {0} sudah ditutup.")),
    (r"no exam with code '(.+)'", N_("Ujian dengan kode {0} tidak ada.")),
    (r"no bank with code '(.+)'", N_("Bank soal dengan kode {0} tidak ada.")),
    (r"bank '(.+)' has no version (\d+)", N_("Bank soal {0} tidak memiliki versi {1}.")),
    (r"(.+): exam (.+) already has sessions and cannot change; give the new definition another code",
     N_("{0}: ujian {1} sudah memiliki sesi dan tidak dapat diubah; beri definisi baru kode lain.")),
    (r"--name: a session needs a name", N_("Sesi harus diberi nama.")),
    (r"--proctor (.+): no staff account with that username \(create it with add-user\)",
     N_("Pengawas {0}: tidak ada akun staf dengan nama pengguna itu.")),
    (r"the password must have at least (\d+) characters", N_("Kata sandi harus terdiri atas sedikitnya {0} karakter.")),
    (r"a staff account named '(.+)' already exists", N_("Akun staf bernama {0} sudah ada.")),
    (r"--username: .*", N_("Nama pengguna: 2-64 huruf, angka, '.', '_', '@' atau '-'.")),
    (r"no staff account (\d+)", N_("Akun staf {0} tidak ada.")),
    (r"no such staff account or session", N_("Akun staf atau sesi itu tidak ada.")),
    (r"only administrators may do this", N_("Hanya administrator yang boleh melakukan ini.")),
    (r"(\d+) attempts are still running \((.+)\); .*",
     N_("{0} peserta masih mengerjakan ({1}); akhiri ujian mereka atau tutup sesinya dahulu.")),
    (r"the server is busy.*", N_("Server sedang sibuk; tidak ada yang disimpan. Coba lagi dalam beberapa detik.")),
    (r"no published result with this id", N_("Tidak ada hasil terbit dengan id ini.")),
    (r"no result with this id yet: .*", N_("Belum ada hasil dengan id ini: hasil ada setelah ujian berakhir atau diterbitkan.")),
    (r"no such file", N_("Berkas tidak ditemukan.")),
    (r"results can be downloaded as (.+)", N_("Hasil dapat diunduh sebagai {0}.")),
    (r"minutes can be downloaded as (.+)", N_("Berita acara dapat diunduh sebagai {0}.")),
    (r"no template in format '(.+)': csv, xlsx or docx", N_("Tidak ada templat berformat {0}: csv, xlsx atau docx.")),
    (r"--format (.+): results can be exported as (.+)", N_("Format {0} tidak dikenal; hasil dapat diekspor sebagai {1}.")),
    # Replies to a proctor's controls (consoles).
    (r"attempt (\d+) is not running", N_("peserta #{0} tidak sedang mengerjakan")),
    (r"attempt (\d+) is not paused", N_("peserta #{0} tidak sedang dijeda")),
    (r"attempt (\d+) has ended \((\w+)\); it cannot be extended", N_("ujian peserta #{0} sudah berakhir; waktunya tidak dapat ditambah")),
    (r"attempt (\d+) has already ended \((\w+)\)", N_("ujian peserta #{0} sudah berakhir")),
    (r"minutes must be a number above 0 and at most (\d+)", N_("menit harus berupa angka di atas 0 dan paling banyak {0}")),
    (r"reason must be text of at most (\d+) characters", N_("alasan paling banyak {0} karakter")),
    (r"text must be 1 to (\d+) characters", N_("pengumuman harus 1 sampai {0} karakter")),
]
_COMPILED = [(re.compile(pattern), text) for pattern, text in _MESSAGES]


def message(text: str, locale: str | None = None) -> str:
    """The first line of an error's message in ``locale``; further lines (where in a file) stay as written."""
    first, newline, rest = (text or "").partition("\n")
    first = first.rstrip(":")
    for pattern, words in _COMPILED:
        found = pattern.fullmatch(first)
        if found:
            return translate(words, locale).format(*found.groups()) + newline + rest
    return text


def of(exc, locale: str | None = None) -> str:
    return message(getattr(exc, "message", str(exc)), locale)
