"""The demo: sample banks, both sample exams, staff accounts and an open session, ready to try.

Running it again reuses what is there; credentials of the demo session are kept
in the data folder so they can be printed again.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from exam_server.errors import ConfigError
from exam_server.security.keys import ensure_keys
from exam_server.services import banks, exams, sessions, users
from exam_server.services.context import ServiceContext
from exam_server.services.exports import write_credentials
from exam_server.store import models

# (file under question_banks/, bank code)
DEMO_BANKS = (
    ("ujian-dinas/ud-twk.gift", "ud-twk"),
    ("ujian-dinas/ud-tpu.gift", "ud-tpu"),
    ("ujian-dinas/ud-tsi.gift", "ud-tsi"),
    ("ujian-penyesuaian/upkp-twk.csv", "upkp-twk"),
    ("ujian-penyesuaian/upkp-tkt.csv", "upkp-tkt"),
    ("ujian-penyesuaian/upkp-tsi.csv", "upkp-tsi"),
    ("ujian-penyesuaian/upkp-twk.aiken.txt", "upkp-twk-aiken"),
)
DEMO_EXAMS = (
    ("ujian-dinas/ujian-dinas-tingkat-1.toml", "ujian-dinas/peserta-demo.csv", "Demo Ujian Dinas Tingkat I"),
    ("ujian-penyesuaian/ujian-penyesuaian-kenaikan-pangkat.toml", "ujian-penyesuaian/peserta-demo.csv",
     "Demo Ujian Penyesuaian Kenaikan Pangkat"),
)
DEMO_STAFF = (("admin", "admin", "admin-demo-2026"), ("proctor", "pengawas", "pengawas-demo-2026"))


def find_question_banks() -> Path:
    folder = Path(__file__).resolve().parents[2] / "question_banks"
    if not (folder / DEMO_BANKS[0][0]).is_file():
        raise ConfigError(f"the sample banks are not at {folder}; run the demo from a checkout of the project")
    return folder


def prepare(ctx: ServiceContext, samples: Path | None = None) -> dict:
    samples = samples or find_question_banks()
    ctx.settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(ctx.settings)
    ctx.db.upgrade()
    for relative, code in DEMO_BANKS:
        path = samples / relative
        banks.import_bank(ctx, path.read_bytes(), path.name, bank_code=code)
    _ensure_staff(ctx)
    opened = [_ensure_session(ctx, samples, blueprint, roster, name) for blueprint, roster, name in DEMO_EXAMS]
    return {"sessions": opened, "staff": [{"role": r, "username": u, "password": p} for r, u, p in DEMO_STAFF]}


def _ensure_staff(ctx: ServiceContext) -> None:
    with ctx.db.reading() as session:
        existing = set(session.scalars(select(models.StaffUser.username)))
    for role, username, password in DEMO_STAFF:
        if username not in existing:
            users.add_user(ctx, role, username, password)


def _ensure_session(ctx: ServiceContext, samples: Path, blueprint: str, roster: str, name: str) -> dict:
    credentials_file = ctx.settings.data_dir / f"demo-credentials-{Path(blueprint).stem}.csv"
    with ctx.db.reading() as session:
        existing = session.scalar(select(models.ExamSession).where(
            models.ExamSession.name == name, models.ExamSession.status == "open"))
        found = existing and {"session_id": existing.id, "session_token": existing.token, "exam_code": existing.exam.code}
    if found and credentials_file.exists():
        with credentials_file.open(encoding="utf-8") as handle:
            return {**found, "name": name, "credentials": list(csv.DictReader(handle)),
                    "credentials_file": str(credentials_file)}
    text = (samples / blueprint).read_text(encoding="utf-8")
    code = exams.create_exam(ctx, text, blueprint) if not _exam_exists(ctx, text) else _exam_code(text)
    proctor = next(u for r, u, _ in DEMO_STAFF if r == "proctor")
    opened = sessions.create_session(ctx, code, name, (samples / roster).read_bytes(), roster, proctors=(proctor,))
    write_credentials(credentials_file, opened["credentials"])
    return {**{k: opened[k] for k in ("session_id", "session_token", "exam_code", "credentials")}, "name": name,
            "credentials_file": str(credentials_file)}


def _exam_code(text: str) -> str:
    from exam_server.domain.blueprint import parse_blueprint

    return parse_blueprint(text).code


def _exam_exists(ctx: ServiceContext, text: str) -> bool:
    with ctx.db.reading() as session:
        return session.scalar(select(models.Exam.id).where(models.Exam.code == _exam_code(text))) is not None
