"""A result whose JSON repeats a key is not valid, at any depth (CONTRACT version 2, section 7)."""
from __future__ import annotations

import pytest

from exam_server.security.signing import RepeatedKey, load_strict, repeated_key


def test_a_result_without_repeated_keys_reads_as_json_reads_it():
    text = '{"total": "5.00", "sections": [{"name": "A", "points": "5.00"}], "passed": true}'
    assert load_strict(text) == {"total": "5.00", "sections": [{"name": "A", "points": "5.00"}], "passed": True}
    assert repeated_key(text) is None


@pytest.mark.parametrize("text", [
    '{"total": "99.00", "total": "5.00"}',
    '{"results": [{"sections": [{"points": "1.00", "name": "A", "points": "9.00"}]}]}',
    '{"a": {"b": 1}, "a": {"b": 1}}',  # the same value twice is refused too
])
def test_a_key_named_twice_in_any_object_is_refused(text):
    with pytest.raises(RepeatedKey, match="twice"):
        load_strict(text)
    assert "twice" in repeated_key(text)
