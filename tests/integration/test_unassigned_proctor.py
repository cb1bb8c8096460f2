"""A proctor an admin takes off a session stops seeing it within 2 s, and may no longer steer it."""
from __future__ import annotations

import time

import pytest

from tests.integration.sockets import Recorder, logged_in_candidate, logged_in_proctor
from tests.integration.test_admin_http import AdminBrowser, _accounts

pytestmark = pytest.mark.slow

CUT_SECONDS = 2.0  # the requirement: out of the session's room within 2 s of the unassignment


def _listen_for_unwatched(proctor) -> Recorder:
    heard = Recorder()
    proctor.client.on("unwatched", lambda data=None: heard("unwatched", data), namespace="/proctor")
    return heard


def _unassign(node, username: str) -> None:
    admin = AdminBrowser(node.url)
    assert admin.sign_in("admin", "sandi-admin-1").status_code == 303
    user_id = _accounts(admin)[username]
    answer = admin.submit("/admin/staff/assign", {"user_id": user_id, "session_id": node.session["session_id"],
                                                  "assigned": "0"})
    assert answer.status_code == 303
    admin.close()


def _session_events(recorder: Recorder, attempt_id: int, since: int) -> list:
    return [(name, data) for name, data in recorder.events[since:]
            if name in ("candidate", "alert") and data.get("attempt_id") == attempt_id]


def assert_cut_off(proctor_node, admin_node, candidate_node):
    """The proctor watches on one node, the admin unassigns on another, the candidate answers on a third."""
    sid = proctor_node.session["session_id"]
    proctor = logged_in_proctor(proctor_node)
    unwatched = _listen_for_unwatched(proctor)
    assert proctor.call("watch", {"session_id": sid})["ok"]
    overseer = logged_in_proctor(candidate_node, "admin")  # still watching: shows the events keep flowing
    assert overseer.call("watch", {"session_id": sid})["ok"]
    candidate = logged_in_candidate(candidate_node, "P-001")
    candidate.call("start")
    assert candidate.call("answer", {"position": 1, "choice": "A", "seq": 1})["saved"]
    attempt_id = proctor.recorder.wait_for("candidate", where=lambda c: c["answered"] == 1)["attempt_id"]

    _unassign(admin_node, "pengawas")
    assert unwatched.wait_for("unwatched", timeout=CUT_SECONDS) == {"session_id": sid, "reason": "unassigned"}
    seen_by_proctor, seen_by_overseer = len(proctor.recorder.events), len(overseer.recorder.events)
    for seq, position in enumerate(range(2, 5), start=2):
        assert candidate.call("answer", {"position": position, "choice": "B", "seq": seq})["saved"]
    candidate.call("report", {"type": "focus_lost", "detail": "setelah pencabutan"})
    overseer.recorder.wait_for("candidate", where=lambda c: c["answered"] == 4)
    overseer.recorder.wait_for("alert", where=lambda a: a["detail"] == "setelah pencabutan")
    time.sleep(0.5)  # a few feed ticks more, for anything still on its way
    assert _session_events(overseer.recorder, attempt_id, seen_by_overseer)
    assert _session_events(proctor.recorder, attempt_id, seen_by_proctor) == []

    assert proctor.client.connected  # only the session is taken away, not the account
    for event, body in (("watch", {"session_id": sid}), ("pause", {"attempt_id": attempt_id}),
                        ("extend", {"attempt_id": attempt_id, "minutes": 5}),
                        ("announce", {"session_id": sid, "text": "masih di sini"})):
        refused = proctor.call(event, body)
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden", event
    for client in (proctor, overseer, candidate):
        client.close()


def test_an_unassigned_proctor_stops_receiving_the_session_within_two_seconds(live):
    assert_cut_off(live, live, live)
