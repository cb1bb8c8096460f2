"""Writes contoh-bank-soal.docx, the sample Word bank: 10 TWK questions and 5 TKP with weights.

Run from the repository root, with this checkout's package importable
(``pip install -e .``, or ``PYTHONPATH=.``): ``python question_banks/contoh-word/buat-contoh.py``.
The output is the same bytes on every run; a test checks the committed file
against this script.
"""
from __future__ import annotations

import sys
from pathlib import Path

from exam_server.banks.docx_template import Question, document_bytes, flag_png

OUT = Path(__file__).with_name("contoh-bank-soal.docx")

INTRO = ((
    "Contoh bank soal dalam format Word untuk exam-server: 10 soal TWK dan 5 soal TKP berbobot.",
    "Impor dengan: exam-server import-bank question_banks/contoh-word/contoh-bank-soal.docx",
),)

TWK = [
    Question(category="TWK", stem=[("Rumusan Pancasila yang sah dan resmi terdapat dalam ...", "")],
             options=["Piagam Jakarta", "Pidato Ir. Soekarno tanggal 1 Juni 1945",
                      "Pembukaan UUD 1945 alinea keempat", "Usulan Mr. Muhammad Yamin dalam sidang BPUPKI",
                      "Ketetapan MPR tentang Pedoman Penghayatan dan Pengamalan Pancasila"],
             key="C", explanation="Rumusan resmi Pancasila adalah yang tercantum dalam alinea keempat "
                                  "Pembukaan UUD 1945, yang disahkan PPKI pada 18 Agustus 1945."),
    Question(stem=[("Perilaku berikut yang ", ""), ("tidak", "b"),
                   (" sesuai dengan pengamalan sila kedua Pancasila adalah ...", "")],
             options=["Mengakui persamaan derajat setiap manusia", "Gemar melakukan kegiatan kemanusiaan",
                      "Membeda-bedakan pelayanan berdasarkan suku pemohon", "Berani membela kebenaran dan keadilan",
                      "Mengembangkan sikap tenggang rasa"], key="C"),
    Question(stem=[("Perhatikan gambar berikut. Menurut Undang-Undang Nomor 24 Tahun 2009, bendera negara "
                    "pada gambar tersebut bernama ...", "")],
             picture=flag_png(), options=["Sang Saka Merah Putih", "Sang Merah Putih", "Dwiwarna Pusaka",
                                          "Merah Putih Pusaka", "Sang Dwiwarna"],
             key="B", explanation="UU 24/2009 menamai Bendera Negara Sang Merah Putih. Nama Sang Saka Merah "
                                  "Putih dipakai untuk Bendera Pusaka yang dikibarkan saat Proklamasi."),
    Question(stem=[("Perhatikan tabel berikut. Sidang yang mengesahkan Undang-Undang Dasar 1945 adalah ...", "")],
             table=[["Sidang", "Waktu"], ["Sidang BPUPKI pertama", "29 Mei - 1 Juni 1945"],
                    ["Sidang BPUPKI kedua", "10 - 17 Juli 1945"], ["Sidang PPKI pertama", "18 Agustus 1945"],
                    ["Sidang PPKI kedua", "19 Agustus 1945"]],
             options=["Sidang BPUPKI pertama", "Sidang BPUPKI kedua", "Sidang PPKI pertama", "Sidang PPKI kedua",
                      "Sidang KNIP pertama"], key="C"),
    Question(stem=[("Semboyan ", ""), ("Bhinneka Tunggal Ika", "i"), (" diambil dari kitab ...", "")],
             options=["Negarakertagama karya Mpu Prapanca", "Sutasoma karya Mpu Tantular",
                      "Pararaton", "Arjunawiwaha karya Mpu Kanwa", "Bharatayudha karya Mpu Sedah"], key="B"),
    Question(stem=[("Menurut Pasal 1 ayat (3) UUD NRI Tahun 1945, Negara Indonesia adalah negara ...", "")],
             options=["kesatuan", "hukum", "kepulauan", "kekuasaan", "federal"], key="B"),
    Question(stem=[("Ikrar Sumpah Pemuda dibacakan pada tanggal ...", "")],
             options=["20 Mei 1908", "28 Oktober 1928", "1 Juni 1945", "17 Agustus 1945", "10 November 1945"],
             key="B"),
    Question(stem=[("Lembaga negara yang berwenang mengubah dan menetapkan Undang-Undang Dasar adalah ...", "")],
             options=["Dewan Perwakilan Rakyat", "Presiden", "Majelis Permusyawaratan Rakyat", "Mahkamah Konstitusi",
                      "Dewan Perwakilan Daerah"], key="C"),
    Question(stem=[("Pernyataan bahwa laut di antara dan di sekitar pulau-pulau Indonesia merupakan bagian "
                    "wilayah Indonesia dikenal sebagai ...", "")],
             options=["Deklarasi Djuanda", "Dekret Presiden 5 Juli 1959", "Deklarasi Bangkok", "Deklarasi Bogor",
                      "Maklumat Wakil Presiden Nomor X"], key="A"),
    Question(stem=[("Bagi seorang ASN, upaya bela negara dalam pekerjaan sehari-hari dapat diwujudkan dengan ...",
                    "")],
             options=["Mengikuti latihan militer setiap tahun", "Bekerja dengan jujur dan profesional dalam "
                      "melayani masyarakat", "Mengutamakan produk luar negeri", "Mendahulukan kepentingan "
                      "golongan", "Menghindari kegiatan kemasyarakatan"], key="B"),
]

TKP = [
    Question(category="TKP", stem=[("Atasan memberi Anda tugas baru yang belum pernah Anda kerjakan, dengan "
                                     "tenggat dua hari. Sikap Anda ...", "")],
             options=["Menolak karena belum berpengalaman",
                      "Menerima, mempelajari tugas itu, dan bertanya kepada rekan yang berpengalaman bila perlu",
                      "Menerima, tetapi meminta tenggat diperpanjang sebelum mencoba",
                      "Menerima dan mengerjakannya sendiri tanpa bertanya agar tidak merepotkan orang lain",
                      "Meminta rekan yang berpengalaman mengerjakannya bersama saya"],
             weights={"A": 1, "B": 5, "C": 3, "D": 2, "E": 4}),
    Question(stem=[("Seorang warga menawarkan imbalan agar izinnya diproses lebih cepat. Sikap Anda ...", "")],
             options=["Menerima imbalan itu asalkan berkasnya lengkap",
                      "Menolak dengan sopan dan menjelaskan prosedur serta waktu layanan yang berlaku",
                      "Menolak imbalan, lalu memproses berkasnya lebih dahulu",
                      "Menolak dan melaporkan tawaran itu kepada atasan sesuai aturan gratifikasi",
                      "Diam saja dan memproses berkasnya sesuai antrean"],
             weights={"A": 1, "B": 5, "C": 2, "D": 4, "E": 3}, weight_table=True),
    Question(stem=[("Dalam rapat tim, pendapat Anda ditolak oleh sebagian besar peserta. Sikap Anda ...", "")],
             options=["Menerima keputusan rapat dan melaksanakannya dengan sungguh-sungguh",
                      "Tetap mempertahankan pendapat saya sampai rapat selesai",
                      "Tidak mau terlibat dalam pelaksanaan keputusan itu",
                      "Menerima keputusan, dan mengajukan usul saya lagi bila ada data baru",
                      "Menerima keputusan dengan berat hati"],
             weights={"A": 5, "B": 2, "C": 1, "D": 4, "E": 3}),
    Question(stem=[("Anda menemukan kesalahan data pada laporan yang sudah Anda kirim kepada atasan. "
                    "Sikap Anda ...", "")],
             options=["Membiarkannya karena laporan sudah dikirim",
                      "Segera memberi tahu atasan dan mengirim laporan yang sudah diperbaiki",
                      "Memperbaikinya diam-diam pada laporan berikutnya",
                      "Menanyakan kepada rekan apakah kesalahan itu perlu dilaporkan",
                      "Memperbaiki dan mengirim ulang laporan tanpa penjelasan"],
             weights={"A": 1, "B": 5, "C": 2, "D": 3, "E": 4}),
    Question(stem=[("Kantor Anda mulai memakai aplikasi layanan daring yang baru. Sikap Anda ...", "")],
             options=["Mempelajari aplikasi itu dan membantu rekan yang masih kesulitan",
                      "Tetap memakai cara lama selama masih bisa",
                      "Mempelajari aplikasi itu hanya bila diperintah atasan",
                      "Mengikuti pelatihan yang diadakan kantor",
                      "Menunggu rekan lain mahir, lalu bertanya kepada mereka"],
             weights={"A": 5, "B": 1, "C": 2, "D": 4, "E": 3}),
]


def sample_bytes() -> bytes:
    return document_bytes("Contoh Bank Soal TWK dan TKP", list(INTRO), TWK + TKP)


if __name__ == "__main__":
    OUT.write_bytes(sample_bytes())
    print(f"written {OUT}", file=sys.stderr)
