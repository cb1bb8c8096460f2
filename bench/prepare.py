"""Test data for the load scenarios, prepared once and copied for every run.

A template holds a data folder (keys and, for SQLite, exam.db) and optionally a
PostgreSQL template database, each with: the sample exam Ujian Dinas Tingkat I
(three GIFT banks from question_banks/ujian-dinas, 60 items per candidate), an
admin account and one open session of N candidates with known passwords.

The roster names no passwords: the server generates them, as it does for a
testing office that prints cards, and stores their keyed hashes (the template
keeps the generated passwords in meta.json, and its data folder's
password.key goes into every run's copy). The hall and saturation scenarios
start from tokens signed with the data folder's key, as a login would sign
them (every attempt is at login generation 1 in the template), so 2,000 logins
are not paid at every run; the start storm logs in over HTTP.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / ".work"
BANKS = ROOT / "question_banks" / "ujian-dinas"
BLUEPRINT = BANKS / "ujian-dinas-tingkat-1.toml"
BANK_FILES = (("ud-twk.gift", "ud-twk"), ("ud-tpu.gift", "ud-tpu"), ("ud-tsi.gift", "ud-tsi"))
ADMIN = ("bench-admin", "sandi-bench-admin")
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEMPLATE_FORMAT = 3  # bump when what a template holds changes (3: generated passwords)


def participant(i: int) -> str:
    return f"B26-{i + 1:05d}"


def roster_csv(count: int) -> bytes:
    lines = ["participant_number,name,seat"]
    for i in range(count):
        lines.append(f"{participant(i)},Peserta Uji {i + 1},R{i // 40 + 1:02d}-{i % 40 + 1:02d}")
    return ("\n".join(lines) + "\n").encode()


def code_fingerprint() -> dict:
    """Which server code a run measured: the commit, and a digest of exam_server/ as it is on disk
    (the working tree may differ from the commit while others work in it)."""
    import subprocess

    digest = hashlib.sha256()
    for path in sorted((ROOT / "exam_server").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".toml", ".html", ".js", ".css"):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        changed = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "exam_server"], cwd=ROOT, capture_output=True,
                                 text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        commit, changed = "", []
    return {"commit": commit, "exam_server_changed_files": len(changed), "exam_server_digest": digest.hexdigest()[:16]}


def _schema_fingerprint() -> str:
    versions = ROOT / "exam_server" / "store" / "migrations" / "versions"
    digest = hashlib.sha256()
    for path in sorted(versions.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _services(data_dir: Path, database_url: str):
    from exam_server.config import load_settings
    from exam_server.security.keys import ensure_keys
    from exam_server.composition import build_services

    settings = load_settings({"data_dir": data_dir, "database_url": database_url}, environ={})
    data_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(settings)
    services = build_services(settings)
    services.db.upgrade()
    return services


def _fill(data_dir: Path, database_url: str, count: int) -> dict:
    """Banks, exam, admin and one open session of ``count`` candidates with generated passwords."""
    from sqlalchemy import select, update

    from exam_server.services import banks, exams, sessions, users
    from exam_server.store import models

    services = _services(data_dir, database_url)
    for filename, code in BANK_FILES:
        banks.import_bank(services, (BANKS / filename).read_bytes(), filename, bank_code=code)
    exam_code = exams.create_exam(services, BLUEPRINT.read_text(encoding="utf-8"), BLUEPRINT.name)
    users.add_user(services, "admin", ADMIN[0], ADMIN[1])
    opened = sessions.create_session(services, exam_code, "Sesi Uji Beban", roster_csv(count), seed=2026)
    passwords = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    with services.db.unit_of_work() as session:
        rows = session.execute(
            select(models.Attempt.id, models.Candidate.participant_number)
            .join(models.Candidate, models.Attempt.candidate_id == models.Candidate.id)
            .where(models.Attempt.session_id == opened["session_id"])).all()
        # As if each had logged in once: generation 1 (see with_tokens).
        session.execute(update(models.Attempt).where(models.Attempt.session_id == opened["session_id"])
                        .values(login_generation=1))
    by_number = {number: attempt_id for attempt_id, number in rows}
    candidates = [{"participant_number": participant(i), "password": passwords[participant(i)],
                   "attempt_id": by_number[participant(i)]}
                  for i in range(count)]
    services.close()
    return {"session_id": opened["session_id"], "session_token": opened["session_token"], "exam_code": exam_code,
            "items": 60, "candidates": candidates}


def with_tokens(data_dir: Path, database_url: str, session_meta: dict) -> dict:
    """The session meta with a token per candidate, signed with this data folder's key (generation 1)."""
    from exam_server.config import load_settings
    from exam_server.security.keys import secret_key
    from exam_server.security.tokens import TokenSigner

    settings = load_settings({"data_dir": data_dir, "database_url": database_url}, environ={})
    signer = TokenSigner(secret_key(settings))
    return {**session_meta, "candidates": [{**c, "token": signer.candidate_token(c["attempt_id"], 1)}
                                           for c in session_meta["candidates"]]}


def _pg_admin():
    import sqlalchemy

    url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg2://", 1)
    return sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")


def pg_url(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


def pg_execute(statement: str) -> None:
    import sqlalchemy

    engine = _pg_admin()
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(statement))
    finally:
        engine.dispose()


def pg_database_exists(name: str) -> bool:
    import sqlalchemy

    engine = _pg_admin()
    try:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text("select 1 from pg_database where datname = :n"),
                                      {"n": name}).first() is not None
    finally:
        engine.dispose()


def postgres_available() -> bool:
    try:
        pg_execute("select 1")
        return True
    except Exception:
        return False


def template(count: int, *, postgres: bool, log=print) -> dict:
    """The prepared template for ``count`` candidates (made now if missing or stale).

    Several benches may run at once (the test suite runs its smoke runs side by side):
    a lock file keeps two of them from building, or deleting, the same template."""
    import fcntl

    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / f"template-{count}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _template_locked(count, postgres=postgres, log=log)


def _template_locked(count: int, *, postgres: bool, log) -> dict:
    folder = WORK / f"template-{count}"
    meta_path = folder / "meta.json"
    key = {"format": TEMPLATE_FORMAT, "count": count, "schema": _schema_fingerprint()}
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if meta is None or meta.get("key") != key:
        if meta and "postgres" in meta:
            pg_execute(f'DROP DATABASE IF EXISTS "{meta["postgres"]["database"]}" WITH (FORCE)')
        if folder.exists():
            shutil.rmtree(folder)
        started = time.monotonic()
        log(f"preparing the SQLite template of {count} candidates in {folder} ...")
        meta = {"key": key, "sqlite": _fill(folder / "data", "", count)}
        log(f"  done in {time.monotonic() - started:.1f} s")
        meta_path.write_text(json.dumps(meta))
    if postgres and ("postgres" not in meta or not pg_database_exists(meta["postgres"]["database"])):
        # Named after this template folder and what it holds: another checkout's template of the
        # same size has other keys, and must not replace (or be taken for) this one's database.
        stamp = hashlib.sha256(json.dumps([str(folder), key], sort_keys=True).encode()).hexdigest()[:10]
        database = f"exam_bench_tpl_{count}_{stamp}"
        started = time.monotonic()
        log(f"preparing the PostgreSQL template database {database} ...")
        pg_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        pg_execute(f'CREATE DATABASE "{database}"')
        # The same data folder: its keys open the banks stored in both databases.
        shared_keys = folder / "data"
        meta["postgres"] = {**_fill(shared_keys, pg_url(database), count), "database": database}
        log(f"  done in {time.monotonic() - started:.1f} s")
        meta_path.write_text(json.dumps(meta))
    return meta


def run_copy(count: int, meta: dict, database: str, run_name: str) -> tuple[Path, str, dict]:
    """A fresh data folder (and database) for one run: (data_dir, DATABASE_URL or "", the session meta)."""
    source = WORK / f"template-{count}" / "data"
    target = WORK / "runs" / run_name
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if database == "sqlite":
        shutil.copytree(source, target)
        return target, "", with_tokens(target, "", meta["sqlite"])
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("exam.db*"))
    name = f"exam_bench_run_{os.getpid()}"
    pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{meta["postgres"]["database"]}"')
    return target, pg_url(name), with_tokens(target, pg_url(name), meta["postgres"])


def drop_run_copy(data_dir: Path, database_url: str) -> None:
    if database_url:
        from sqlalchemy.engine import make_url

        name = make_url(database_url).database
        if name and name.startswith("exam_bench_run_"):
            pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if data_dir.exists() and data_dir.parent == WORK / "runs":
        shutil.rmtree(data_dir, ignore_errors=True)
