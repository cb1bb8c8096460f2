"""A site's side of the link: enroll, then exchange with the hub (events up, sessions and commands down).

The site opens every connection: plain HTTP(S) requests to the hub's
``/api/v1/link/...`` through ``requests``, which honours ``HTTPS_PROXY`` and
``HTTP_PROXY`` like any other outbound web traffic of the office. Each
exchange is one signed POST; while the link is up the site exchanges several
times a second, which carries answers to the hub within a second and picks
up proctors' commands just as fast, without the hub ever connecting to a hall.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from exam_server.errors import BadInput, ExamError
from exam_server.sites import envelope, presence, site_alerts
from exam_server.sites.outbox import batch_limit
from exam_server.store import models

log = logging.getLogger("exam_server.sites")

KEY_FILE = "site_link.key"
TIMEOUT = (2.0, 8.0)  # connect, read


class LinkDown(ExamError):
    code = "link_down"


def _key_path(settings) -> Path:
    return Path(settings.data_dir) / KEY_FILE


def load_key(settings) -> Ed25519PrivateKey:
    try:
        return Ed25519PrivateKey.from_private_bytes(_key_path(settings).read_bytes())
    except FileNotFoundError:
        raise BadInput("this site is not enrolled: run 'exam-server enroll --hub URL --code CODE'") from None


def enroll(ctx, hub_url: str, code: str) -> dict:
    hub_url = hub_url.rstrip("/")
    if not hub_url.startswith(("http://", "https://")):
        raise BadInput(f"--hub {hub_url}: an http:// or https:// address")
    key = envelope.new_private_key()
    try:
        answer = requests.post(f"{hub_url}/api/v1/link/enroll", json={
            "enrollment_code": code, "public_key": envelope.public_hex(key)}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise LinkDown(f"the hub at {hub_url} cannot be reached ({type(exc).__name__})") from None
    if answer.status_code != 200:
        raise BadInput(f"the hub refused the enrollment: {_error_text(answer)}")
    site = answer.json()["site"]
    path = _key_path(ctx.settings)
    path.write_bytes(envelope.private_bytes(key))
    path.chmod(0o600)
    with ctx.db.unit_of_work() as session:
        state = session.get(models.LinkState, 1)
        if state is None:
            session.add(models.LinkState(id=1, site_code=site, hub_url=hub_url, acked_position=0, last_nonce=0))
        else:
            state.site_code, state.hub_url = site, hub_url
        session.add(models.AuditEntry(at=ctx.now(), action="site_enrolled", target=f"site:{site}",
                                      detail_json=json.dumps({"hub": hub_url})))
    return {"site": site, "hub": hub_url}


def _error_text(answer) -> str:
    try:
        return answer.json()["error"]["message"]
    except Exception:
        return f"HTTP {answer.status_code}"


_SENT = ("position", "attempt_id", "number", "at", "kind", "data_json", "prev_hash", "hash", "state_json")


def _held(session, after: int) -> int:
    """Events past ``after``: the newest position less ``after``, read from the index's end.

    A count of the rows would read every held row, several times a second while
    a site catches up with an hour's backlog, on the event loop the hall shares.
    The outbox is numbered without gaps (``outbox.write_staged``)."""
    newest = session.scalar(select(func.max(models.OutboxEvent.position))) or 0
    return max(0, newest - after)


class Link:
    """One site's link to its hub; ``exchange`` does one round trip."""

    def __init__(self, ctx, http: requests.Session | None = None):
        self.ctx = ctx
        self.key = load_key(ctx.settings)
        self.http = http or requests.Session()
        with ctx.db.reading() as session:
            state = session.get(models.LinkState, 1)
            if state is None:
                raise BadInput("this site is not enrolled: run 'exam-server enroll --hub URL --code CODE'")
            self.site, self.hub_url, self.nonce = state.site_code, state.hub_url, state.last_nonce
        self.acked: int | None = None  # the hub's position, learnt at the first exchange
        self.online = False
        self.pending_outcomes: list[dict] = []
        self.presence = presence.Reporter()
        self.alerts_acked: int | None = None  # the hub's last alert id taken, learnt at the first exchange

    def held(self) -> int:
        """Events this site holds that the hub has not acknowledged (while the hub cannot be reached, too)."""
        with self.ctx.db.reading() as session:
            return _held(session, self._after(session))

    def _after(self, session) -> int:
        return self.acked if self.acked is not None else session.get(models.LinkState, 1).acked_position

    def exchange(self) -> dict:
        """Send the next batch from the hub's acknowledged position; apply sessions; return the commands."""
        ctx = self.ctx
        with ctx.db.reading() as session:
            after = self._after(session)
            backlog = _held(session, after)
            table = models.OutboxEvent.__table__  # plain rows: up to 500 a batch, several batches a second
            events = [dict(row) for row in session.execute(
                select(*[table.c[name] for name in _SENT]).where(table.c.position > after)
                .order_by(table.c.position).limit(batch_limit(backlog))).mappings()]
            ended = {e["attempt_id"] for e in events if e["kind"] == "end"}
            results = {}
            if ended:
                for result in session.scalars(select(models.Result).where(models.Result.attempt_id.in_(ended))):
                    if result.document_json != "{}":
                        results[str(result.attempt_id)] = json.loads(result.document_json)
            here = self.presence.report(presence.connected_here(session))
            alerts = site_alerts.pending(session, self.alerts_acked)
        from exam_server.sites import seals

        outcomes, self.pending_outcomes = self.pending_outcomes, []
        body = {"events": events, "results": results, "backlog": backlog, "have_sessions": seals.pulled_ids(ctx),
                "outcomes": outcomes, "opened": seals.opened_reports(ctx), "presence": here, "alerts": alerts}
        try:
            answer = self._post("/api/v1/link/exchange", body)
        except LinkDown:
            self.pending_outcomes = outcomes + self.pending_outcomes
            self.online = False
            self.presence.failed()
            raise
        self.online = True
        self.presence.accepted(here)
        if isinstance(answer.get("alerts_acked"), int):
            self.alerts_acked = answer["alerts_acked"]
        acked = answer.get("acked")
        if isinstance(acked, int):
            self.acked = acked
        pulled = 0
        for package in answer.get("sessions") or []:
            if isinstance(package, dict) and isinstance(package.get("sealed"), dict):
                seals.store_sealed(ctx, package["sealed"])  # held sealed until it is opened
                pulled += 1
        for released in answer.get("keys") or []:
            try:
                seals.open_with_key(ctx, self.site, int(released["session_id"]), bytes.fromhex(released["key"]), "link")
            except Exception:
                log.exception("a released session could not be opened")
        # Through the writer: several times a second while the link is up, so it shares the candidates'
        # commits (and, on SQLite, their thread) instead of a disk sync of its own on the event loop.
        ctx.write(lambda session: self._remember(session), label="link_state")
        pushed = max(0, (self.acked or 0) - after)
        return {"pulled_sessions": pulled, "pushed_events": pushed, "backlog": max(0, backlog - pushed),
                "commands": answer.get("commands") or []}

    def _remember(self, session) -> dict:
        state = session.get(models.LinkState, 1)
        state.acked_position, state.last_nonce, state.last_ok_at = self.acked or 0, self.nonce, self.ctx.now()
        return {}

    def _post(self, path: str, body: dict) -> dict:
        self.nonce = envelope.next_nonce(self.nonce, self.ctx.now())
        raw, signature = envelope.seal(self.key, self.site, self.nonce, self.ctx.now(), body)
        try:
            answer = self.http.post(self.hub_url + path, data=raw, timeout=TIMEOUT, headers={
                "Content-Type": "application/json", "X-Site-Signature": signature})
        except requests.RequestException as exc:
            raise LinkDown(f"the hub cannot be reached ({type(exc).__name__})") from None
        if answer.status_code != 200:
            raise LinkDown(f"the hub refused the exchange: {_error_text(answer)}")
        return answer.json()
