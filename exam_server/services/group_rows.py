"""The rows a group's answers and flags work on: plain rows read as sets, written back one statement per table.

``preload_group`` reads the attempts a group touches (locked, in id order) and
their touched responses with two Core selects into plain rows; answers and
flags change those rows in memory, and at the commit they are written with
prepared statements: one ``executemany`` UPDATE of attempts, one UPDATE of
the responses that changed, one INSERT of the new ones, and the events
``append_event`` staged in one INSERT. No ORM object is made or flushed for
them.

Other writes of the same unit of work (submit, connects, proctor controls,
checkpoints) use ORM objects. The two never hold the same row at once: when
the ORM is about to run a statement on attempts, responses, events or the
outbox, what the plain rows changed is written first, so the ORM reads what
the answers before it did; a row the ORM then loads as an object is its own
from then on, and the plain rows forget it (all of them after a bulk change
or raw SQL, which may change any unseen). An answer that needs a forgotten
row reads it again, after the ORM's changes are flushed and its attempt and
response objects expired, so a later ORM write reads the answer back too.

All of it lives in ``session.info``, valid for one unit of work: a failed
group's session is thrown away with it, so nothing read there is reused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import TextClause, bindparam, event, select, tuple_
from sqlalchemy.sql.util import find_tables

from exam_server.errors import NotFound
from exam_server.services.events import write_pending
from exam_server.store import models

_ROWS = "exam_server.group_rows"

_ATTEMPTS = models.Attempt.__table__
_RESPONSES = models.Response.__table__
# Tables whose rows the plain rows change or stage: an ORM statement on one of them sees the rows written first.
_SHARED = {_ATTEMPTS.name, _RESPONSES.name, models.AttemptEvent.__table__.name, models.OutboxEvent.__table__.name}

# What an answer or a flag reads: the checks (state, clock), the event chain and, at a site, the outbox's state.
_READ = ("id", "session_id", "status", "duration_ms", "started_at", "extension_ms", "paused_ms", "paused_since",
         "deadline_at", "ended_at", "violations", "login_generation", "section_points_json", "answered_count",
         "flagged_count", "event_count", "last_event_hash",
         # only for the proctors' view built from the committed rows (``written_attempts``), never written here
         "connected_sid", "last_seen_at")
# What they change.
_WRITTEN = ("section_points_json", "answered_count", "flagged_count", "event_count", "last_event_hash")
_RESPONSE_COLUMNS = ("attempt_id", "position", "choice", "seq", "points", "flagged", "answered_at")
_RESPONSE_WRITTEN = ("choice", "seq", "points", "flagged", "answered_at")

# Prepared once; bound names differ from the columns they set, as an executemany UPDATE requires.
_UPDATE_ATTEMPTS = (_ATTEMPTS.update().where(_ATTEMPTS.c.id == bindparam("b_id"))
                    .values({name: bindparam(f"b_{name}") for name in _WRITTEN}))
_UPDATE_RESPONSES = (_RESPONSES.update()
                     .where(_RESPONSES.c.attempt_id == bindparam("b_attempt_id"),
                            _RESPONSES.c.position == bindparam("b_position"))
                     .values({name: bindparam(f"b_{name}") for name in _RESPONSE_WRITTEN}))
_INSERT_RESPONSES = _RESPONSES.insert()
_SELECT_ATTEMPTS = select(*(_ATTEMPTS.c[name] for name in _READ))
_SELECT_RESPONSES = select(*(_RESPONSES.c[name] for name in _RESPONSE_COLUMNS))


@dataclass(slots=True, eq=False)
class AttemptRow:
    """The columns of an attempt that an answer or a flag reads, by the ORM's names (``require_running``,
    ``append_event`` and the outbox read it as they read an ``Attempt``)."""

    id: int
    session_id: int
    status: str
    duration_ms: int
    started_at: int | None
    extension_ms: int
    paused_ms: int
    paused_since: int | None
    deadline_at: int | None
    ended_at: int | None
    violations: int
    login_generation: int
    section_points_json: str
    answered_count: int
    flagged_count: int
    event_count: int
    last_event_hash: str
    connected_sid: str | None
    last_seen_at: int | None
    stored: tuple = ()  # the written columns as the database holds them
    form_json: str | None = None  # read only when a scoring key is built (``with_form``)

    def written(self) -> tuple:
        return (self.section_points_json, self.answered_count, self.flagged_count, self.event_count,
                self.last_event_hash)


@dataclass(slots=True, eq=False)
class ResponseRow:
    attempt_id: int
    position: int
    choice: str | None
    seq: int
    points: str
    flagged: bool
    answered_at: int | None
    stored: tuple | None = None  # None: not in the database yet

    def written(self) -> tuple:
        return self.choice, self.seq, self.points, self.flagged, self.answered_at


@dataclass
class _GroupRows:
    attempts: dict = field(default_factory=dict)  # attempt id -> AttemptRow
    responses: dict = field(default_factory=dict)  # (attempt id, position) -> ResponseRow | None (none stored)
    touched: dict = field(default_factory=dict)  # attempt id -> positions the group touches, to read them again


# The columns of a proctor's view (``monitoring.view_of``) that an attempt row holds.
_VIEW_STATE = ("status", "duration_ms", "started_at", "extension_ms", "paused_ms", "paused_since", "deadline_at",
               "ended_at", "violations", "login_generation", "section_points_json", "answered_count",
               "flagged_count", "event_count")
_VIEW_SEEN = ("connected_sid", "last_seen_at")
_PLAIN_WRITES = ("answer", "flag")


@dataclass(frozen=True, slots=True)
class WrittenAttempt:
    """An attempt's columns as a group committed them: the proctors' view is built from these (``sites.feed``)
    instead of read again."""

    id: int
    session_id: int
    columns: dict
    seen: dict

    @property
    def version(self) -> tuple[int, int]:
        return view_version(self.columns["event_count"], self.seen["last_seen_at"])


def view_version(event_count: int, last_seen_at: int | None) -> tuple[int, int]:
    """Grows with every commit that changes a proctor's view of an attempt: events are numbered,
    and a connect or a disconnect moves ``last_seen_at`` on."""
    return event_count, last_seen_at or 0


def written_attempts(session, writes: list[tuple]) -> dict[int, WrittenAttempt | None]:
    """For each attempt that the group's ``(label, touches)`` writes named: its columns as the group leaves them
    when only answers and flags touched it and a plain row holds it still, else None (to be read again).

    An attempt that any other write touched, or that the ORM took over, may hold changes the row does not."""
    rows = session.info.get(_ROWS)
    held = rows.attempts if rows is not None else {}
    plain: set[int] = set()
    other: set[int] = set()
    for label, touches in writes:
        if touches:
            (plain if label in _PLAIN_WRITES else other).add(touches[0])
    found: dict[int, WrittenAttempt | None] = {}
    for attempt_id in plain | other:
        row = held.get(attempt_id)
        found[attempt_id] = None if row is None or attempt_id in other else WrittenAttempt(
            row.id, row.session_id, {name: getattr(row, name) for name in _VIEW_STATE},
            {name: getattr(row, name) for name in _VIEW_SEEN})
    return found


def _rows(session) -> _GroupRows:
    rows = session.info.get(_ROWS)
    if rows is None:
        rows = session.info[_ROWS] = _GroupRows()
        # On this session only: it is thrown away at the end of its unit of work.
        event.listen(session, "do_orm_execute", _before_orm_statement)
        event.listen(session, "before_commit", write_rows)
    return rows


def preload_group(session, touches: list[tuple]) -> None:
    """Lock the attempts and read the responses that a group's writes touch, in two queries.

    ``touches`` holds (attempt id, position) pairs as the candidates sent them; a
    position that is not a whole number is left to the write itself to refuse.
    """
    rows = _rows(session)
    for attempt_id, position in touches:
        positions = rows.touched.setdefault(attempt_id, set())
        if isinstance(position, int) and not isinstance(position, bool):
            positions.add(position)
    _read(session, rows, sorted(rows.touched))


def _read(session, rows: _GroupRows, attempt_ids: list[int]) -> None:
    _take_from_orm(session)
    connection = session.connection()
    # One ordered FOR UPDATE: nodes sharing PostgreSQL lock a group's attempts in the same order.
    query = _SELECT_ATTEMPTS.where(_ATTEMPTS.c.id.in_(attempt_ids)).order_by(_ATTEMPTS.c.id).with_for_update()
    for values in connection.execute(query):
        row = AttemptRow(*values)
        row.stored = row.written()
        rows.attempts.setdefault(row.id, row)  # a row held already may have changes not yet written
    pairs = {(a, p) for a in attempt_ids if a in rows.attempts for p in rows.touched.get(a, ())} - rows.responses.keys()
    if not pairs:
        return
    rows.responses.update(dict.fromkeys(pairs))  # none stored, unless the select below finds it
    # The pairs themselves, not every position of every attempt (which read a group's size squared
    # rows); the attempt ids first so that the database walks their index, not the table.
    found = connection.execute(_SELECT_RESPONSES.where(
        _RESPONSES.c.attempt_id.in_(sorted({a for a, _ in pairs})),
        tuple_(_RESPONSES.c.attempt_id, _RESPONSES.c.position).in_(sorted(pairs))))
    for values in found:
        response = ResponseRow(*values)
        response.stored = response.written()
        if rows.responses.get((response.attempt_id, response.position)) is None:
            rows.responses[(response.attempt_id, response.position)] = response


def _take_from_orm(session) -> None:
    """Before plain rows are read: what the ORM changed is stored, and its objects will read the rows again."""
    session.flush()
    for instance in list(session.identity_map.values()):
        if isinstance(instance, (models.Attempt, models.Response)):
            session.expire(instance)


def locked_attempt(session, attempt_id: int) -> AttemptRow:
    """The attempt as a plain row, locked for this unit of work (read now when the group did not); NotFound."""
    rows = _rows(session)
    row = rows.attempts.get(attempt_id)
    if row is None:
        rows.touched.setdefault(attempt_id, set())
        _read(session, rows, [attempt_id])
        row = rows.attempts.get(attempt_id)
        if row is None:
            raise NotFound(f"no attempt {attempt_id}")
    return row


def with_form(session, attempt: AttemptRow) -> AttemptRow:
    """``attempt`` with its form read, for building its scoring key (once per attempt and process)."""
    if attempt.form_json is None:
        attempt.form_json = session.connection().scalar(
            select(_ATTEMPTS.c.form_json).where(_ATTEMPTS.c.id == attempt.id))
    return attempt


def known_response(session, attempt_id: int, position: int) -> ResponseRow | None:
    """The response at ``position`` of an attempt read by ``locked_attempt`` (None: never answered nor flagged)."""
    responses = _rows(session).responses
    if (attempt_id, position) not in responses:
        _take_from_orm(session)
        found = session.connection().execute(_SELECT_RESPONSES.where(
            _RESPONSES.c.attempt_id == attempt_id, _RESPONSES.c.position == position)).first()
        response = None if found is None else ResponseRow(*found)
        if response is not None:
            response.stored = response.written()
        responses[(attempt_id, position)] = response
    return responses[(attempt_id, position)]


def new_response(session, attempt_id: int, position: int, points: str) -> ResponseRow:
    """A response not stored yet, remembered at once: a later write of the group finds it."""
    response = ResponseRow(attempt_id, position, None, 0, points, False, None)
    _rows(session).responses[(attempt_id, position)] = response
    return response


def write_rows(session) -> None:
    """Write what the plain rows changed, one statement per table, then the staged events.

    Runs before the commit (``before_commit``) and before an ORM statement on the same tables.
    """
    rows = session.info.get(_ROWS)
    if rows is None:
        return
    attempts = [row for row in rows.attempts.values() if row.written() != row.stored]
    changed = [r for r in rows.responses.values() if r is not None and r.stored is not None and r.written() != r.stored]
    new = [r for r in rows.responses.values() if r is not None and r.stored is None]
    connection = session.connection()
    if attempts:
        connection.execute(_UPDATE_ATTEMPTS, [
            {"b_id": row.id, **{f"b_{name}": value for name, value in zip(_WRITTEN, row.written())}}
            for row in attempts])
    if changed:
        connection.execute(_UPDATE_RESPONSES, [
            {"b_attempt_id": r.attempt_id, "b_position": r.position,
             **{f"b_{name}": value for name, value in zip(_RESPONSE_WRITTEN, r.written())}} for r in changed])
    if new:
        connection.execute(_INSERT_RESPONSES, [
            {"attempt_id": r.attempt_id, "position": r.position,
             **dict(zip(_RESPONSE_WRITTEN, r.written()))} for r in new])
    for row in attempts:
        row.stored = row.written()
    for response in changed + new:
        response.stored = response.written()
    write_pending(session)


def _before_orm_statement(orm_execute_state) -> None:
    """Before the ORM reads or changes the rows' tables: what the plain rows changed is written first.

    The rows stay held: the ORM takes over only those it loads as objects
    (``_taken_by_orm``). A bulk change or raw SQL may change any of them
    unseen, so after one all are read again.
    """
    rows = orm_execute_state.session.info.get(_ROWS)
    if rows is None or not (rows.attempts or rows.responses):
        return
    statement = orm_execute_state.statement
    raw = isinstance(statement, TextClause)
    if not raw and not _shares_rows(statement):
        return
    write_rows(orm_execute_state.session)
    if raw or not orm_execute_state.is_select:
        rows.attempts.clear()
        rows.responses.clear()


def _shares_rows(statement) -> bool:
    tables = find_tables(statement, check_columns=True, include_aliases=True, include_joins=True,
                         include_selects=True, include_crud=True)
    return any(getattr(table, "name", None) in _SHARED for table in tables)


def _taken_by_orm(instance, context, *_attributes) -> None:
    """The ORM loaded (or refreshed) an attempt or a response: from now on its object holds the row."""
    rows = context.session.info.get(_ROWS)
    if rows is None:
        return
    if isinstance(instance, models.Attempt):
        row = rows.attempts.pop(instance.id, None)
    else:
        row = rows.responses.pop((instance.attempt_id, instance.position), None)
    if row is not None and row.written() != row.stored:
        # Cannot happen while every ORM statement on these tables is seen first; fail the group rather than lose it.
        raise RuntimeError(f"the ORM read {type(instance).__name__} {row} before its changes were written")


for _model in (models.Attempt, models.Response):
    event.listen(_model, "load", _taken_by_orm)
    event.listen(_model, "refresh", _taken_by_orm)
