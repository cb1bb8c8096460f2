"""What a serving process keeps in memory and does in the background.

- which socket belongs to which attempt (sockets connected to this process);
- loops that only schedule service calls and emit what they return: the
  deadline sweep (attempts end at their deadline even with nobody connected),
  the time beacon, the proctor feed (changed candidates gathered and sent once
  per tick, so a fast typist does not flood the proctors), heartbeats, alerts,
  audit anchors, staged files;
- the writer's observer: metrics of every answer and the burst rule of
  ``services.alerts``.

The writer, the database and the login guard are built by the composition
root (``exam_server.composition``) and handed in; nothing here reads the store.
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from exam_server.errors import ExamError
from exam_server.extensions import socketio
from exam_server.realtime import rooms
from exam_server.realtime.metrics import Metrics
from exam_server.security.login_guard import LoginGuard
from exam_server.services import alerts, anchoring, attempts, liveness, monitoring, scoreboard
from exam_server.services.answer_writer import KEPT_ATTEMPTS, AnswerWriter, forget_oldest
from exam_server.services.context import ServiceContext
from exam_server.services.group_rows import WrittenAttempt
from exam_server.services.staged_files import staged_files
from exam_server.services.users import staff_from_token, still_watchable
from exam_server.sites import feed as site_feed

log = logging.getLogger("exam_server.runtime")

SWEEP_SECONDS = 0.5
ALERT_SWEEP_SECONDS = 5
STAFF_CHECK_SECONDS = 1  # a logout, a disabled account or an unassigned session is cut within this (plus a tick)
FEED_SECONDS = 0.1  # the feed looks at least this often
FEED_GAP_SECONDS = 0.02  # and, woken by a change, at most this often: what a group releases goes out together
BEACON_SECONDS = 30
BEACON_BATCH = 200
ANCHOR_TICK_SECONDS = 5  # how often due checkpoints are looked for (each attempt is signed once per anchor_seconds)
STAGED_SWEEP_SECONDS = 60  # at most; a shorter staged_file_seconds sweeps more often


class Runtime:
    def __init__(self, app: Flask, services: ServiceContext, writer: AnswerWriter, metrics: Metrics,
                 login_guard: LoginGuard):
        self.app = app
        self.services = services
        self._attempt_by_sid: dict[str, int] = {}
        self._session_by_sid: dict[str, int] = {}
        self._staff_by_sid: dict[str, str] = {}
        self._watched_by_sid: dict[str, set[int]] = {}
        self._dirty: set[int] = set()
        self._known: dict = {}  # attempt id -> its columns as a hub's exchange or the writer wrote them (sites.feed)
        self._shown: dict[int, tuple[int, int]] = {}  # attempt id -> the version of the view last sent of it
        self._lock = threading.Lock()
        self._feed_wakeup = threading.Event()
        self.login_guard = login_guard
        self._bursts = alerts.AnswerBursts(services.settings.burst_answers)
        self._public_sessions: dict[int, tuple[bool, bool]] = {}  # an exam's blueprint never changes once it has sessions
        self._started = False
        self.ready = False
        self.message_queue_down = False
        self.metrics = metrics
        self.writer = writer
        writer.observe = self.observe_write

    # --- sockets of this process ---

    def remember(self, sid: str, attempt_id: int, session_id: int) -> None:
        self._attempt_by_sid[sid] = attempt_id
        self._session_by_sid[sid] = session_id
        self.metrics.connected.set(len(self._attempt_by_sid))

    def forget(self, sid: str) -> int | None:
        self._session_by_sid.pop(sid, None)
        attempt_id = self._attempt_by_sid.pop(sid, None)
        self.metrics.connected.set(len(self._attempt_by_sid))
        return attempt_id

    def attempt_of(self, sid: str) -> int | None:
        return self._attempt_by_sid.get(sid)

    def remember_staff(self, sid: str, token: str) -> None:
        self._staff_by_sid[sid] = token

    def forget_staff(self, sid: str) -> None:
        self._staff_by_sid.pop(sid, None)
        self._watched_by_sid.pop(sid, None)

    def watching(self, sid: str, session_id: int) -> None:
        """Remember a watched session, so the staff check can take the socket out when the proctor is unassigned."""
        if sid in self._staff_by_sid:
            self._watched_by_sid.setdefault(sid, set()).add(session_id)

    def staff_token(self, sid: str) -> str | None:
        return self._staff_by_sid.get(sid)

    # --- proctor feed ---

    def candidate_changed(self, attempt_id: int, known=None) -> None:
        """``known``: at a hub, the attempt's columns as the exchange wrote them; the view is built from
        them instead of read again (``sites.feed``). Without it, the view is read from the database.

        With a message queue (several nodes) the view is always read: another node's exchange may have
        committed later values, and a view read at the flush is never older than the one it follows.
        """
        if self.services.settings.redis_url:
            known = None
        with self._lock:
            self._dirty.add(attempt_id)
            if known is None:
                self._known.pop(attempt_id, None)
            else:
                held = self._known.get(attempt_id)
                if held is None or known.version >= held.version:  # two exchanges' handlers may finish out of order
                    self._known[attempt_id] = known
        self._feed_wakeup.set()
        link = self.app.extensions.get("exam_sites")
        if link is not None:
            link.nudge()  # at a site: the change goes to the hub now, not at the next tick

    def candidate_written(self, attempt_id: int) -> None:
        """After this process's answer or flag committed: the view from the columns the writer committed.

        The writer keeps the newest committed columns of each attempt that only answers and flags
        touched, so they are at least as new as the caller's own write. A view read or sent since
        may already be newer (a disconnect committed after it): then nothing older is sent."""
        written = None if self.services.settings.redis_url else self.writer.written.get(attempt_id)
        if written is None:
            self.candidate_changed(attempt_id)
            return
        with self._lock:
            if written.version <= self._shown.get(attempt_id, (-1, -1)):
                return
        self.candidate_changed(attempt_id, written)

    def alert(self, attempt_id: int, kind: str, detail: str, at: int | None = None, *, category: str) -> None:
        """Keep an irregularity for the minutes and show it to the session's proctors."""
        self.emit_alert(alerts.raise_alert(self.services, attempt_id, kind, detail, category=category, at=at))

    def emit_alert(self, alert: dict) -> None:
        self.metrics.alerts.labels(alert["type"]).inc()
        socketio.emit("alert", {k: alert[k] for k in ("attempt_id", "type", "detail", "at", "category", "session_id")},
                      namespace="/proctor", to=rooms.proctors(alert["session_id"]))

    def observe_write(self, label: str | None, touches: tuple | None, seconds: float, outcome: object) -> None:
        """After each write of the writer: an answer's metrics, and the burst rule on stored answers."""
        if label != "answer":
            return
        if isinstance(outcome, ExamError):
            self.metrics.refused.labels(outcome.code).inc()
            return
        if isinstance(outcome, BaseException):
            return
        self.metrics.ack_seconds.observe(seconds)
        self.metrics.answers.inc()
        attempt_id = touches[0]
        burst = self._bursts.note(attempt_id)
        if burst is not None:
            self.alert(attempt_id, "answer_burst", burst, category="candidate")

    def flush_feed(self) -> None:
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            known, self._known = self._known, {}
        if not dirty:
            return
        # Values a hub's exchange already holds: views only for the sessions someone watches.
        watched = [state for state in known.values() if self._watched(state.session_id)]
        views = site_feed.views(self.services, watched)
        shown = {state.id: state.version for state in watched if isinstance(state, WrittenAttempt)}
        self.metrics.feed_views.labels("written").inc(len(shown))
        self.metrics.feed_views.labels("ingest").inc(len(views) - len(shown))
        read = [attempt_id for attempt_id in dirty if attempt_id not in known]
        if read:
            views += (from_database := monitoring.candidate_views(self.services, read, versions=shown))
            self.metrics.feed_views.labels("read").inc(len(from_database))
        with self._lock:
            for attempt_id, version in shown.items():
                if version > self._shown.get(attempt_id, (-1, -1)):
                    self._shown.pop(attempt_id, None)  # re-inserted last: the oldest go first past the limit
                    self._shown[attempt_id] = version
            forget_oldest(self._shown, KEPT_ATTEMPTS)
        for view in views:
            socketio.emit("candidate", view, namespace="/proctor", to=rooms.proctors(view["session_id"]))
            public, names = self._publication(view["session_id"])
            if public:
                socketio.emit("row", scoreboard.row(view, names), namespace="/scoreboard",
                              to=rooms.scoreboard(view["session_id"]))

    def _watched(self, session_id: int) -> bool:
        """Whether a proctor or a score board watches the session.

        Rooms are this process's own: with a message queue, watchers on other nodes are unknown here,
        so every session counts as watched.
        """
        if self.services.settings.redis_url or socketio.server is None:
            return True
        joined = socketio.server.manager.rooms
        return bool(joined.get("/proctor", {}).get(rooms.proctors(session_id))
                    or joined.get("/scoreboard", {}).get(rooms.scoreboard(session_id)))

    def _publication(self, session_id: int) -> tuple[bool, bool]:
        if session_id not in self._public_sessions:
            self._public_sessions[session_id] = scoreboard.publication(self.services, session_id)
        return self._public_sessions[session_id]

    # --- background work ---

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        attempts.release_connections(self.services, self.services.settings.node_name)
        # Before any deadline is swept: time the whole server was down is given back first.
        credited = liveness.credit_outage(self.services)
        if credited["attempts"]:
            log.warning("server was down for %d s: time given back to %d running attempts",
                        credited["outage_ms"] // 1000, len(credited["attempts"]))
        liveness.heartbeat(self.services)
        self.sweep_staged_files()  # whatever a previous run left behind
        self.writer.begin_grouping()  # from now on writes wait for the writer's loop and share its commits
        socketio.start_background_task(self._run_writer)
        self.services.writer = self.writer
        socketio.start_background_task(self._loop, "deadline sweep", SWEEP_SECONDS, self.sweep_deadlines)
        socketio.start_background_task(self._feed_loop)
        socketio.start_background_task(self._loop, "time beacon", BEACON_SECONDS, self.send_time)
        socketio.start_background_task(self._loop, "heartbeat", liveness.HEARTBEAT_SECONDS, self.heartbeat)
        socketio.start_background_task(self._loop, "alert sweep", ALERT_SWEEP_SECONDS, self.sweep_alerts)
        socketio.start_background_task(self._loop, "staff sockets", STAFF_CHECK_SECONDS, self.cut_revoked_staff)
        anchor_tick = min(ANCHOR_TICK_SECONDS, self.services.settings.anchor_seconds)
        socketio.start_background_task(self._loop, "audit anchors", anchor_tick, self.sign_checkpoints)
        staged_every = min(STAGED_SWEEP_SECONDS, max(1, self.services.settings.staged_file_seconds // 2))
        socketio.start_background_task(self._loop, "staged files", staged_every, self.sweep_staged_files)
        from exam_server.sites.running import start_for

        start_for(self)  # a site's link to its hub, or a hub's watch over its sites; nothing when standalone
        if self.services.settings.redis_url:
            socketio.start_background_task(self._loop, "message queue watch", liveness.HEARTBEAT_SECONDS,
                                           self.watch_message_queue)
        self.ready = True

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop gracefully: not ready any more, every handed-over write stored, clients told to go elsewhere."""
        self.ready = False
        if not self.writer.drain(timeout):
            log.warning("shutting down with writes still queued; they were not acknowledged and will be resent")
        for sid in list(self._attempt_by_sid):
            socketio.server.disconnect(sid, namespace="/candidate", ignore_queue=True)
        log.info("shut down: writes stored, candidates disconnected to reconnect elsewhere")

    def watch_message_queue(self) -> None:
        """When the message queue comes back after an outage, proctors rebuild their picture from a snapshot."""
        import redis

        try:
            redis.Redis.from_url(self.services.settings.redis_url, socket_timeout=1).ping()
            up = True
        except Exception:
            up = False
        if up and self.message_queue_down:
            log.warning("message queue is back: proctors resync")
            socketio.emit("resync", {"reason": "message queue restored"}, namespace="/proctor")
        if not up and not self.message_queue_down:
            log.error("message queue unreachable: candidates go on, proctors on other nodes miss updates until it returns")
        self.message_queue_down = not up

    def _run_writer(self) -> None:
        while True:
            try:
                self.writer.run()
            except Exception:  # the writer must outlive any failure; groups that failed were not acknowledged
                log.exception("the answer writer stopped; restarting it")
                socketio.sleep(0.1)

    def _feed_loop(self) -> None:
        """Proctors hear of a change as soon as it is stored, not at the next tick of a clock.

        Woken by ``candidate_changed`` (called once a write has committed), the
        feed waits only for the rest of its short gap, so the changes of one
        commit go out in one read.
        """
        while True:
            self._feed_wakeup.wait(FEED_SECONDS)
            self._feed_wakeup.clear()
            started = time.monotonic()
            try:
                with self.app.app_context():
                    self.flush_feed()
            except Exception:  # a failed flush must not stop the feed; the next one retries
                log.exception("proctor feed failed")
            socketio.sleep(max(0.0, FEED_GAP_SECONDS - (time.monotonic() - started)))

    def _loop(self, name: str, seconds: float, work) -> None:
        while True:
            socketio.sleep(seconds)
            try:
                with self.app.app_context():
                    work()
            except Exception:  # a failed tick must not stop the loop; the next one retries
                log.exception("%s failed", name)

    def cut_revoked_staff(self) -> None:
        for sid, token in list(self._staff_by_sid.items()):
            try:
                user = staff_from_token(self.services, token)
            except ExamError:
                self.forget_staff(sid)
                socketio.server.disconnect(sid, namespace="/proctor")
                continue
            self._leave_unassigned(sid, user)

    def _leave_unassigned(self, sid: str, user) -> None:
        """Take a socket out of the rooms of sessions its proctor no longer has (each node for its own sockets)."""
        watched = self._watched_by_sid.get(sid)
        if not watched:
            return
        for session_id in watched - still_watchable(self.services, user, watched):
            watched.discard(session_id)
            socketio.server.leave_room(sid, rooms.proctors(session_id), namespace="/proctor")
            socketio.emit("unwatched", {"session_id": session_id, "reason": "unassigned"}, namespace="/proctor", to=sid)

    def sweep_staged_files(self) -> None:
        """Staged uploads nobody confirmed and downloads nobody took hold questions and passwords: delete them."""
        deleted = staged_files(self.services).sweep()
        if deleted:
            log.info("deleted %d expired staged files", deleted)

    def heartbeat(self) -> None:
        liveness.heartbeat(self.services)

    def sign_checkpoints(self) -> None:
        anchoring.checkpoint_due(self.services, on_alert=self.emit_alert)

    def sweep_alerts(self) -> None:
        for alert in alerts.long_disconnections(self.services) + alerts.idle_candidates(self.services):
            self.emit_alert(alert)

    def sweep_deadlines(self) -> None:
        for ended in attempts.end_due_attempts(self.services) + attempts.end_long_pauses(self.services):
            payload = {"status": ended["status"]}
            if ended["result"] is not None:
                payload["result"] = ended["result"]
            socketio.emit("ended", payload, namespace="/candidate", to=rooms.attempt(ended["attempt_id"]))
            self.candidate_changed(ended["attempt_id"])

    def send_time(self) -> None:
        """The minute beacon: one query for every connected attempt, and the loop yields between batches,
        so a full hall's beacon never holds the answers back."""
        connected = list(set(self._attempt_by_sid.values()))
        for start in range(0, len(connected), BEACON_BATCH):
            clocks = attempts.remaining_many(self.services, connected[start:start + BEACON_BATCH])
            for attempt_id, info in clocks.items():
                socketio.emit("time", info, namespace="/candidate", to=rooms.attempt(attempt_id))
            socketio.sleep(0)

    def send_time_to(self, attempt_id: int) -> None:
        info = attempts.remaining(self.services, attempt_id)
        socketio.emit("time", {"remaining_ms": info["remaining_ms"], "server_time": info["server_time"]},
                      namespace="/candidate", to=rooms.attempt(attempt_id))

