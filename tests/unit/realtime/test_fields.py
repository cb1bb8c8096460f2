"""Whole numbers from hostile payloads: the same rule for a socket's fields and a site's events."""
import pytest

from exam_server.errors import BadInput
from exam_server.realtime.fields import MAX_WHOLE, is_whole, whole_number


@pytest.mark.parametrize("value", [0, 1, MAX_WHOLE])
def test_whole_numbers_pass(value):
    assert is_whole(value) and whole_number({"n": value}, "n") == value


@pytest.mark.parametrize("value", [-1, MAX_WHOLE + 1, True, False, 1.0, "1", None, 10 ** 30])
def test_anything_else_is_not_whole(value):
    assert not is_whole(value)
    with pytest.raises(BadInput):
        whole_number({"n": value}, "n")
