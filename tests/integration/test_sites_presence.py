"""At the hub, a site's candidates are connected as at the site, greyed while the site is cut off, and the
site's alerts are the hub's alerts (CONTRACT section 6)."""
from __future__ import annotations

import itertools
import time

import pytest
import requests
from sqlalchemy import select

from exam_server.clock import SystemClock
from exam_server.services import alerts
from exam_server.sites import envelope
from exam_server.sites.site import load_key
from exam_server.store import models
from tests.integration.conftest import make_services
from tests.integration.test_sites_ingest import hub_services  # noqa: F401  (fixture used by name)
from tests.integration.test_sites_link import candidate_at, hub_and_sites, hub_proctor, wait_until  # noqa: F401

# A bound on waiting for a site's change to reach the hub (an exchange or two, more on a loaded machine).
REACH_HUB_S = 15

pytestmark = pytest.mark.slow


def _alert_rows(services, session_id: int) -> list[tuple]:
    return [(a["attempt_id"], a["type"], a["category"], a["detail"], a["at"])
            for a in alerts.session_alerts(services, session_id)]


def _latest(proctor, attempt_id: int, since: int = 0) -> dict | None:
    views = [d for e, d in proctor.recorder.events[since:] if e == "candidate" and d["attempt_id"] == attempt_id]
    return views[-1] if views else None


def _update_after(proctor, since: int, attempt_id: int, where, message: str) -> dict:
    """A ``candidate`` update of the attempt received after ``since`` events, matching ``where``."""
    return wait_until(lambda: next((d for e, d in proctor.recorder.events[since:] if e == "candidate"
                                    and d["attempt_id"] == attempt_id and where(d)), None), REACH_HUB_S, message)


def test_presence_and_alerts_of_a_site_reach_the_hub(hub_and_sites):
    hub_cli, hub, halls, sessions, _codes = hub_and_sites
    a = halls["A"]
    session_a = sessions["A"]["session_id"]
    proctor = hub_proctor(hub)
    snapshot = proctor.call("watch", {"session_id": session_a})
    assert snapshot["ok"] and not any(c["connected"] for c in snapshot["candidates"])
    assert snapshot["site"]["site"] == "A" and snapshot["site"]["online"] is True

    ani = candidate_at(a, sessions["A"], "A-001", "sandi-a001")
    assert ani.call("start")["ok"]
    attempt_id = ani.call("state")["attempt_id"]
    proctor.recorder.wait_for("candidate", REACH_HUB_S, lambda c: c["attempt_id"] == attempt_id and c["connected"])
    watching = hub_proctor(hub)  # a proctor who comes later sees the same in the snapshot
    late = watching.call("watch", {"session_id": session_a})
    mine = next(c for c in late["candidates"] if c["attempt_id"] == attempt_id)
    assert mine["connected"] is True and mine["ever_connected"] is True and mine["last_heard"] is None
    watching.close()

    # An irregularity at the site is the same irregularity at the hub, shown to the hub's proctors.
    assert ani.call("report", {"type": "focus_lost", "detail": "alt-tab"})["ok"]
    shown = proctor.recorder.wait_for("alert", REACH_HUB_S, lambda al: al["attempt_id"] == attempt_id)
    assert shown["type"] == "focus_lost" and shown["session_id"] == session_a
    site_services = a.services()
    hub_services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    try:
        wait_until(lambda: _alert_rows(hub_services, session_a) == _alert_rows(site_services, session_a) != [], REACH_HUB_S,
                   "the hub's alerts differ from the site's")

        # The kiosk leaves: not connected at the hub either, and said when.
        seen = len(proctor.recorder.events)
        ani.close()
        gone = _update_after(proctor, seen, attempt_id, lambda c: not c["connected"],
                             "the candidate who left still shows connected at the hub")
        assert gone["ever_connected"] is True and gone["last_heard"]

        # Back in, then the link is cut: the hub says not connected, last heard when the site was last heard.
        seen = len(proctor.recorder.events)
        ani = candidate_at(a, sessions["A"], "A-001", "sandi-a001")
        _update_after(proctor, seen, attempt_id, lambda c: c["connected"] and c["last_heard"] is None,
                      "the candidate back in did not show connected")
        seen = len(proctor.recorder.events)
        a.relay.cut()
        off = proctor.recorder.wait_for("site", 10, lambda s: s["site"] == "A" and not s["online"])
        cut = _update_after(proctor, seen, attempt_id, lambda c: not c["connected"],
                            "the hub still shows the candidate of a cut site as connected")
        assert cut["last_heard"] == off["last_seen"]
        assert ani.call("report", {"type": "fullscreen_exit", "detail": ""})["ok"]  # the hall goes on
        again = hub_proctor(hub).call("watch", {"session_id": session_a})
        assert again["site"]["online"] is False
        assert next(c for c in again["candidates"] if c["attempt_id"] == attempt_id)["connected"] is False

        # Restored: connected again, and the alert raised during the cut arrives once.
        seen = len(proctor.recorder.events)
        a.relay.restore()
        proctor.recorder.wait_for("site", 10, lambda s: s["site"] == "A" and s["online"])
        wait_until(lambda: (_latest(proctor, attempt_id, seen) or {}).get("connected"), REACH_HUB_S,
                   "the candidate did not show connected again once the site was back")
        wait_until(lambda: _alert_rows(hub_services, session_a) == _alert_rows(site_services, session_a), REACH_HUB_S,
                   "the alert raised during the cut did not reach the hub")
        time.sleep(1.0)  # several exchanges later: nothing stored twice
        assert _alert_rows(hub_services, session_a) == _alert_rows(site_services, session_a)
        assert [t for _a, t, *_ in _alert_rows(hub_services, session_a)] == ["focus_lost", "fullscreen_exit"]
    finally:
        site_services.close()
        hub_services.close()
        ani.close()
        proctor.close()


_NONCES = itertools.count(10 ** 9)


def _exchange_as(site, hub_url: str, body: dict) -> requests.Response:
    """A message signed with a site's own key, as a hostile site's server could send it."""
    services = site.services()
    key = load_key(services.settings)
    services.close()
    nonce = next(_NONCES) + time.time_ns() // 1000  # above the site's own nonces, never repeated
    raw, signature = envelope.seal(key, site.code, nonce, int(time.time() * 1000), body)
    return requests.post(hub_url + "/api/v1/link/exchange", data=raw, timeout=10,
                         headers={"Content-Type": "application/json", "X-Site-Signature": signature})


def test_a_hostile_site_cannot_mark_another_sites_candidate_connected(hub_and_sites):
    hub_cli, hub, halls, sessions, _codes = hub_and_sites
    b = halls["B"]
    b.server.stop()  # site B's key in another's hands: its own server is quiet
    proctor = hub_proctor(hub)
    snapshot = proctor.call("watch", {"session_id": sessions["A"]["session_id"]})
    victims = [c["attempt_id"] for c in snapshot["candidates"]]
    answer = _exchange_as(b, hub.url, {"presence": {"full": True, "on": victims, "off": []},
                                       "alerts": [{"id": 10 ** 6, "session_id": sessions["A"]["session_id"],
                                                   "attempt_id": victims[0], "at": 1, "type": "focus_lost",
                                                   "category": "candidate", "detail": "palsu"}]})
    assert answer.status_code == 200, answer.text
    for hostile in ({"full": True, "on": [True]}, {"full": "yes"}, {"on": list(range(1, 6000))},
                    {"on": [2 ** 60]}, [1, 2]):
        refused = _exchange_as(b, hub.url, {"presence": hostile})
        assert refused.status_code == 400, hostile
    hub_services = make_services(hub_cli.data_dir, hub_cli.database_url, SystemClock())
    try:
        with hub_services.db.reading() as session:
            assert session.scalars(select(models.SitePresence)).all() == []
        assert alerts.session_alerts(hub_services, sessions["A"]["session_id"]) == []
    finally:
        hub_services.close()
    again = proctor.call("watch", {"session_id": sessions["A"]["session_id"]})
    assert not any(c["connected"] for c in again["candidates"])
    proctor.close()


def test_alerts_and_presence_are_taken_once_and_only_for_the_sites_own_sessions(hub_services):
    from exam_server.errors import BadInput
    from exam_server.services import sessions as session_service
    from exam_server.sites import hub

    hub.add_site(hub_services, "B", "Aula B")
    mine = session_service.create_session(hub_services, "UJI-1", "Sesi A", b"participant_number,name\nA-1,Ani\n",
                                          seed=5, site="A")
    theirs = session_service.create_session(hub_services, "UJI-1", "Sesi B", b"participant_number,name\nB-1,Bayu\n",
                                            seed=5, site="B")
    with hub_services.db.reading() as session:
        ani, bayu = (session.scalar(select(models.Attempt.id).where(models.Attempt.session_id == s["session_id"]))
                     for s in (mine, theirs))
    good = {"id": 7, "session_id": mine["session_id"], "attempt_id": ani, "at": 5, "type": "focus_lost",
            "category": "candidate", "detail": "alt-tab"}
    hostile = [{**good, "id": 3},  # at or below what was taken already: ignored
               {**good, "id": 8, "session_id": theirs["session_id"], "attempt_id": bayu},  # another site's
               {**good, "id": 9, "attempt_id": bayu},  # another session's attempt
               {**good, "id": 10, "attempt_id": True},
               {**good, "id": 11, "category": "made-up"},
               {**good, "id": 12, "detail": "x" * 5000}]
    body = {"alerts": [good], "presence": {"full": True, "on": [ani, bayu], "off": []}}
    answer, changed = hub.exchange(hub_services, "A", body)
    assert answer["alerts_acked"] == 7 and len(answer["new_alerts"]) == 1 and changed == [ani]
    answer, changed = hub.exchange(hub_services, "A", body)  # a retry stores nothing again
    assert answer["new_alerts"] == [] and changed == []
    answer, _ = hub.exchange(hub_services, "A", {"alerts": hostile})
    assert answer["alerts_acked"] == 12 and answer["new_alerts"] == []
    assert [(a["attempt_id"], a["type"]) for a in alerts.session_alerts(hub_services, mine["session_id"])] == \
        [(ani, "focus_lost")]
    assert alerts.session_alerts(hub_services, theirs["session_id"]) == []
    with hub_services.db.reading() as session:
        assert {(p.attempt_id, p.connected) for p in session.scalars(select(models.SitePresence))} == {(ani, True)}
    _, changed = hub.exchange(hub_services, "A", {"presence": {"full": False, "on": [], "off": [ani]}})
    assert changed == [ani]
    for bad in ({"alerts": "x"}, {"alerts": [good] * 201}, {"presence": {"on": [-1]}}, {"presence": {"off": [1.5]}}):
        with pytest.raises(BadInput):
            hub.exchange(hub_services, "A", bad)
