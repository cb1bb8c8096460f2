"""kill -9 of the server while a hall answers loses no acknowledged answer, and everyone carries on."""
from __future__ import annotations

import asyncio
import random
import time

import aiohttp
import pytest
import socketio
from sqlalchemy import select

from exam_server.clock import SystemClock
from exam_server.store import models
from tests.integration.conftest import ServerProcess, make_services
from tests.integration.helpers import BLUEPRINT, GIFT_BANK

pytestmark = pytest.mark.slow

CANDIDATES = 200
ITEMS = 6


def prepare_hall(exam_cli) -> dict:
    from exam_server.services import banks, exams, sessions

    roster = "participant_number,name,password\n" + "".join(
        f"H-{i:03d},Peserta {i},sandi-{i:03d}\n" for i in range(CANDIDATES))
    services = make_services(exam_cli.data_dir, exam_cli.database_url, SystemClock())
    try:
        banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
        exams.create_exam(services, BLUEPRINT)
        return sessions.create_session(services, "UJI-1", "Aula", roster.encode(), seed=3)
    finally:
        services.close()


class SimulatedCandidate:
    """Answers at random like a person, keeps what is not yet acknowledged and resends it, as the kiosk does."""

    def __init__(self, url: str, token: str, rng: random.Random):
        self.url, self.token, self.rng = url, token, rng
        self.client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.seq = 0
        self.acked: dict[int, tuple[int, str]] = {}  # position -> (seq, choice) of the newest acknowledged answer
        self.unacked: dict[int, tuple[int, str]] = {}
        self.reconnected = 0
        self.client.on("connect", self._on_connect, namespace="/candidate")

    async def _on_connect(self):
        self.reconnected += 1

    async def run(self, stop: asyncio.Event) -> None:
        await self.client.connect(self.url, namespaces=["/candidate"], transports=["websocket"],
                                  auth={"token": self.token}, wait_timeout=20)
        await self.client.call("start", {}, namespace="/candidate", timeout=20)
        while not stop.is_set():
            if not self.unacked:
                self.seq += 1
                self.unacked[self.rng.randint(1, ITEMS)] = (self.seq, self.rng.choice("ABC"))
            for position, (seq, choice) in list(self.unacked.items()):
                try:
                    ack = await self.client.call("answer", {"position": position, "choice": choice, "seq": seq},
                                                 namespace="/candidate", timeout=2)
                except Exception:  # disconnected or timed out: kept, sent again later
                    break
                if ack.get("ok"):
                    self.unacked.pop(position, None)
                    if not ack.get("stale"):
                        self.acked[position] = (seq, choice)
            await asyncio.sleep(self.rng.uniform(0.02, 0.15))
        await self.client.disconnect()


async def login_all(url: str, session_token: str) -> list[str]:
    async with aiohttp.ClientSession() as http:
        async def one(i):
            async with http.post(f"{url}/api/v1/candidate/login", json={
                    "session_token": session_token, "participant_number": f"H-{i:03d}", "password": f"sandi-{i:03d}"}) as r:
                assert r.status == 200, await r.text()
                return (await r.json())["token"]
        return list(await asyncio.gather(*(one(i) for i in range(CANDIDATES))))


def stored_answers(exam_cli) -> dict[tuple[str, int], tuple[int, str]]:
    services = make_services(exam_cli.data_dir, exam_cli.database_url, SystemClock())
    try:
        with services.db.reading() as session:
            rows = session.execute(select(models.Candidate.participant_number, models.Response)
                                   .join(models.Attempt, models.Attempt.candidate_id == models.Candidate.id)
                                   .join(models.Response, models.Response.attempt_id == models.Attempt.id)).all()
            return {(number, r.position): (r.seq, r.choice) for number, r in rows if r.answered_at is not None}
    finally:
        services.close()


def assert_nothing_acknowledged_is_lost(candidates, stored):
    lost = []
    for i, candidate in enumerate(candidates):
        for position, (seq, choice) in candidate.acked.items():
            kept = stored.get((f"H-{i:03d}", position))
            if kept is None or kept[0] < seq or (kept[0] == seq and kept[1] != choice):
                lost.append((i, position, seq, choice, kept))
    assert lost == [], f"{len(lost)} acknowledged answers lost, e.g. {lost[:5]}"


def run_in_own_loop(scenario):
    """asyncio in a thread of its own: the browser tests' driver may hold this thread's loop."""
    import threading

    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_kill_minus_nine_mid_exam_loses_no_acknowledged_answer(exam_cli, tmp_path, database_url):
    opened = prepare_hall(exam_cli)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    rng = random.Random(2026)

    async def scenario():
        tokens = await login_all(server.url, opened["session_token"])
        candidates = [SimulatedCandidate(server.url, t, random.Random(rng.random())) for t in tokens]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(c.run(stop)) for c in candidates]
        await asyncio.sleep(rng.uniform(2.0, 4.0))
        hall_answering = time.monotonic() + 30  # a loaded machine answers slower: wait for the hall, not a clock
        while sum(len(c.acked) for c in candidates) <= CANDIDATES and time.monotonic() < hall_answering:
            await asyncio.sleep(0.1)
        acked_before = sum(len(c.acked) for c in candidates)
        server.kill()  # no warning, no clean-up
        killed_at = time.monotonic()
        await asyncio.sleep(1.0)
        mid = stored_answers(exam_cli)
        assert_nothing_acknowledged_is_lost(candidates, mid)
        server.start()
        restarted_for = time.monotonic() - killed_at
        deadline = time.monotonic() + 20  # everyone reconnects by themselves, with backoff...
        while time.monotonic() < deadline and any(c.reconnected < 2 for c in candidates):
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.5)  # ...and carries on answering
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        return candidates, acked_before, restarted_for

    try:
        candidates, acked_before, _ = run_in_own_loop(scenario)
        stored = stored_answers(exam_cli)
    finally:
        server.stop()
    assert acked_before > CANDIDATES  # the hall was really answering when the server died
    assert_nothing_acknowledged_is_lost(candidates, stored)
    not_back = [i for i, c in enumerate(candidates) if c.reconnected < 2]
    assert not_back == [], f"{len(not_back)} candidates did not reconnect after the restart"
    assert sum(1 for c in candidates if not c.unacked) >= CANDIDATES * 0.95  # queued answers were delivered
