"""Small banks, blueprints and rosters that integration tests build on."""
from __future__ import annotations

from pathlib import Path

GIFT_BANK = """// A small bank: the correct option of every item starts with "Benar".
$CATEGORY: $course$/top/Dasar

::D1:: Ibu kota negara Republik Indonesia menurut UU 3/2022 adalah{
=Benar\\: Nusantara
~Bandung
~Medan
~Makassar
}

::D2:: Lambang negara Indonesia adalah {=Benar Garuda Pancasila ~Banteng ~Padi dan kapas ~Rantai}

::D3:: Sila pertama Pancasila {
  =Benar Ketuhanan Yang Maha Esa#tepat
  ~Kemanusiaan yang adil dan beradab
  ~Persatuan Indonesia
}

::D4:: Semboyan negara {=Benar Bhinneka Tunggal Ika ~Tut Wuri Handayani ~Jalesveva Jayamahe}

::D5:: Bendera negara berwarna {=Benar merah putih ~putih merah ~merah kuning}

$CATEGORY: $course$/top/Lanjut

::L1:: UUD 1945 disahkan pada tanggal{=Benar 18 Agustus 1945 ~17 Agustus 1945 ~1 Juni 1945}

::L2:: Lembaga yang berwenang mengubah UUD adalah {=Benar MPR ~DPR ~Presiden ~MK}

::L3:: Pemilihan umum diselenggarakan setiap {=Benar lima tahun ~empat tahun ~enam tahun}
"""

BLUEPRINT = """code = "UJI-1"
title = "Ujian uji"
duration_minutes = 30
pass_total = 10

[[sections]]
name = "Dasar"
bank = "umum"
category = "Dasar"
count = 4
scoring = "right_wrong"
correct = 5
wrong = -1
blank = 0
pass_score = 10

[[sections]]
name = "Lanjut"
bank = "umum"
category = "Lanjut"
count = 2
scoring = "weighted"
points = 2
"""

ROSTER = """participant_number,name,nip,seat,password
P-001,=Ani Formula,199001012015032001,A-01,sandi-p001
P-002,Budi Santoso,,A-02,
P-003,Citra Lestari,,A-03,
"""


def write_blueprint(folder: Path, text: str = BLUEPRINT) -> Path:
    path = folder / "blueprint.toml"
    path.write_text(text, encoding="utf-8")
    return path


def in_process_services(exam_cli):
    """The services over the same data folder and database the command used."""
    from exam_server.config import load_settings
    from exam_server.composition import build_services

    settings = load_settings({"data_dir": exam_cli.data_dir, "database_url": exam_cli.database_url}, environ={})
    return build_services(settings)
