"""Acknowledgements with JSON encoded ahead go out byte for byte as if encoded whole."""
from __future__ import annotations

import json

import pytest
from socketio import packet

from exam_server.realtime.packets import CheckedPacket, RawJSON

FORM = [{"position": 1, "section": "Tes Wawasan Kebangsaan", "stem": "Pancasila ialah … \"dasar\" <b>negara</b>",
         "options": [{"key": "A", "text": "Benar"}, {"key": "B", "text": "Salah"}]}]


def encoded(data) -> str:
    return CheckedPacket(packet.ACK, data=data, namespace="/candidate", id=7).encode()


def test_an_acknowledgement_with_raw_json_is_the_packet_of_the_same_data_encoded_whole():
    raw = RawJSON(json.dumps(FORM, separators=(",", ":")))
    with_raw = encoded([{"ok": True, "items": raw}])
    assert with_raw == encoded([{"ok": True, "items": FORM}])
    assert with_raw.startswith("3/candidate,7[")
    assert json.loads(with_raw[len("3/candidate,7"):]) == [{"ok": True, "items": FORM}]


def test_raw_json_anywhere_else_fails_loudly_instead_of_going_out_quoted():
    with pytest.raises(TypeError):
        CheckedPacket(packet.EVENT, data=["form", {"items": RawJSON("[]")}], namespace="/candidate").encode()
    with pytest.raises(TypeError):
        json.dumps({"items": RawJSON("[]")})
