"""The papers an office signs and files, made from a real sitting and read back as a person and a reader would.

Every PDF is rendered to PNG pages in test-artifacts/pdf/ (to look at), its text
is checked to lie on the page, and the Indonesian papers must say in words what
the records keep as codes.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from exam_server.services import (alerts, answering, attempts, exports, minutes, proctoring, publishing, sessions,
                                  users)
from tests.integration.conftest import make_services
from tests.integration.helpers import ROSTER

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
OFFICE = "Kantor Regional IV Badan Kepegawaian Negara"
SIGNATORIES = [("Dra. Siti Rahmawati, M.Si.", "Kepala Bidang Penilaian Kompetensi", "196805121990032004"),
               ("Andi Pratama, S.Kom.", "Ketua Panitia Seleksi", "198507232010121002")]
LONG_REASON = ("listrik padam di ruang B; seluruh komputer di baris ketiga dan keempat mati selama "
               "kurang lebih sepuluh menit sampai genset menyala kembali")
# What must never reach an Indonesian paper: the records' codes and the server's English.
RAW = ["submitted", "not_started", "in_progress", "timed_out", "focus_lost", "answer_burst", "candidate", "pause",
       "extend", "session:", "attempt:", "answers within", "was refused", "technical", "127.0.0.1", "localhost"]


def config_toml(public_url: str) -> str:
    people = "".join(f'[[signatories]]\nname = "{n}"\ntitle = "{t}"\nnip = "{nip}"\n' for n, t, nip in SIGNATORIES)
    url = f'public_url = "{public_url}"\n' if public_url else ""
    return (f'office_name = "{OFFICE}"\noffice_address = "Jl. Rappocini Raya No. 1, Makassar 90222"\n'
            f'office_logo = "logo.png"\noffice_zone = "WITA"\n{url}{people}')


def make_office(data: Path, public_url: str, database_url: str, clock):
    from PIL import Image, ImageDraw

    data.mkdir(parents=True, exist_ok=True)
    logo = Image.new("RGB", (120, 120), "white")
    ImageDraw.Draw(logo).ellipse((10, 10, 110, 110), outline="navy", width=8)
    logo.save(data / "logo.png")
    (data / "config.toml").write_text(config_toml(public_url), encoding="utf-8")
    return make_services(data, database_url, clock)


# The papers each database kind printed, made once per process: the tests only read them, and
# the sitting behind them (fixed clock, fixed seed) is the same each time.
_PRINTED: dict[str, dict[str, bytes]] = {}


@pytest.fixture
def papers(tmp_path, database_url, clock):
    """A sitting with a late start, an extension for a power cut, a pause, alerts, and one candidate who never came;
    then every paper of it, in Indonesian and English."""
    kind = database_url.split(":", 1)[0]
    if kind not in _PRINTED:
        _PRINTED[kind] = print_a_sitting(tmp_path, database_url, clock)
    return dict(_PRINTED[kind])


def print_a_sitting(tmp_path, database_url, clock) -> dict[str, bytes]:
    from exam_server.services import banks, exams
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK

    ctx = make_office(tmp_path / "data", "https://ujian.bkn.example/", database_url, clock)
    banks.import_bank(ctx, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(ctx, BLUEPRINT)
    opened = sessions.create_session(ctx, "UJI-1", "Sesi 1 Ruang B", ROSTER.encode(), seed=7)
    cards = sessions.login_cards(ctx, opened)
    passwords = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    users.add_user(ctx, "admin", "kepala", "sandi-kepala-1")
    actor = proctoring.Actor(users.staff_from_token(ctx, users.authenticate(ctx, "kepala", "sandi-kepala-1")["token"]),
                             "10.1.2.3")
    for number, right in (("P-001", True), ("P-002", False)):
        attempt_id = attempts.login(ctx, opened["session_token"], number, passwords[number])["attempt_id"]
        attempts.start(ctx, attempt_id)
        if number == "P-002":
            proctoring.extend(ctx, actor, attempt_id, 10, LONG_REASON)
            proctoring.pause(ctx, actor, {"session_id": opened["session_id"], "reason": "gangguan jaringan"})
            proctoring.resume(ctx, actor, {"session_id": opened["session_id"]})
            event = attempts.report(ctx, attempt_id, "focus_lost", "alt-tab")
            alerts.raise_alert(ctx, attempt_id, event["type"], event["detail"], category="candidate")
            alerts.raise_alert(ctx, attempt_id, "answer_burst", "31 answers within 10 s", category="candidate")
        for seq, item in enumerate(attempts.form(ctx, attempt_id)["items"], start=1):
            key = next(o["key"] for o in item["options"] if o["text"].startswith("Benar") == right)
            answering.answer(ctx, attempt_id, item["position"], key, seq)
        answering.submit(ctx, attempt_id)
    publishing.publish(ctx, opened["session_id"])
    results = exports.session_results(ctx, opened["session_id"])["results"]
    made = {"kartu": cards}
    for locale in ("id", "en"):
        made[f"hasil-{locale}"] = exports.export_results(ctx, opened["session_id"], "pdf", locale)
        made[f"berita-acara-{locale}"] = minutes.minutes_pdf(
            ctx, minutes.session_minutes(ctx, opened["session_id"]), locale)
        for r in results:
            made[f"slip-{r['participant_number']}-{locale}"] = publishing.result_slip(ctx, r["result_id"], locale)
    ctx.close()
    return made


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(_file(pdf)).pages)


def _file(pdf: bytes):
    import io

    return io.BytesIO(pdf)


def render(name: str, pdf: bytes, folder: Path = ARTIFACTS) -> list[Path]:
    """The PDF as PNG pages, as poppler draws them for a person to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in folder.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(folder / name)], check=True, timeout=120)
    return sorted(folder.glob(f"{name}-*.png"))


def pieces_outside(pdf: bytes) -> list[str]:
    """Every text piece whose start or (estimated) end lies beyond its page's edges."""
    outside = []
    for number, page in enumerate(PdfReader(_file(pdf)).pages, start=1):
        box = page.mediabox
        width, height = float(box.width), float(box.height)

        def visit(text, cm, tm, font, size, page_number=number):
            if not text.strip():
                return
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * size or size
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            end = x + 0.45 * scale * len(text.rstrip())  # DejaVu's narrowest letters average wider than this
            if not (0 <= x and end <= width and 0 <= y <= height):
                outside.append(f"page {page_number}: {text!r} at ({x:.0f}, {y:.0f}) to {end:.0f} of {width:.0f}")

        page.extract_text(visitor_text=visit)
    return outside


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_every_paper_renders_and_keeps_its_text_on_the_page(papers, database_url):
    # One folder per database: the two runs of this test may render at the same time (pytest -n).
    folder = ARTIFACTS / database_url.split(":", 1)[0]
    for name, pdf in papers.items():
        assert render(name, pdf, folder), name
        assert pieces_outside(pdf) == [], name


def test_the_papers_carry_the_letterhead_signatories_and_the_public_verify_code(papers):
    for name in ("hasil-id", "berita-acara-id", "slip-P-001-id"):
        text = text_of(papers[name])
        assert OFFICE in text and "Rappocini" in text, name
        for person, title, nip in SIGNATORIES:
            assert person in text and title in text and f"NIP {nip}" in text, name
        assert re.search(r"Dicetak \d{1,2} \w+ \d{4} \d{2}\.\d{2} WITA", text), name
    slip = text_of(papers["slip-P-001-id"])
    assert "199001012015032001" in slip  # the candidate's NIP
    assert "https://ujian.bkn.example/verify/" in slip and "24,00" in slip and "LULUS" in slip
    assert "Sesi 1 Ruang B" in slip


def test_a_candidate_who_never_came_is_absent_not_failed(papers):
    slip = text_of(papers["slip-P-003-id"])
    assert "TIDAK HADIR" in slip and "LULUS" not in slip.replace("TIDAK HADIR", "")
    assert "ABSENT" in text_of(papers["slip-P-003-en"])
    line = next(line for line in text_of(papers["hasil-id"]).splitlines() if "P-003" in line)
    assert "Tidak hadir" in line and "lulus" not in line.lower()


def test_the_minutes_say_what_each_action_did_and_wrap_long_reasons(papers):
    text = " ".join(text_of(papers["berita-acara-id"]).split())
    assert "waktu ditambah 10 menit: listrik padam di ruang B" in text
    assert "sampai genset menyala kembali" in text  # the end of a long reason, wrapped, not cut
    assert "ujian dijeda: gangguan jaringan" in text and "seluruh peserta sesi" in text
    assert "jendela ujian ditinggalkan" in text and "31 jawaban dalam 10 detik" in text
    assert "Tidak hadir" in text and re.search(r"\d{2}\.\d{2} WITA", text)
    english = " ".join(text_of(papers["berita-acara-en"]).split())
    assert "time extended by 10 min: listrik padam" in english and "31 answers within 10 s" in english


def test_indonesian_papers_hold_no_codes_or_english(papers):
    for name, pdf in papers.items():
        if name.endswith("-en"):
            continue
        text = text_of(pdf)
        found = [raw for raw in RAW if raw in text]
        assert found == [], f"{name}: {found}"


def test_without_a_public_url_the_qr_code_is_left_out_with_a_note(tmp_path, database_url, clock):
    from exam_server.services import banks, exams
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK

    ctx = make_office(tmp_path / "data", "", database_url, clock)
    try:
        banks.import_bank(ctx, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
        exams.create_exam(ctx, BLUEPRINT)
        opened = sessions.create_session(ctx, "UJI-1", "Sesi 1", ROSTER.encode(), seed=7)
        cards = sessions.login_cards(ctx, opened)
        publishing.publish(ctx, opened["session_id"])
        result = exports.session_results(ctx, opened["session_id"])["results"][0]
        slip = publishing.result_slip(ctx, result["result_id"], "id")
    finally:
        ctx.close()
    text = text_of(slip)
    assert "public_url" in text and "/verify/" not in text and "127.0.0.1" not in text
    assert len(PdfReader(_file(slip)).pages[0].images) == 1  # the letterhead's logo, no QR code
    assert "tanya pengawas" in text_of(cards) and "127.0.0.1" not in text_of(cards)
