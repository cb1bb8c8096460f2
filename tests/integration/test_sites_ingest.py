"""The hub applies a site's events once whatever the retries, and holds back a result the site got wrong."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from exam_server.clock import SystemClock
from exam_server.errors import Conflict
from exam_server.services import banks, exams, publishing, results, sessions
from exam_server.sites import hub
from exam_server.sites.role import choose_role
from exam_server.store import models
from tests.integration.conftest import make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK


@pytest.fixture
def hub_services(tmp_path, database_url):
    (tmp_path / "hub").mkdir()
    choose_role(tmp_path / "hub", "hub")
    services = make_services(tmp_path / "hub", database_url, SystemClock())
    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    hub.add_site(services, "A", "Aula")
    yield services
    services.close()


def event(position, attempt_id, number, kind, data, status, at=1_000):
    state = {"status": status, "duration_ms": 1_800_000, "started_at": 1_000, "extension_ms": 0, "paused_ms": 0,
             "paused_since": None, "deadline_at": 1_801_000, "ended_at": at if status == "submitted" else None,
             "violations": 0, "login_generation": 0}
    return {"position": position, "attempt_id": attempt_id, "number": number, "at": at, "kind": kind,
            "data_json": json.dumps(data), "prev_hash": f"h{number - 1}", "hash": f"h{number}",
            "state_json": json.dumps(state)}


def test_events_apply_once_and_a_wrong_site_result_is_held_back(hub_services):
    opened = sessions.create_session(hub_services, "UJI-1", "Sesi A", b"participant_number,name\nA-1,Ani\n",
                                     seed=5, site="A")
    with hub_services.db.reading() as session:
        attempt_id = session.scalar(select(models.Attempt.id).where(models.Attempt.session_id == opened["session_id"]))
    events = [
        event(1, attempt_id, 1, "start", {}, "in_progress"),
        event(2, attempt_id, 2, "answer", {"position": 1, "choice": "A", "seq": 1}, "in_progress"),
        event(3, attempt_id, 3, "answer", {"position": 2, "choice": "B", "seq": 1}, "in_progress"),
        event(4, attempt_id, 4, "end", {"status": "submitted", "by": "candidate"}, "submitted", at=2_000),
    ]
    claimed = {"total": "999.00", "passed": True, "status": "submitted", "sections": []}
    body = {"events": events[:2], "backlog": 4}
    answer, changed = hub.exchange(hub_services, "A", body)
    assert answer["acked"] == 2 and changed == [attempt_id]  # each attempt once, however many of its events
    assert len(answer["sessions"]) == 1  # the session goes down with the first exchange
    # A retry of the same batch, and a batch with a gap, change nothing.
    assert hub.exchange(hub_services, "A", body)[0]["acked"] == 2
    assert hub.exchange(hub_services, "A", {"events": events[3:], "backlog": 2})[0]["acked"] == 2
    answer, _ = hub.exchange(hub_services, "A", {"events": events[1:], "results": {str(attempt_id): claimed},
                                                 "backlog": 3, "have_sessions": [opened["session_id"]]})
    assert answer["acked"] == 4 and answer["sessions"] == []
    with hub_services.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(models.AttemptEvent)
                              .where(models.AttemptEvent.attempt_id == attempt_id)) == 4
        assert session.get(models.Attempt, attempt_id).status == "submitted"
    document = results.session_results(hub_services, opened["session_id"])["results"][0]
    assert document["mismatch"] is True and document["total"] != "999.00"
    with pytest.raises(Conflict):
        publishing.publish(hub_services, opened["session_id"])
    hub.resolve_mismatch(hub_services, attempt_id, "kunci di hub benar / the hub's key is right")
    assert "mismatch" not in results.session_results(hub_services, opened["session_id"])["results"][0]
    assert publishing.publish(hub_services, opened["session_id"])["signed"] == 1


def test_another_sites_attempt_is_never_touched(hub_services):
    hub.add_site(hub_services, "B", "Aula B")
    opened = sessions.create_session(hub_services, "UJI-1", "Sesi A", b"participant_number,name\nA-1,Ani\n",
                                     seed=5, site="A")
    with hub_services.db.reading() as session:
        attempt_id = session.scalar(select(models.Attempt.id).where(models.Attempt.session_id == opened["session_id"]))
    answer, changed = hub.exchange(hub_services, "B", {"events": [event(1, attempt_id, 1, "start", {}, "in_progress")]})
    assert answer["acked"] == 1 and changed == [] and answer["sessions"] == []
    with hub_services.db.reading() as session:
        assert session.get(models.Attempt, attempt_id).status == "not_started"


def test_hostile_values_are_acknowledged_and_never_stored(hub_services):
    opened = sessions.create_session(hub_services, "UJI-1", "Sesi A", b"participant_number,name\nA-1,Ani\n",
                                     seed=5, site="A")
    with hub_services.db.reading() as session:
        attempt_id = session.scalar(select(models.Attempt.id).where(models.Attempt.session_id == opened["session_id"]))
    huge = event(1, attempt_id, 1, "start", {}, "in_progress", at=2 ** 63)
    long = {**event(2, attempt_id, 1, "report", {}, "in_progress"), "data_json": json.dumps({"x": "y" * 20_000})}
    odd = event(3, attempt_id, 1, "answer", {"position": 10 ** 30, "choice": "Z", "seq": -1}, "in_progress")
    answer, _ = hub.exchange(hub_services, "A", {"events": [huge, long, odd], "backlog": 10 ** 30,
                                                 "outcomes": [{"id": 10 ** 30}, "x"], "have_sessions": ["x"]})
    assert answer["acked"] == 3
    with hub_services.db.reading() as session:
        attempt = session.get(models.Attempt, attempt_id)
        assert attempt.event_count == 1 and attempt.answered_count == 0
        assert session.scalar(select(models.Site.backlog).where(models.Site.code == "A")) < 2 ** 53
    with pytest.raises(Exception):
        hub.exchange(hub_services, "A", {"events": [{"position": True}]})
