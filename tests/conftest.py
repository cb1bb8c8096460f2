"""Fixtures every test layer shares: where things are, and real databases to run against."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("EXAM_SHARED_DIR", ROOT.parent / "shared"))
FIXTURES = SHARED / "fixtures"
QUESTION_BANKS = ROOT / "question_banks"
POSTGRES_URL = os.environ.get("EXAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"the shared fixtures are not at {FIXTURES} (set EXAM_SHARED_DIR)")
    return FIXTURES


def _postgres_admin():
    import sqlalchemy

    engine = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg2://", 1),
                                      isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
    except Exception as exc:  # not reachable: skipped for a newcomer, a failure in CI
        engine.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__}); set EXAM_TEST_POSTGRES_URL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return engine


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    admin = _postgres_admin()
    name = f"exam_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test that asks for it runs twice: on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exam.db'}"
    return request.getfixturevalue("postgres_url")
