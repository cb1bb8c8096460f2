"""Fixtures every test layer shares: where things are, and real databases to run against."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Real banks written by other projects, copied with their licences (see its README.md).
FIXTURES = ROOT / "tests" / "fixtures" / "third_party"
HANDMADE = ROOT / "tests" / "fixtures" / "handmade"
# The team's shared folder also holds IMS/1EdTech example items, which may not be
# redistributed: tests read those from there when it is present, and add nothing when not.
SHARED = Path(os.environ.get("EXAM_SHARED_DIR", ROOT.parent / "shared"))
SHARED_FIXTURES = SHARED / "fixtures"
QUESTION_BANKS = ROOT / "question_banks"
POSTGRES_URL = os.environ.get("EXAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def shared_only(relative: str) -> list[str]:
    """``relative`` when the shared folder holds it, else nothing: for parametrising over files we may not ship."""
    return [relative] if (SHARED_FIXTURES / relative).exists() else []


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
def postgres_databases():
    """Makes new, empty PostgreSQL databases on demand (``make()`` -> URL), all dropped afterwards."""
    import sqlalchemy
    from sqlalchemy.engine import make_url

    admin = _postgres_admin()
    names: list[str] = []

    def make() -> str:
        name = f"exam_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_databases):
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    return postgres_databases()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Each test that asks for it runs twice: on an SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'exam.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def another_database(database_url, request, tmp_path):
    """Makes more databases of the kind ``database_url`` is (a hub's and its sites'): ``another_database(name)``."""
    def make(name: str) -> str:
        if database_url.startswith("sqlite"):
            (tmp_path / name).mkdir(parents=True, exist_ok=True)
            return f"sqlite:///{tmp_path / name / 'exam.db'}"
        return request.getfixturevalue("postgres_databases")()

    return make


def pytest_sessionfinish(session):
    """The databases and folders built once per process and copied for each test (integration/templates.py)."""
    from tests.integration import templates

    templates.drop_all()
