"""What the writer and the feed keep per attempt stays bounded: the entries inserted first go first."""
from __future__ import annotations

from exam_server.services.answer_writer import forget_oldest


def test_the_oldest_entries_go_once_the_limit_is_passed_and_a_refreshed_one_stays():
    kept = {attempt_id: f"columns of {attempt_id}" for attempt_id in range(1, 6)}
    kept.pop(2)
    kept[2] = "newer columns of 2"  # refreshed: now the newest
    forget_oldest(kept, 3)
    assert list(kept) == [4, 5, 2] and kept[2] == "newer columns of 2"
    forget_oldest(kept, 10)
    assert list(kept) == [4, 5, 2]
