"""HTTP errors (404, 405, 413, ...) as a title and a sentence a person reads, instead of Werkzeug's English."""
from __future__ import annotations

from exam_server.i18n import N_, translate

_TEXTS = {
    400: (N_("Permintaan tidak dapat diproses"), N_("Isi permintaan ini tidak dapat dibaca server.")),
    403: (N_("Tidak diizinkan"), N_("Anda tidak berhak membuka halaman ini.")),
    404: (N_("Halaman tidak ditemukan"), N_("Alamat ini tidak ada di server ujian. Periksa kembali alamatnya.")),
    405: (N_("Cara membuka tidak diizinkan"), N_("Halaman ini tidak dapat dibuka dengan cara itu.")),
    413: (N_("Berkas terlalu besar"), N_("Berkas atau isian yang dikirim melebihi batas server.")),
    429: (N_("Terlalu banyak permintaan"), N_("Tunggu sebentar lalu coba lagi.")),
}
_OTHER = (N_("Terjadi kesalahan"), N_("Server tidak dapat menjawab permintaan ini."))


def http_text(status: int, locale: str | None = None) -> tuple[str, str]:
    """(title, sentence) for an HTTP status in ``locale``."""
    title, text = _TEXTS.get(status, _OTHER)
    return translate(title, locale), translate(text, locale)
