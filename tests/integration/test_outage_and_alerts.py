"""Server outages are not charged to candidates; a candidate's own absence is raised to the proctor."""
from __future__ import annotations

from dataclasses import replace

from exam_server.services import alerts, answering, attempts, liveness
from tests.integration.test_attempt_rules import MINUTE, logged_in, started


def test_time_the_whole_server_was_down_is_given_back(services, exam_session, clock):
    liveness.heartbeat(services)
    running = started(services, exam_session, "P-001")
    paused_or_not_started = logged_in(services, exam_session, "P-002")
    clock.advance(10 * MINUTE)
    liveness.heartbeat(services)  # the last sign of life before the crash
    clock.advance(7 * MINUTE)  # nobody served during these seven minutes
    outcome = liveness.credit_outage(services)
    assert outcome == {"outage_ms": 7 * MINUTE, "attempts": [running]}
    assert attempts.state(services, running)["remaining_ms"] == 20 * MINUTE
    assert attempts.state(services, paused_or_not_started)["remaining_ms"] == 30 * MINUTE
    # A second node starting at the same moment gives nothing more.
    assert liveness.credit_outage(services)["attempts"] == []
    assert attempts.end_due_attempts(services) == []


def test_a_quick_restart_within_the_heartbeat_is_not_an_outage(services, exam_session, clock):
    liveness.heartbeat(services)
    running = started(services, exam_session, "P-001")
    clock.advance(liveness.OUTAGE_AFTER_MS)
    assert liveness.credit_outage(services)["attempts"] == []
    assert attempts.state(services, running)["remaining_ms"] == 30 * MINUTE - liveness.OUTAGE_AFTER_MS


def test_a_candidate_away_longer_than_the_set_time_is_raised_once(services, exam_session, clock):
    services.settings = replace(services.settings, disconnect_alert_seconds=60)
    login = attempts.login(services, exam_session["session_token"], "P-003", exam_session["passwords"]["P-003"])
    attempts.start(services, login["attempt_id"])
    attempts.connect(services, login["token"], "sid-1", "node")
    attempts.disconnect(services, login["attempt_id"], "sid-1")
    clock.advance(59_000)
    assert alerts.long_disconnections(services) == []
    clock.advance(2_000)
    raised = alerts.long_disconnections(services)
    assert [(a["attempt_id"], a["type"], a["category"]) for a in raised] == [(login["attempt_id"], "disconnected", "technical")]
    clock.advance(30_000)
    assert alerts.long_disconnections(services) == []  # the same gap is not raised again
    assert attempts.state(services, login["attempt_id"])["remaining_ms"] == 30 * MINUTE - 91_000  # the clock ran
    assert [a["type"] for a in alerts.session_alerts(services, exam_session["session_id"])] == ["disconnected"]


def test_an_idle_connected_candidate_is_raised(services, exam_session, clock):
    services.settings = replace(services.settings, idle_alert_minutes=10)
    login = attempts.login(services, exam_session["session_token"], "P-002", exam_session["passwords"]["P-002"])
    attempts.start(services, login["attempt_id"])
    attempts.connect(services, login["token"], "sid-9", "node")
    clock.advance(9 * MINUTE)
    assert alerts.idle_candidates(services) == []
    clock.advance(2 * MINUTE)
    assert [a["type"] for a in alerts.idle_candidates(services)] == ["idle"]
    assert alerts.idle_candidates(services) == []
    # An answer is activity: the clock of idleness starts again from it.
    clock.advance(MINUTE)
    assert answering.answer(services, login["attempt_id"], 1, None, 1)["position"] == 1
    clock.advance(9 * MINUTE)
    assert alerts.idle_candidates(services) == []
    clock.advance(2 * MINUTE)
    assert [a["type"] for a in alerts.idle_candidates(services)] == ["idle"]


def test_a_long_pause_ends_the_attempt_where_a_limit_is_set(services, exam_session, clock):
    from exam_server.services import proctoring, users

    services.settings = replace(services.settings, max_pause_minutes=15)
    running = started(services, exam_session, "P-001")
    users.add_user(services, "admin", "kepala", "sandi-kepala-1")
    actor = proctoring.Actor(users.staff_from_token(services, users.authenticate(services, "kepala", "sandi-kepala-1")["token"]))
    proctoring.pause(services, actor, {"attempt_id": running})
    clock.advance(15 * MINUTE)
    assert attempts.end_long_pauses(services) == []
    clock.advance(1)
    ended = attempts.end_long_pauses(services)
    assert [(e["attempt_id"], e["status"]) for e in ended] == [(running, "ended_by_proctor")]
