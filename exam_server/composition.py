"""The composition root: where the parts of a process are built and wired, explicitly.

``build_services`` makes the service context of any process (server,
command, test, benchmark): the database with its session listeners
registered here rather than as a side effect of an import. ``build_runtime``
adds what a serving process needs: the group-commit writer, placed off the
event loop where the async mode and the database call for it, the metrics,
the login guard and the runtime holding them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from exam_server.clock import Clock
from exam_server.config import Settings
from exam_server.services import anchoring, events
from exam_server.services.context import ServiceContext
from exam_server.store.db import Database

if TYPE_CHECKING:  # the serving stack is imported by build_runtime only: a command needs none of it
    from flask import Flask

    from exam_server.realtime.metrics import Metrics
    from exam_server.realtime.runtime import Runtime
    from exam_server.services.answer_writer import AnswerWriter


def build_services(settings: Settings, clock: Clock | None = None) -> ServiceContext:
    """The service context of a process, its database wired."""
    services = ServiceContext.create(settings, clock)
    wire_database(services.db)
    return services


def wire_database(database: Database) -> None:
    """Register the session listeners every unit of work relies on: events written after the flush,
    signed heads remembered after the commit and forgotten after a rollback."""
    database.listen("after_flush", events.write_pending_events)
    database.listen("after_commit", anchoring.remember_signed)
    database.listen("after_rollback", anchoring.forget_unsigned)


def build_runtime(app: Flask, services: ServiceContext) -> Runtime:
    """The runtime of a serving process: its writer, metrics and login guard built here and handed in."""
    from exam_server.realtime.metrics import Metrics
    from exam_server.realtime.runtime import Runtime
    from exam_server.security.login_guard import guard_from_settings

    metrics = Metrics()
    writer = build_writer(services.settings, services.db, metrics)
    return Runtime(app, services, writer, metrics, guard_from_settings(services.settings))


def build_writer(settings: Settings, database: Database, metrics: Metrics) -> AnswerWriter:
    """The group-commit writer, off the event loop where the database would block it."""
    from exam_server.extensions import socketio
    from exam_server.services.answer_writer import AnswerWriter
    from exam_server.services.group_rows import preload_group, written_attempts

    off_loop = _off_loop(settings)
    writer_db = database
    if off_loop is not None:
        writer_db = Database(settings, single_connection=True)
        wire_database(writer_db)
    return AnswerWriter(writer_db, batch_ms=settings.answer_batch_ms, sleep=socketio.sleep, off_loop=off_loop,
                        timeout_seconds=settings.write_timeout_seconds,
                        on_group=metrics.group_size.observe, prepare=preload_group, committed_rows=written_attempts)


def _off_loop(settings: Settings) -> Callable[[Callable[[], Any]], Any] | None:
    """Under eventlet or gevent the commit runs in a real OS thread (for PostgreSQL unless ``postgres_writer``
    keeps it in the loop); under threading, in the caller."""
    in_thread = settings.is_sqlite or settings.postgres_writer == "thread"
    if in_thread and settings.async_mode == "eventlet":
        from eventlet import tpool

        return tpool.execute
    if in_thread and settings.async_mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply
    return None
