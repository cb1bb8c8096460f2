"""A site deletes what the hub acknowledged once it is old enough, and never an event the hub has not acknowledged."""
from __future__ import annotations

from sqlalchemy import func, select, update

from exam_server.clock import FixedClock
from exam_server.sites.pruning import prune_outbox
from exam_server.sites.role import choose_role
from exam_server.store import models
from tests.integration.conftest import make_services

MINUTE = 60_000
T0 = 1_800_000_000_000


def add_events(services, count: int, at: int) -> None:
    rows = [{"attempt_id": 1, "number": n, "at": at, "kind": "answer", "data_json": "{}", "prev_hash": "",
             "hash": f"h{n}", "state_json": "{}"} for n in range(count)]
    with services.db.unit_of_work() as session:
        session.connection().execute(models.OutboxEvent.__table__.insert(), rows)


def acknowledge(services, position: int) -> None:
    with services.db.unit_of_work() as session:
        session.execute(update(models.LinkState).values(acked_position=position))


def positions(services) -> tuple[int, int, int]:
    with services.db.reading() as session:
        column = models.OutboxEvent.position
        return session.execute(select(func.count(), func.min(column), func.max(column))).one()


def test_acknowledged_rows_go_when_old_and_unacknowledged_rows_never(tmp_path, database_url):
    data = tmp_path / "site"
    data.mkdir()
    choose_role(data, "site")
    clock = FixedClock(T0)
    services = make_services(data, database_url, clock)
    with services.db.unit_of_work() as session:
        session.add(models.LinkState(id=1, site_code="A", hub_url="http://hub", acked_position=0, last_nonce=0))
    add_events(services, 600, T0)
    add_events(services, 600, T0 + 60 * MINUTE)
    keep = 60 * MINUTE

    clock.advance(10 * 60 * MINUTE)
    assert prune_outbox(services, keep) == 0  # old, but nothing acknowledged yet
    acknowledge(services, 1000)
    clock.advance(T0 + 90 * MINUTE - clock.now_ms())
    rounds = []
    assert prune_outbox(services, keep, batch=250, between=lambda: rounds.append(1)) == 600
    assert len(rounds) == 2  # 250 + 250 + 100, one short transaction each
    assert positions(services) == (600, 601, 1200)  # acknowledged but young, and not acknowledged: kept

    clock.advance(10 * 60 * MINUTE)
    assert prune_outbox(services, keep) == 400
    assert positions(services) == (200, 1001, 1200)  # old, never acknowledged: kept whatever their age

    acknowledge(services, 1200)
    assert prune_outbox(services, keep) == 199
    assert positions(services) == (1, 1200, 1200)  # the newest row stays: positions never start over

    # A restart: the next event still follows what the hub holds, and is kept until acknowledged.
    services.close()
    services = make_services(data, database_url, clock)
    add_events(services, 1, clock.now_ms())
    assert positions(services) == (2, 1200, 1201)
    clock.advance(10 * 60 * MINUTE)
    assert prune_outbox(services, keep) == 1
    assert positions(services) == (1, 1201, 1201)
    assert prune_outbox(services, 0) == 0
    services.close()


def test_a_rolled_back_write_leaves_no_gap_in_the_outbox(tmp_path, database_url):
    """The hub applies a site's events in order and waits at a gap: a failed group must not leave one."""
    from types import SimpleNamespace

    from exam_server.sites import outbox

    data = tmp_path / "site"
    data.mkdir()
    choose_role(data, "site")
    services = make_services(data, database_url, FixedClock(T0))
    attempt = SimpleNamespace(**dict.fromkeys(outbox.STATE_FIELDS, 0))

    def store(*numbers, fail=False):
        with services.db.unit_of_work() as session:
            for number in numbers:
                outbox.stage(session, attempt, {"attempt_id": 1, "number": number, "at": T0, "kind": "answer",
                                                "data_json": "{}", "prev_hash": "", "hash": f"h{number}"})
            outbox.write_staged(session)
            if fail:
                raise RuntimeError("the group fails after its rows were inserted")

    store(1, 2)
    try:
        store(3, fail=True)
    except RuntimeError:
        pass
    store(3, 4)
    with services.db.reading() as session:
        rows = session.execute(select(models.OutboxEvent.position, models.OutboxEvent.number)
                               .order_by(models.OutboxEvent.position)).all()
    assert [tuple(row) for row in rows] == [(1, 1), (2, 2), (3, 3), (4, 4)]
