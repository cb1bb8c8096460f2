"""Numbers in socket payloads, checked at the edge (CONTRACT v2 section 7).

JSON numbers arrive as Python integers of any size. One beyond what the
database's 64-bit columns hold fails only at the commit, so every integer an
event accepts is checked here, before it reaches a service or the database:
a whole number from 0 to 2^53 (the largest a browser counts exactly), never
a boolean (``True`` is an ``int`` in Python).
"""
from __future__ import annotations

from exam_server.errors import BadInput

MAX_WHOLE = 2 ** 53


def is_whole(value) -> bool:
    """A whole number from 0 to 2^53, never a boolean: for values checked in bulk (a site's events)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_WHOLE


def whole_number(body: dict, name: str, *, required: bool = True) -> int | None:
    """``body[name]`` as a whole number from 0 to 2^53; ``None`` when absent and not required."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not is_whole(value):
        raise BadInput(f"{name} must be a whole number from 0 to 2^53")
    return value


def number(body: dict, name: str) -> int | float:
    """``body[name]`` as a finite number from 0 to 2^53 (fractions allowed), for amounts such as minutes."""
    value = body.get(name)
    # NaN fails every comparison and infinity the upper bound, so both are refused here too.
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= MAX_WHOLE:
        raise BadInput(f"{name} must be a number from 0 to 2^53")
    return value
