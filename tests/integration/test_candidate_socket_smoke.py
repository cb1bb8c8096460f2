from tests.integration.sockets import logged_in_candidate


def test_a_candidate_starts_answers_and_submits_over_the_socket(live):
    candidate = logged_in_candidate(live, "P-002")
    assert candidate.call("start")["ok"] is True
    state = candidate.call("state")
    assert state["ok"] and state["items"] == 6 and state["status"] == "in_progress"
    form = candidate.call("form")
    assert len(form["items"]) == 6
    ack = candidate.call("answer", {"position": 1, "choice": "B", "seq": 1})
    assert ack == {"ok": True, "position": 1, "seq": 1, "saved": True}
    assert candidate.call("submit")["status"] == "submitted"
    candidate.close()
