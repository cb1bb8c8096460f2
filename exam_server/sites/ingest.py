"""The hub applies a batch of a site's events: read as plain rows, applied in memory, written per table.

A batch of a few hundred events touches a few hundred attempts and responses.
They are read in two queries, each event is applied to those rows in memory
(``AttemptState`` and ``ResponseState``), and the batch is written back with
one statement per table (executemany): no ORM object per row, no query
between events. Only attempts that ended in the batch go through the ORM, to
freeze the hub's own result.

Rules, as before: only the event at ``acked + 1`` is applied; an event of an
attempt that is not this site's, out of its attempt's order, too large or
not JSON is acknowledged and never applied.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from exam_server.domain.attempt_status import AttemptStatus, is_ended
from exam_server.domain.scoring import item_points
from exam_server.errors import BadInput
from exam_server.realtime.fields import is_whole
from exam_server.services.attempt_core import AttemptKey, attempt_key, display_keys
from exam_server.sites.memory import sites_of
from exam_server.sites.outbox import STATE_FIELDS
from exam_server.store import models

MAX_EVENT_TEXT = 16 * 1024
STATUSES = frozenset(status.value for status in AttemptStatus)
_TIMES = ("started_at", "paused_since", "deadline_at", "ended_at")
_ATTEMPT_COLUMNS = ("status", *[n for n in STATE_FIELDS if n != "status"], "section_points_json", "answered_count",
                    "flagged_count", "event_count", "last_event_hash")
_RESPONSE_COLUMNS = ("choice", "seq", "points", "flagged", "answered_at")
_SEEN_COLUMNS = ("connected_sid", "last_seen_at")  # read for the proctors' view, never written by a batch



@dataclass
class AttemptState:
    """The columns of one attempt the link changes, as the hub holds them during a batch."""

    id: int
    session_id: int
    columns: dict
    points: list[Decimal]
    changed: bool = False
    seen: dict = field(default_factory=dict)  # the _SEEN_COLUMNS, as read

    @property
    def ended(self) -> bool:
        return is_ended(self.columns["status"])

    @property
    def version(self) -> int:
        """Grows with every event applied: of two states of one attempt, the higher is the later."""
        return self.columns["event_count"]


@dataclass
class ResponseState:
    attempt_id: int
    position: int
    columns: dict
    stored: bool  # a row exists: updated, not inserted
    changed: bool = False


@dataclass
class Batch:
    """What one exchange's events touch: attempts of this site, their responses, new event rows."""

    attempts: dict[int, AttemptState]
    responses: dict[tuple[int, int], ResponseState]
    events: list[dict] = field(default_factory=list)


def read_batch(ctx, session, site_code: str, named: list[tuple[int, int | None]]) -> Batch:
    """The batch's attempts (this site's only, locked) and the responses its events name, in two queries.

    ``named``: (attempt id, position or None) of each event to apply. The site of each attempt's session
    comes from the process's memory (``sites.memory``), not from a join in every batch's query.
    """
    ids = sorted({attempt_id for attempt_id, _ in named})
    attempts: dict[int, AttemptState] = {}
    if ids:
        rows = _attempts_by_id(session.connection(), ids)
        site_of = sites_of(ctx, session, {row[1] for row in rows})
        for attempt_id, session_id, *values in rows:
            if site_of.get(session_id) != site_code:
                continue  # another site's attempt, or the hub's own: never this site's to change
            columns = dict(zip(_ATTEMPT_COLUMNS, values))
            points = [Decimal(p) for p in json.loads(columns["section_points_json"] or "[]")]
            attempts[attempt_id] = AttemptState(attempt_id, session_id, columns, points,
                                                seen=dict(zip(_SEEN_COLUMNS, values[len(_ATTEMPT_COLUMNS):])))
    responses: dict[tuple[int, int], ResponseState] = {}
    pairs = sorted({(a, p) for a, p in named if a in attempts and p is not None})
    if pairs:
        for attempt_id, position, *values in _responses_at(session.connection(), pairs):
            responses[(attempt_id, position)] = ResponseState(
                attempt_id, position, dict(zip(_RESPONSE_COLUMNS, values)), stored=True)
    return Batch(attempts, responses)


def parse(event: dict) -> tuple[dict, dict] | None:
    """An event's data and state, or None when either is too large or not JSON (never applied)."""
    data_json = event.get("data_json") if isinstance(event.get("data_json"), str) else "{}"
    state_json = event.get("state_json") if isinstance(event.get("state_json"), str) else "{}"
    if len(data_json) > MAX_EVENT_TEXT or len(state_json) > MAX_EVENT_TEXT:
        return None  # no event of ours is this large
    try:
        return json.loads(data_json), json.loads(state_json or "{}")
    except ValueError:
        return None


def _named(event: dict, parsed: tuple[dict, dict] | None) -> tuple[int, int | None] | None:
    """(attempt id, position the event answers or flags) for reading the batch's rows; None: nothing to read."""
    if parsed is None or not is_whole(event.get("attempt_id")):
        return None
    data = parsed[0]
    position = data.get("position") if isinstance(data, dict) and event.get("kind") in ("answer", "flag") else None
    return event["attempt_id"], position if is_whole(position) and position < 2 ** 31 else None


class Ingest:
    """Applies one site's batch in order from its acknowledged position; ``write`` stores it."""

    def __init__(self, ctx, session, site_code: str, acked: int, events: list):
        self.ctx, self.session = ctx, session
        # Each event to apply is parsed once: for reading its rows and for applying it.
        self.parsed = {id(e): parse(e) for e in events
                       if isinstance(e, dict) and is_whole(e.get("position")) and e["position"] > acked}
        named = [n for e in events if id(e) in self.parsed and (n := _named(e, self.parsed[id(e)])) is not None]
        self.batch = read_batch(ctx, session, site_code, named)
        self.acked = acked
        self.last_event_at: int | None = None
        self.events = events
        self._keys: dict[int, AttemptKey] = {}
        self._forms: dict[int, str] | None = None

    def run(self) -> list[int]:
        """Apply what follows ``acked`` without a gap; returns the attempts changed, in order of first change."""
        changed: dict[int, None] = {}
        for event in self.events:
            if not isinstance(event, dict) or not is_whole(event.get("position")):
                raise BadInput("an event needs a position")
            if event["position"] <= self.acked:
                continue  # already applied: a retry changes nothing
            if event["position"] != self.acked + 1:
                break  # a gap: wait for the site to send from the acknowledged position
            attempt_id = self._apply(event)
            self.acked = event["position"]
            if is_whole(event.get("at")):
                self.last_event_at = event["at"]
            if attempt_id is not None:
                changed[attempt_id] = None
        return list(changed)

    def _apply(self, event: dict) -> int | None:
        attempt = self.batch.attempts.get(event.get("attempt_id"))
        if attempt is None:
            return None  # not this site's attempt: acknowledged and ignored, never applied
        number, kind = event.get("number"), event.get("kind")
        if not is_whole(number) or number != attempt.columns["event_count"] + 1 or not isinstance(kind, str):
            return None
        parsed = self.parsed.get(id(event))
        if parsed is None:
            return None  # too large or not JSON: acknowledged, never applied
        data, state = parsed
        data_json = event["data_json"] if isinstance(event.get("data_json"), str) else "{}"
        at = event["at"] if is_whole(event.get("at")) else self.ctx.now()
        event_hash = str(event.get("hash", ""))[:64]
        self.batch.events.append({"attempt_id": attempt.id, "number": number, "at": at, "kind": kind[:24],
                                  "data_json": data_json, "prev_hash": str(event.get("prev_hash", ""))[:64],
                                  "hash": event_hash})
        attempt.columns["event_count"], attempt.columns["last_event_hash"] = number, event_hash
        attempt.changed = True
        apply_state(attempt.columns, state)
        if kind == "answer" and isinstance(data, dict):
            self._answer(attempt, data, at)
        elif kind == "flag" and isinstance(data, dict):
            self._flag(attempt, data)
        return attempt.id

    def _key(self, attempt: AttemptState) -> AttemptKey:
        key = self._keys.get(attempt.id)
        if key is None:
            if self._forms is None:  # the first key this batch builds: read every missing form at once
                self._forms = _forms(self.session, [a for a in self.batch.attempts if a not in self.ctx.key_cache])
            form_json = self._forms.get(attempt.id)
            key = attempt_key(self.ctx, self.session, _KeyedAttempt(attempt.id, attempt.session_id, form_json))
            self._keys[attempt.id] = key
        return key

    def _response(self, attempt: AttemptState, key: AttemptKey, position: int) -> ResponseState:
        response = self.batch.responses.get((attempt.id, position))
        if response is None:  # a position never answered counts as blank, as at the site
            section = key.blueprint.sections[key.form[position - 1].section]
            response = ResponseState(attempt.id, position, {"choice": None, "seq": 0, "flagged": False,
                                                            "points": str(item_points(section, None)),
                                                            "answered_at": None}, stored=False)
            self.batch.responses[(attempt.id, position)] = response
        return response

    def _answer(self, attempt: AttemptState, data: dict, at: int) -> None:
        key = self._key(attempt)
        position, choice, seq = data.get("position"), data.get("choice"), data.get("seq")
        if not is_whole(position) or not 1 <= position <= len(key.form) or not is_whole(seq):
            return
        keys = display_keys(len(key.weights[position - 1]))
        if choice is not None and choice not in keys:
            return
        section_index = key.form[position - 1].section
        section = key.blueprint.sections[section_index]
        response = self._response(attempt, key, position)
        new_points = item_points(section, None if choice is None else key.weights[position - 1][keys.index(choice)])
        attempt.points[section_index] += new_points - Decimal(response.columns["points"])
        attempt.columns["answered_count"] += (choice is not None) - (response.columns["choice"] is not None)
        response.columns.update(choice=choice, seq=seq, points=str(new_points), answered_at=at)
        response.changed = attempt.changed = True

    def _flag(self, attempt: AttemptState, data: dict) -> None:
        position, flagged = data.get("position"), data.get("flagged")
        if not is_whole(position) or not isinstance(flagged, bool) or position < 1:
            return
        key = self._key(attempt)
        if position > len(key.form):
            return
        response = self._response(attempt, key, position)
        if response.columns["flagged"] != flagged:
            attempt.columns["flagged_count"] += 1 if flagged else -1
            response.columns["flagged"] = flagged
            response.changed = True

    def write(self) -> list[int]:
        """Store the batch, one statement per table; returns the attempts that ended and need their result."""
        connection = self.session.connection()
        if self.batch.events:
            _execute_many(connection, _insert("attempt_events", _EVENT_COLUMNS),
                          [tuple(row[c] for c in _EVENT_COLUMNS) for row in self.batch.events])
        changed = [a for a in self.batch.attempts.values() if a.changed]
        for attempt in changed:
            attempt.columns["section_points_json"] = json.dumps([str(p) for p in attempt.points])
        _execute_many(connection, _update("attempts", _ATTEMPT_COLUMNS, ("id",)),
                      [(*(a.columns[c] for c in _ATTEMPT_COLUMNS), a.id) for a in changed])
        responses = [r for r in self.batch.responses.values() if r.changed]
        _execute_many(connection, _insert("responses", ("attempt_id", "position", *_RESPONSE_COLUMNS)),
                      [(r.attempt_id, r.position, *(r.columns[c] for c in _RESPONSE_COLUMNS))
                       for r in responses if not r.stored])
        _execute_many(connection, _update("responses", _RESPONSE_COLUMNS, ("attempt_id", "position")),
                      [(*(r.columns[c] for c in _RESPONSE_COLUMNS), r.attempt_id, r.position)
                       for r in responses if r.stored])
        return [a.id for a in changed if a.ended]

    def written(self) -> list[AttemptState]:
        """The attempts the batch changed and that go on, as written: the proctor feed's values (sites.feed)."""
        return [a for a in self.batch.attempts.values() if a.changed and not a.ended]


# Plain statements run by the driver's executemany: at a few hundred rows a batch, building each row's
# parameters through SQL expressions cost more than the database's own work.
_EVENT_COLUMNS = ("attempt_id", "number", "at", "kind", "data_json", "prev_hash", "hash")


def _attempts_by_id(connection, ids: list[int]) -> list[tuple]:
    """(id, session id, the _ATTEMPT_COLUMNS, the _SEEN_COLUMNS) of these attempts, locked where rows lock.

    A plain statement: compiling and running the same select through the ORM cost more than SQLite's own
    work for a batch's few hundred rows (the columns are numbers and text, nothing to convert).
    """
    marker = _marker(connection)
    columns = ", ".join(f'"{c}"' for c in ("id", "session_id", *_ATTEMPT_COLUMNS, *_SEEN_COLUMNS))
    lock = " FOR UPDATE" if connection.dialect.name == "postgresql" else ""
    return connection.exec_driver_sql(
        f'SELECT {columns} FROM "attempts" WHERE "id" IN ({", ".join(marker for _ in ids)}) ORDER BY "id"{lock}',
        tuple(ids)).all()


def _responses_at(connection, pairs: list[tuple[int, int]]):
    """The stored responses at these (attempt, position) pairs, each found by the primary key.

    A join with a list of values rather than ``(attempt_id, position) IN (...)``, which SQLite answers
    by scanning the whole table.
    """
    marker = _marker(connection)
    columns = ", ".join(f'r."{c}"' for c in _RESPONSE_COLUMNS)
    wanted = ", ".join(f"({marker}, {marker})" for _ in pairs)
    return connection.exec_driver_sql(
        f'SELECT r."attempt_id", r."position", {columns} FROM (VALUES {wanted}) AS v '
        f'JOIN "responses" r ON r."attempt_id" = v.column1 AND r."position" = v.column2',
        tuple(n for pair in pairs for n in pair))


def _marker(connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("{p}" for _ in columns)})'


def _update(table: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> str:
    sets = ", ".join(f'"{c}" = {{p}}' for c in columns)
    return f'UPDATE "{table}" SET {sets} WHERE {" AND ".join(f""""{k}" = {{p}}""" for k in keys)}'


def _execute_many(connection, template: str, rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.dialect.driver == "psycopg2":  # many statements a round trip, not one row a round trip
        from psycopg2.extras import execute_batch

        cursor = connection.connection.cursor()
        try:
            execute_batch(cursor, template.replace("{p}", "%s"), rows, page_size=1000)
        finally:
            cursor.close()
        return
    connection.exec_driver_sql(template.replace("{p}", _marker(connection)), rows)


class _KeyedAttempt:
    """What ``attempt_key`` reads of an attempt: its form only when the key is not yet in memory."""

    def __init__(self, attempt_id: int, session_id: int, form_json: str | None):
        self.id, self.session_id, self.form_json = attempt_id, session_id, form_json


def _forms(session, attempt_ids: list[int]) -> dict[int, str]:
    """The forms of attempts whose scoring key this process has not built yet, in one query."""
    if not attempt_ids:
        return {}
    table = models.Attempt.__table__
    return dict(session.execute(select(table.c.id, table.c.form_json).where(table.c.id.in_(sorted(attempt_ids)))).all())


def apply_state(columns: dict, state) -> None:
    """The attempt's clock and status as the site reports them, each value checked."""
    if not isinstance(state, dict):
        return
    for name in STATE_FIELDS:
        value = state.get(name)
        if name == "status":
            if value in STATUSES:
                columns[name] = value
        elif name in _TIMES:
            if value is None or is_whole(value):
                columns[name] = value
        elif is_whole(value):
            columns[name] = value
