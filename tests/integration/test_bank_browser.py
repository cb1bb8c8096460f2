"""The bank browser decrypts a page, never a bank: paging in SQL, searching in bounded chunks."""
from __future__ import annotations

import pytest

from exam_server.services import bank_browser, banks, retirement
from exam_server.services.bank_browser import Query, browse

pytestmark = pytest.mark.slow

ITEMS = 600


class CountingCipher:
    """The real cipher, counting how many items it opens."""

    def __init__(self, cipher):
        self.cipher, self.opened = cipher, 0

    def open_json(self, *args):
        self.opened += 1
        return self.cipher.open_json(*args)

    def __getattr__(self, name):
        return getattr(self.cipher, name)


def big_bank() -> bytes:
    parts = []
    for n in range(1, ITEMS + 1):
        category = "Ganjil" if n % 2 else "Genap"
        stem = "Soal istimewa bertanda zamrud" if n == 500 else f"Soal biasa nomor {n}"
        parts.append(f"$CATEGORY: {category}\n::S{n}:: {stem} {{=benar ~salah satu ~salah dua}}\n")
    return "\n".join(parts).encode()


@pytest.fixture
def counted(services):
    banks.import_bank(services, big_bank(), "besar.gift", bank_code="besar")
    services._cipher = CountingCipher(services.cipher)
    return services


def test_a_page_decrypts_only_its_items_and_pages_on_by_ordinal(counted):
    first = browse(counted, "besar", 1, Query())
    assert [i["title"] for i in first["items"]] == [f"S{n}" for n in range(1, 21)]
    assert counted.cipher.opened == 20 and first["item_count"] == ITEMS
    counted.cipher.opened = 0
    later = browse(counted, "besar", 1, Query(category="Genap", after=first["next_after"]))
    assert [i["title"] for i in later["items"]] == [f"S{n}" for n in range(22, 62, 2)]
    assert counted.cipher.opened == 20
    last = browse(counted, "besar", 1, Query(after=ITEMS - 5))
    assert len(last["items"]) == 5 and last["next_after"] is None


def test_a_text_search_stops_at_its_limit_and_goes_on_from_there(counted, monkeypatch):
    monkeypatch.setattr(bank_browser, "SCAN_LIMIT", 300)
    counted.cipher.opened = 0
    first = browse(counted, "besar", 1, Query(text="ZAMRUD"))
    assert first["items"] == [] and first["scanned"] == 300 and first["next_after"] == 300
    assert counted.cipher.opened == 300
    found = browse(counted, "besar", 1, Query(text="zamrud", after=first["next_after"]))
    assert [i["title"] for i in found["items"]] == ["S500"] and found["next_after"] is None
    assert found["scanned"] == 300


def test_retired_items_are_not_drawn_nor_counted_as_available(services, exam_session):
    from exam_server.errors import ExamError
    from exam_server.services import sessions
    from tests.integration.helpers import ROSTER

    page = browse(services, "umum", 1, Query(category="Dasar"))
    target = page["items"][0]["id"]
    retirement.retire_item(services, "umum", 1, target, "Gambar kabur")
    with pytest.raises(ExamError):
        retirement.retire_item(services, "umum", 1, target, "lagi")
    assert browse(services, "umum", 1, Query(item_id=target))["items"][0]["retired"]["reason"] == "Gambar kabur"
    opened = sessions.create_session(services, "UJI-1", "Sesi 2", ROSTER.encode(), seed=9)
    with services.db.reading() as session:
        from sqlalchemy import select

        from exam_server.store import models

        forms = session.scalars(select(models.Attempt.form_json)
                                .where(models.Attempt.session_id == opened["session_id"])).all()
    assert all(f'"item_id": {target},' not in form for form in forms)
    retirement.retire_item(services, "umum", 1, page["items"][1]["id"], "Kunci meragukan")
    with pytest.raises(ExamError) as short:  # 3 of 5 Dasar items left, the exam draws 4
        sessions.create_session(services, "UJI-1", "Sesi 3", ROSTER.encode(), seed=9)
    assert "holds 3" in short.value.message
