"""Link messages are refused when unsigned by the enrolled key, altered, replayed, stale or malformed."""
import json

import pytest

from exam_server.sites import envelope, outbox
from exam_server.sites.envelope import Refused

NOW = 1_800_000_000_000


def signed(key, nonce=NOW * 1000, ts=NOW, body=None, site="A"):
    return envelope.seal(key, site, nonce, ts, body or {"events": []})


def test_a_good_message_opens():
    key = envelope.new_private_key()
    raw, signature = signed(key)
    message = envelope.open_message(raw, signature, envelope.public_hex(key), last_nonce=0, now_ms=NOW)
    assert (message.site, message.body) == ("A", {"events": []})


def test_an_altered_body_is_refused():
    key = envelope.new_private_key()
    raw, signature = signed(key, body={"events": [{"position": 1}]})
    altered = raw.replace(b'"position":1', b'"position":2')
    with pytest.raises(Refused) as refused:
        envelope.open_message(altered, signature, envelope.public_hex(key), last_nonce=0, now_ms=NOW)
    assert refused.value.code == "bad_signature"


def test_another_key_is_refused():
    raw, signature = signed(envelope.new_private_key())
    with pytest.raises(Refused) as refused:
        envelope.open_message(raw, signature, envelope.public_hex(envelope.new_private_key()), last_nonce=0, now_ms=NOW)
    assert refused.value.code == "bad_signature"


def test_a_site_without_a_key_is_not_enrolled():
    raw, signature = signed(envelope.new_private_key())
    with pytest.raises(Refused) as refused:
        envelope.open_message(raw, signature, "", last_nonce=0, now_ms=NOW)
    assert refused.value.code == "not_enrolled"


def test_a_replayed_or_older_nonce_is_refused():
    key = envelope.new_private_key()
    raw, signature = signed(key, nonce=500)
    for last in (500, 501):
        with pytest.raises(Refused) as refused:
            envelope.open_message(raw, signature, envelope.public_hex(key), last_nonce=last, now_ms=NOW)
        assert refused.value.code == "replayed"


def test_a_message_outside_the_time_window_is_refused():
    key = envelope.new_private_key()
    raw, signature = signed(key, ts=NOW - envelope.WINDOW_MS - 1)
    with pytest.raises(Refused) as refused:
        envelope.open_message(raw, signature, envelope.public_hex(key), last_nonce=0, now_ms=NOW)
    assert refused.value.code == "stale"


@pytest.mark.parametrize("raw", [
    b"not json", b"[]", b'{"site":"A","nonce":1,"ts":1}', b'{"site":"A","site":"B","nonce":1,"ts":1,"body":{}}',
    b'{"site":"","nonce":1,"ts":1,"body":{}}', b'{"site":"A","nonce":true,"ts":1,"body":{}}',
    b'{"site":"A","nonce":1,"ts":1,"body":[]}', b'{"site":"A","nonce":-1,"ts":1,"body":{}}',
    b"x" * (envelope.MAX_MESSAGE_BYTES + 1),
])
def test_malformed_messages_are_refused(raw):
    with pytest.raises(Refused):
        envelope.open_message(raw, "00", "00" * 32, last_nonce=0, now_ms=NOW)


def test_nonces_rise_across_restarts():
    first = envelope.next_nonce(0, NOW)
    assert envelope.next_nonce(first, NOW) == first + 1
    assert envelope.next_nonce(0, NOW + 1) > first + 1  # a restart a millisecond later starts above


def test_canonical_json_is_sorted_and_compact():
    assert envelope.canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_outbox_in_order_stops_at_a_gap():
    assert outbox.in_order([3, 4, 6, 2, 1], after=1) == [2, 3, 4]
    assert outbox.in_order([5], after=3) == []


def test_batches_are_bounded_and_larger_when_catching_up():
    assert outbox.batch_limit(10) == 200
    assert outbox.batch_limit(100_000) == 500


def test_staging_only_in_a_sites_session():
    class Session:
        info = {}

    class Attempt:
        status, duration_ms, started_at, extension_ms, paused_ms = "in_progress", 1, 2, 0, 0
        paused_since = deadline_at = ended_at = None
        violations = login_generation = 0

    row = {"attempt_id": 1, "number": 1, "at": 5, "kind": "answer", "data_json": "{}", "prev_hash": "0", "hash": "1"}
    outbox.stage(Session(), Attempt(), row)
    assert "exam_server.pending_outbox" not in Session.info
    Session.info = {outbox.OUTBOX_FLAG: True}
    outbox.stage(Session(), Attempt(), row)
    staged = Session.info["exam_server.pending_outbox"][0]
    assert json.loads(staged["state_json"])["status"] == "in_progress"


def test_a_repeated_key_anywhere_in_the_message_is_refused():
    raw = b'{"body":{"events":[{"position":1,"position":2}]},"nonce":1,"site":"A","ts":1}'
    with pytest.raises(Refused) as refused:
        envelope.read(raw)
    assert refused.value.code == "bad_request"


def test_the_signature_is_checked_over_the_bytes_received_not_over_what_was_read():
    key = envelope.new_private_key()
    raw, signature = signed(key, body={"events": [1]})
    message = envelope.read(raw)
    envelope.check(message, raw, signature, envelope.public_hex(key), last_nonce=0, now_ms=NOW)
    spaced = raw.replace(b'"events":[1]', b'"events": [1]')  # reads the same, signed bytes differ
    assert envelope.read(spaced) == message
    with pytest.raises(Refused) as refused:
        envelope.check(message, spaced, signature, envelope.public_hex(key), last_nonce=0, now_ms=NOW)
    assert refused.value.code == "bad_signature"
