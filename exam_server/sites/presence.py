"""Which of a site's candidates have a live kiosk connection, told to the hub in each exchange.

At a site, ``Attempt.connected_sid`` says who is connected. The site sends
only what changed since its last accepted exchange (``on``/``off``), and the
whole list (``full``) at its first exchange, after a failed one, and every
``FULL_EVERY`` exchanges, so a hub that lost a change (another node, a
restart, a rolled back exchange) is right again within seconds.

At the hub the state is kept in ``site_presence`` (one row per attempt that
was ever reported), so every hub node reads the same. A candidate shows as
connected only while the site is on line too; once the site is off line its
candidates say when they were last heard.

Everything the site sends is hostile until checked: lists are bounded,
ids are whole numbers, and only attempts of the site's own sessions are
touched.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from exam_server.errors import BadInput
from exam_server.sites.online import is_online
from exam_server.store import models

FULL_EVERY = 25  # exchanges: about 5 s while idle
MAX_IDS = 5000  # per list; a hall is far smaller
_BIG = 2 ** 53


# --- at a site ---

@dataclass
class Reporter:
    """What the site told the hub last, and what to tell it next (pure: no database)."""

    told: set[int] | None = None  # None: the hub's view is unknown, send everything
    since_full: int = 0
    _pending: set[int] | None = field(default=None, repr=False)

    def report(self, connected: set[int]) -> dict:
        self._pending = set(connected)
        if self.told is None or self.since_full >= FULL_EVERY:
            return {"full": True, "on": sorted(connected)[:MAX_IDS], "off": []}
        on = sorted(connected - self.told)[:MAX_IDS]
        off = sorted(self.told - connected)[:MAX_IDS]
        return {"full": False, "on": on, "off": off}

    def accepted(self, report: dict) -> None:
        """The exchange carrying ``report`` was accepted by the hub."""
        self.since_full = 0 if report.get("full") else self.since_full + 1
        self.told = self._pending

    def failed(self) -> None:
        self.told = None


def connected_here(session) -> set[int]:
    """At a site: the attempts with a kiosk connected now."""
    return set(session.scalars(select(models.Attempt.id).where(models.Attempt.connected_sid.is_not(None))))


# --- at the hub ---

def _ids(value, name: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise BadInput(f"presence {name}: a list of at most {MAX_IDS} attempt ids")
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < _BIG for v in value):
        raise BadInput(f"presence {name}: attempt ids are whole numbers")
    return value


def check(report) -> None:
    """Refuse a malformed report (before the exchange changes anything)."""
    if report is None:
        return
    if not isinstance(report, dict) or not isinstance(report.get("full", False), bool):
        raise BadInput("presence: {full, on, off}")
    _ids(report.get("on"), "on")
    _ids(report.get("off"), "off")


def take(ctx, session, site: models.Site, report) -> list[int]:
    """Record a site's presence report; returns the attempts whose connection changed.

    Runs inside the exchange's transaction, with the site's row locked, so
    two hub nodes never interleave reports of one site.
    """
    if report is None:
        return []
    check(report)
    on, off = set(_ids(report.get("on"), "on")), set(_ids(report.get("off"), "off"))
    full = report.get("full", False)
    if not full and not (on or off):
        return []  # the usual exchange: nothing changed, nothing read
    query = select(models.SitePresence).where(models.SitePresence.site_id == site.id)
    if not full:
        query = query.where(models.SitePresence.attempt_id.in_(sorted(on | off)))
    rows = {row.attempt_id: row for row in session.scalars(query)}
    asked = (on | off) - set(rows)
    if asked:  # attempts never reported before: only those of this site's own sessions
        own = session.scalars(select(models.Attempt.id).join(
            models.ExamSession, models.ExamSession.id == models.Attempt.session_id).where(
            models.Attempt.id.in_(sorted(asked)), models.ExamSession.site_code == site.code))
        for attempt_id in own:
            rows[attempt_id] = models.SitePresence(attempt_id=attempt_id, site_id=site.id, connected=False,
                                                   changed_at=ctx.now())
            session.add(rows[attempt_id])
    wanted = {attempt_id: attempt_id in on for attempt_id in rows} if full else \
        {attempt_id: attempt_id in on for attempt_id in (on | off) if attempt_id in rows}
    changed = []
    for attempt_id, connected in wanted.items():
        row = rows[attempt_id]
        if row.connected != connected:
            row.connected, row.changed_at = connected, ctx.now()
            changed.append(attempt_id)
    return sorted(changed)


@dataclass(frozen=True)
class Seen:
    connected: bool
    last_heard: int | None  # hub time, ms; None while connected and the site is on line


def seen(session, attempt_ids, now: int) -> dict[int, Seen]:
    """At the hub: each named site attempt's connection as a proctor should see it now."""
    ids = sorted(set(attempt_ids))
    if not ids:
        return {}
    rows = session.execute(select(models.SitePresence, models.Site).join(
        models.Site, models.Site.id == models.SitePresence.site_id).where(
        models.SitePresence.attempt_id.in_(ids))).all()
    views = {}
    for row, site in rows:
        online = is_online(site, now)
        if row.connected and online:
            views[row.attempt_id] = Seen(True, None)
        elif row.connected:  # the site went quiet: the candidate was there when it was last heard
            views[row.attempt_id] = Seen(False, site.last_seen_at)
        else:
            views[row.attempt_id] = Seen(False, row.changed_at)
    return views


def connected_at_site(ctx, code: str) -> list[int]:
    """At the hub: the attempts a site last said are connected (to tell proctors when the site drops)."""
    with ctx.db.reading() as session:
        return list(session.scalars(select(models.SitePresence.attempt_id).join(
            models.Site, models.Site.id == models.SitePresence.site_id).where(
            models.Site.code == code, models.SitePresence.connected.is_(True))))
