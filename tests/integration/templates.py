"""Databases and data folders built once per test process and copied for each test.

Migrating an empty database, running ``exam-server init`` and preparing the
test exam (hashing the staff passwords with the server's own Argon2 settings)
take seconds; a copy takes
milliseconds. A copy is what the building would have made: an SQLite file is
copied byte for byte, a PostgreSQL database is created with the built one as its
template. Tests that check the building itself (migrations, ``init``, file
modes) build their own.

Each process (each pytest-xdist worker) keeps its own templates, so workers
never share a file or a database; ``drop_all`` removes them at the end.
"""
from __future__ import annotations

import copy
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Callable

from tests.conftest import POSTGRES_URL

_folder: Path | None = None
_postgres_templates: list[str] = []
_migrated: dict[str, str] = {}  # database kind -> URL of an empty, migrated database
_prepared: dict[tuple[str, str], tuple[Path, str, object]] = {}  # (kind, recipe) -> data folder, URL, result


def kind_of(database_url: str) -> str | None:
    """'sqlite' or 'postgres' for a URL this module can copy into; None for anything else (built in place)."""
    if database_url.startswith("sqlite:///"):
        return "sqlite"
    if database_url.startswith("postgresql"):
        return "postgres"
    return None


def migrated_copy(database_url: str, build: Callable[[Path, str], None]) -> None:
    """Makes the new, empty database at ``database_url`` a copy of an empty database at the newest schema.

    ``build(data_dir, url)`` migrates a database; it runs once per process and kind."""
    kind = kind_of(database_url)
    if kind is None or not _is_new(database_url):
        return
    if kind not in _migrated:
        url = _new_template_url(kind)
        build(_scratch() / f"migrated-{kind}", url)
        _migrated[kind] = url
    _copy_database(_migrated[kind], database_url)


def prepared_copy(data_dir: Path, database_url: str, recipe: str, build: Callable[[Path, str], object]):
    """Fills ``data_dir`` (which must not exist) and the new, empty database with a copy of prepared data.

    ``build(data_dir, url)`` prepares them and returns what a test needs to know of them (the session it
    opened...); it runs once per process, database kind and ``recipe`` (what it makes: a blueprint, a
    command line). Returns a copy of that, or None when the database is not a new one this module can fill
    (the caller then prepares in place)."""
    kind = kind_of(database_url)
    if kind is None or data_dir.exists() or not _is_new(database_url):
        return None
    key = (kind, recipe)
    if key not in _prepared:
        folder = _scratch() / f"prepared-{kind}-{len(_prepared)}"
        url = _new_template_url(kind)
        opened = build(folder / "data", url)
        _prepared[key] = (folder / "data", url, opened)
    template_dir, template_url, made = _prepared[key]
    shutil.copytree(template_dir, data_dir)
    _copy_database(template_url, database_url)
    return copy.deepcopy(made)


def drop_all() -> None:
    """Drops this process's PostgreSQL templates and removes its folder."""
    global _folder
    if _postgres_templates:
        admin = _admin()
        try:
            with admin.connect() as connection:
                for name in _postgres_templates:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.dispose()
    _postgres_templates.clear()
    _migrated.clear()
    _prepared.clear()
    if _folder is not None:
        shutil.rmtree(_folder, ignore_errors=True)
        _folder = None


def _scratch() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="exam-test-templates-"))
    return _folder


def _new_template_url(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{_scratch() / f'template-{uuid.uuid4().hex[:8]}.db'}"
    from sqlalchemy.engine import make_url

    name = f"exam_test_template_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    _postgres_templates.append(name)
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _is_new(database_url: str) -> bool:
    """No SQLite file yet, or a PostgreSQL database without tables."""
    if kind_of(database_url) == "sqlite":
        return not Path(database_url[len("sqlite:///"):]).exists()
    import sqlalchemy

    engine = sqlalchemy.create_engine(database_url.replace("postgresql://", "postgresql+psycopg2://", 1),
                                      poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as connection:
            return not connection.exec_driver_sql(
                "select count(*) from information_schema.tables where table_schema = 'public'").scalar()
    finally:
        engine.dispose()


def _copy_database(source_url: str, target_url: str) -> None:
    if kind_of(target_url) == "sqlite":
        source, target = Path(source_url[len("sqlite:///"):]), Path(target_url[len("sqlite:///"):])
        # The builder closed every connection, so the file holds everything; a -wal or -shm goes along.
        for path in source.parent.glob(source.name + "*"):
            shutil.copy2(path, target.parent / (target.name + path.name[len(source.name):]))
        return
    from sqlalchemy.engine import make_url

    source, target = make_url(source_url).database, make_url(target_url).database
    admin = _admin()
    try:
        with admin.connect() as connection:
            # The target was made empty for this test and found so; without FORCE, a connection
            # still open to it would make this fail rather than be cut.
            connection.exec_driver_sql(f'DROP DATABASE "{target}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    finally:
        admin.dispose()


def _admin():
    import sqlalchemy

    return sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg2://", 1),
                                    isolation_level="AUTOCOMMIT")
