"""Engines and units of work.

One ``Database`` per process. Services open one unit of work per entry point
(request, event, command) and commit once at its end.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from exam_server.config import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(synchronous: str):
    def on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while an answer batch commits; FULL makes
        # each commit survive a power loss, not only a process crash.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    return on_connect


def make_engine(settings: Settings, *, single_connection: bool = False) -> Engine:
    url = settings.resolved_database_url
    if settings.is_sqlite:
        # A single connection for a writer that works from one thread at a time, outside the
        # event loop: the pool's locks belong to the loop and must not be touched from there.
        extra = {"poolclass": StaticPool} if single_connection else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, **extra)
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_synchronous))
        return engine
    if single_connection:
        # The answer writer's connection in its own OS thread: made and used there only, one group at a
        # time. No ping before each group (a round trip): a lost connection fails its group, is
        # invalidated, and the one-by-one retry reconnects. A group's UPDATEs of many rows (its
        # attempts' counters) go in pages of 500 per round trip instead of one each.
        return create_engine(url, poolclass=StaticPool, executemany_mode="values_plus_batch",
                             executemany_batch_page_size=500)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    def __init__(self, settings: Settings, *, single_connection: bool = False):
        self.settings = settings
        self.engine = make_engine(settings, single_connection=single_connection)
        from exam_server.sites.outbox import OUTBOX_FLAG
        from exam_server.sites.role import read_role

        # At a site every attempt event is also written to the outbox for the hub (sites.outbox).
        info = {OUTBOX_FLAG: True} if read_role(settings.data_dir) == "site" else {}
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, info=info)

    def listen(self, name: str, listener: Callable) -> None:
        """Register a session event listener (``after_flush``, ``after_commit``, …) on this database's sessions."""
        event.listen(self._sessions, name, listener)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from alembic import command

        with self.engine.begin() as connection:
            config = alembic_config(self.settings.resolved_database_url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
