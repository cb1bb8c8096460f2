"""A copy of the database shows no question text, option text or weight."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import sqlalchemy

from tests.integration.helpers import GIFT_BANK

pytestmark = pytest.mark.slow

SECRETS = ["Garuda Pancasila", "Ketuhanan Yang Maha Esa", "Bhinneka Tunggal Ika", "18 Agustus 1945", "Ibu kota negara"]


def test_no_question_text_is_readable_in_the_sqlite_file(exam_cli, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("this one reads the SQLite file; the PostgreSQL dump is checked below")
    exam_cli("init", check=True)
    bank = tmp_path / "umum.gift"
    bank.write_text(GIFT_BANK, encoding="utf-8")
    exam_cli("import-bank", str(bank), "--bank", "umum", check=True)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("exam.db*"))
    assert len(raw) > 10_000
    for secret in SECRETS:
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw


def test_no_question_text_is_readable_in_a_postgresql_dump(exam_cli, tmp_path, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    exam_cli("init", check=True)
    bank = tmp_path / "umum.gift"
    bank.write_text(GIFT_BANK, encoding="utf-8")
    exam_cli("import-bank", str(bank), "--bank", "umum", check=True)
    dump = subprocess.run(["pg_dump", "--data-only", database_url], capture_output=True, check=True).stdout
    assert b"COPY public.items" in dump
    for secret in SECRETS:
        assert secret.encode() not in dump
    # ...while the key in the data folder opens it again.
    engine = sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text("select count(*) from items")).scalar() == 8
    engine.dispose()
