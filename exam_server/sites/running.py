"""The link in a serving process: a site's exchange loop, a hub's watch over its sites.

Started by ``Runtime.start`` through ``start_for``; does nothing on a standalone server.
"""
from __future__ import annotations

import logging
import time

from exam_server.errors import ExamError
from exam_server.extensions import socketio
from exam_server.realtime import rooms
from exam_server.sites import hub, presence
from exam_server.sites.role import read_role

log = logging.getLogger("exam_server.sites")

EXCHANGE_SECONDS = 0.2  # between exchanges while idle: answers reach the hub well within 1 s
RETRY_SECONDS = 1.0  # while the hub cannot be reached
WATCH_SECONDS = 0.5
NUDGE_SECONDS = 0.02
PRUNE_SECONDS = 5.0  # the outbox is pruned at most this often (a read of one batch when nothing is due)


def start_for(runtime) -> None:
    role = read_role(runtime.services.settings.data_dir)
    if role == "site":
        loop = SiteRuntime(runtime)
    elif role == "hub":
        loop = HubRuntime(runtime)
    else:
        return
    runtime.app.extensions["exam_sites"] = loop
    socketio.start_background_task(loop.run)


class SiteRuntime:
    def __init__(self, runtime):
        self.runtime = runtime
        self.services = runtime.services
        self.link = None
        self.backlog = 0
        self.last_ok: float | None = None
        self.lag_ms: int | None = None
        self._nudged = False
        self._pruned_at: float | None = None

    def run(self) -> None:
        while True:
            pause = RETRY_SECONDS
            try:
                with self.runtime.app.app_context():
                    pause = self.tick()
            except ExamError as exc:
                if self.link is not None:
                    self.link.online = False
                    self.runtime.metrics.link_up.labels(self.link.site).set(0)
                    self._count_held()
                log.debug("link: %s", exc.message)
            except Exception:
                if self.link is not None:
                    self.link.online = False
                log.exception("link exchange failed")
            self._rest(pause)

    def nudge(self) -> None:
        self._nudged = True

    def _count_held(self) -> None:
        """Cut off, no exchange reports the backlog: count what piles up here, for /healthz and /metrics."""
        try:
            with self.runtime.app.app_context():
                self.backlog = self.link.held()
        except Exception:
            log.exception("link: the backlog could not be counted")
            return
        self.runtime.metrics.link_backlog.labels(self.link.site).set(self.backlog)

    def _rest(self, seconds: float) -> None:
        """Sleep until the next exchange is due, or sooner when something changed (an answer, a start)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and not (self._nudged and self.link is not None and self.link.online):
            socketio.sleep(NUDGE_SECONDS)
        self._nudged = False

    def tick(self) -> float:
        from exam_server.sites.commands import carry_out, first_delivery
        from exam_server.sites.site import Link

        if self.link is None:
            self.link = Link(self.services)
        done = self.link.exchange()
        self.last_ok = time.time()
        self.backlog = done["backlog"]
        metrics = self.runtime.metrics
        metrics.link_up.labels(self.link.site).set(1)
        metrics.link_backlog.labels(self.link.site).set(self.backlog)
        for command in done["commands"]:
            if first_delivery(self.services, command):
                self.link.pending_outcomes.append(carry_out(self.runtime, command))
        if done["pulled_sessions"]:
            log.info("link: %d sessions pulled from the hub", done["pulled_sessions"])
        self._prune()
        # Catching up, or outcomes to report: go again at once, yet yield to candidates between batches.
        return 0.01 if (self.backlog or self.link.pending_outcomes) else EXCHANGE_SECONDS

    def _prune(self) -> None:
        """Delete what the hub acknowledged long enough ago (``outbox_keep_minutes``), yielding between batches."""
        from exam_server.sites.pruning import prune_outbox

        if self._pruned_at is not None and time.monotonic() - self._pruned_at < PRUNE_SECONDS:
            return
        self._pruned_at = time.monotonic()
        keep_ms = self.services.settings.outbox_keep_minutes * 60_000
        prune_outbox(self.services, keep_ms, between=lambda: socketio.sleep(0.01))

    def heard_from(self, site: str) -> None:
        pass

    def health(self) -> dict:
        online = bool(self.link and self.link.online)
        return {"link": {"role": "site", "online": online, "backlog": self.backlog,
                         "last_ok_s_ago": None if self.last_ok is None else round(time.time() - self.last_ok, 3)}}


class HubRuntime:
    def __init__(self, runtime):
        self.runtime = runtime
        self.services = runtime.services
        self.known: dict[str, bool] = {}

    def run(self) -> None:
        while True:
            socketio.sleep(WATCH_SECONDS)
            try:
                with self.runtime.app.app_context():
                    self.watch()
            except Exception:
                log.exception("site watch failed")

    def nudge(self) -> None:
        pass

    def heard_from(self, site: str) -> None:
        if self.known.get(site) is False:
            self.watch()

    def watch(self) -> None:
        """Tell the proctors watching a site's sessions when the site goes on or off line."""
        metrics = self.runtime.metrics
        for view in hub.site_views(self.services):
            metrics.link_up.labels(view["site"]).set(1 if view["online"] else 0)
            metrics.link_backlog.labels(view["site"]).set(view["backlog"])
            if view["lag_ms"] is not None:
                metrics.link_lag.labels(view["site"]).set(view["lag_ms"] / 1000)
            was = self.known.get(view["site"])
            self.known[view["site"]] = view["online"]
            if was is None or was == view["online"]:
                continue
            # Every node watches the sites and notices each transition itself: it tells its own proctors
            # only, or with several nodes each proctor would hear of it once per node.
            for session_id in hub.sessions_of_site(self.services, view["site"]):
                socketio.emit("site", hub.site_event(view), namespace="/proctor", to=rooms.proctors(session_id),
                              ignore_queue=True)
            for attempt_id in presence.connected_at_site(self.services, view["site"]):
                self.runtime.candidate_changed(attempt_id)  # connected only while their site is on line

    def health(self) -> dict:
        views = hub.site_views(self.services)
        return {"sites": [{k: v[k] for k in ("site", "online", "backlog", "lag_ms", "last_seen")} for v in views]}
