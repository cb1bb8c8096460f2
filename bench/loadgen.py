"""One load-generator process: many simulated candidates (and a proctor) on one asyncio loop.

The orchestrator (bench/scenarios.py) starts several of these and drives them
through a pipe with commands: ``setup``, ``proctor``, ``connect``,
``start_form``, ``hall``, ``storm``, ``rate_step``, ``flat_out``, ``close``. Each command
answers with one dict of raw measurements (latency lists in ms); percentiles
are computed by the orchestrator over all processes.

Latencies use this process's monotonic clock only. A proctor update delay is
measured here too, from the candidate's ack to the proctor's ``candidate``
event, so both ends of one measurement share one clock: every process runs
its own proctor and measures its own candidates only. Schedules shared across
processes (a start time, a storm's arrivals) use the wall clock.
"""
from __future__ import annotations

import asyncio
import collections
import os
import random
import time
import traceback

import aiohttp

from bench.sio import ConnectRefused, SioSocket, now_ms

LETTERS = "ABCDEFGHIJ"


class Candidate:
    __slots__ = ("number", "password", "attempt_id", "token", "sock", "seq", "position", "answered", "options",
                 "first_round")

    def __init__(self, spec: dict):
        self.number = spec["participant_number"]
        self.password = spec["password"]
        self.attempt_id = spec["attempt_id"]
        self.token = spec.get("token")
        self.sock: SioSocket | None = None
        self.seq = 0
        self.position = 1  # positions are answered in order, so the proctor's "answered" tells which answer it shows
        self.answered = 0
        self.options: list[int] = []
        self.first_round = True


class Worker:
    def __init__(self, conn, index: int, seed: int):
        self.conn = conn
        self.index = index
        self.rng = random.Random(seed)
        self.http: aiohttp.ClientSession | None = None
        self.url = ""
        self.kind = "ours"
        self.items = 60
        self.candidates: list[Candidate] = []
        self.mine: dict[int, Candidate] = {}
        self.proctor: SioSocket | None = None
        self.reset_measurements()

    def reset_measurements(self) -> None:
        self.ack_ms: list[float] = []
        self.timeline: dict[int, list] = {}  # whole second of the send (wall clock) -> [count, max ack ms]
        self.refusals: collections.Counter = collections.Counter()
        self.lost = 0  # sent, and the socket closed before its ack
        self.sent = 0
        self.delays: list[float] = []  # candidate's ack -> proctor's event
        self.delays_from_send: list[float] = []  # candidate's answer sent -> proctor's event
        self.early = 0  # the proctor had the change before the candidate had its ack (counted as 0)
        self.waiting: dict[int, collections.deque] = {}  # attempt -> (expected answered, ack time, send time)
        self.seen_answered: dict[int, tuple[int, float]] = {}  # attempt -> (highest answered seen, when)
        self.proctor_events = 0

    # --- the command loop ---

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None)
        self.http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None))
        try:
            while True:
                command = await loop.run_in_executor(None, self.conn.recv)
                name = command.pop("cmd")
                try:
                    result = await getattr(self, "cmd_" + name)(**command)
                except Exception as exc:
                    result = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
                self.conn.send(result)
                if name == "close":
                    break
        finally:
            await self.http.close()

    async def cmd_setup(self, url: str, kind: str, session_id: int, session_token: str, staff_token: str | None,
                        candidates: list[dict], items: int) -> dict:
        self.url, self.kind, self.items = url, kind, items
        self.session_id, self.session_token, self.staff_token = session_id, session_token, staff_token
        self.candidates = [Candidate(c) for c in candidates]
        self.mine = {c.attempt_id: c for c in self.candidates}
        return {"candidates": len(self.candidates)}

    async def cmd_close(self) -> dict:
        socks = [c.sock for c in self.candidates if c.sock is not None] + ([self.proctor] if self.proctor else [])
        for start in range(0, len(socks), 200):
            await asyncio.gather(*(s.close() for s in socks[start:start + 200]), return_exceptions=True)
        return {"closed": len(socks)}

    # --- proctor ---

    def on_proctor_event(self, name: str, data) -> None:
        if name != "candidate" or not isinstance(data, dict):
            return
        self.proctor_events += 1
        attempt_id = data.get("attempt_id")
        if attempt_id not in self.mine:
            return
        answered = data.get("answered") or 0
        now = now_ms()
        if answered > self.seen_answered.get(attempt_id, (0, 0.0))[0]:
            self.seen_answered[attempt_id] = (answered, now)
        queue = self.waiting.get(attempt_id)
        while queue and queue[0][0] <= answered:
            _, acked_at, sent_at = queue.popleft()
            self.delays.append(now - acked_at)
            self.delays_from_send.append(now - sent_at)

    async def cmd_proctor(self) -> dict:
        started = now_ms()
        self.proctor = SioSocket(self.http, self.url, "/proctor", on_event=self.on_proctor_event)
        await self.proctor.connect({"token": self.staff_token or "baseline"})
        snapshot = await self.proctor.call("watch", {"session_id": self.session_id}, timeout=120)
        if not snapshot.get("ok"):
            raise RuntimeError(f"watch refused: {snapshot}")
        return {"watch_ms": now_ms() - started, "snapshot_candidates": len(snapshot.get("candidates", []))}

    # --- connecting ---

    async def _paced(self, rate: float, work, items) -> list:
        """Run ``work(item)`` for every item, starting them at ``rate`` per second, at most 256 at a time."""
        gate = asyncio.Semaphore(256)
        begin = time.monotonic()

        async def one(k, item):
            delay = begin + k / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            async with gate:
                return await work(item)

        return await asyncio.gather(*(one(k, item) for k, item in enumerate(items)), return_exceptions=True)

    async def _connect(self, candidate: Candidate) -> float:
        started = now_ms()
        candidate.sock = SioSocket(self.http, self.url, "/candidate")
        await candidate.sock.connect({"token": candidate.token or "baseline"})
        return now_ms() - started

    async def cmd_connect(self, rate: float) -> dict:
        outcomes = await self._paced(rate, self._connect, self.candidates)
        return _outcomes(outcomes)

    async def _start_form(self, candidate: Candidate) -> float:
        started = now_ms()
        ack = await candidate.sock.call("start", {}, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"start refused: {ack.get('error')}")
        form = await candidate.sock.call("form", {}, timeout=30)
        if not form.get("ok") or not form.get("items"):
            raise RuntimeError(f"form refused: {form.get('error')}")
        candidate.options = [len(item["options"]) for item in form["items"]]
        return now_ms() - started

    async def cmd_start_form(self, rate: float) -> dict:
        outcomes = await self._paced(rate, self._start_form, [c for c in self.candidates if c.sock and not c.sock.closed])
        return _outcomes(outcomes)

    # --- answering ---

    async def answer(self, candidate: Candidate, then=None) -> None:
        """Send the candidate's next answer; ``then()``, if given, runs once its ack (or its loss) is in."""
        position = candidate.position
        count = candidate.options[position - 1] if position <= len(candidate.options) else 4
        choice = LETTERS[self.rng.randrange(count)]
        candidate.seq += 1
        fresh = candidate.first_round  # a position never answered before: "answered" goes up by one
        expected = position
        data = {"position": position, "choice": choice, "seq": candidate.seq}
        if self.kind == "baseline":  # the bare server forwards the answer itself to the proctors
            data["attempt_id"] = candidate.attempt_id
            data["answered"] = expected if fresh else self.items
        sent_at = now_ms()
        second = int(time.time())
        attempt_id = candidate.attempt_id

        def on_ack(ack):
            if then is not None:
                then()
            now = now_ms()
            if ack is None:
                self.lost += 1
                return
            if not ack.get("ok"):
                self.refusals[(ack.get("error") or {}).get("code", "?")] += 1
                return
            latency = now - sent_at
            self.ack_ms.append(latency)
            slot = self.timeline.get(second)
            if slot is None:
                self.timeline[second] = [1, latency]
            else:
                slot[0] += 1
                if latency > slot[1]:
                    slot[1] = latency
            if fresh and not ack.get("stale"):
                seen, seen_at = self.seen_answered.get(attempt_id, (0, 0.0))
                if seen >= expected:
                    self.early += 1
                    self.delays.append(0.0)
                    self.delays_from_send.append(seen_at - sent_at)
                else:
                    self.waiting.setdefault(attempt_id, collections.deque()).append((expected, now, sent_at))

        candidate.position = position % self.items + 1
        if candidate.position == 1:
            candidate.first_round = False
        self.sent += 1
        await candidate.sock.emit("answer", data, on_ack)

    async def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(c.sock and c.sock.outstanding for c in self.candidates):
            await asyncio.sleep(0.05)

    def _answer_report(self) -> dict:
        unmatched = sum(len(q) for q in self.waiting.values())
        outstanding = sum(c.sock.outstanding for c in self.candidates if c.sock)
        return {"ack_ms": self.ack_ms, "timeline": self.timeline, "refusals": dict(self.refusals), "lost": self.lost, "sent": self.sent,
                "outstanding": outstanding, "delays_ms": self.delays, "delays_from_send_ms": self.delays_from_send,
                "early": self.early, "unmatched": unmatched,
                "proctor_events": self.proctor_events}

    # --- the exam hall ---

    async def cmd_hall(self, t0: float, duration: float, period: float, reconnect_fraction: float,
                       drain: float = 15.0, settle: float = 1.0, stop_file: str | None = None) -> dict:
        """The hall for ``duration`` seconds from wall time ``t0``, or until ``stop_file`` exists."""
        self.reset_measurements()
        end = t0 + duration
        reconnects: list[float] = []
        reconnect_failures: list[str] = []
        unexpected_closes = [0]

        async def reconnect(candidate: Candidate, dropped: bool) -> None:
            if dropped:
                candidate.sock.drop()  # the network goes away mid-exam
                await asyncio.sleep(self.rng.uniform(0.2, 0.6) * min(5.0, period))  # the kiosk notices, tries again
            started = now_ms()
            try:
                await self._connect(candidate)
                state = await candidate.sock.call("state", {}, timeout=30)
                if not state.get("ok"):
                    raise RuntimeError(f"state refused: {state.get('error')}")
                reconnects.append(now_ms() - started)
            except Exception as exc:
                reconnect_failures.append(_describe(exc))

        def stopped() -> bool:
            return bool(stop_file) and os.path.exists(stop_file)

        async def one(candidate: Candidate, drop_at: float | None) -> None:
            next_at = t0 + self.rng.uniform(0, period)
            while next_at < end and not stopped():
                wake = min(next_at, drop_at) if drop_at else next_at
                delay = wake - time.time()
                while delay > 0:  # in short naps when it may be told to stop
                    await asyncio.sleep(min(delay, 0.25) if stop_file else delay)
                    delay = wake - time.time()
                if stopped():
                    break
                if drop_at and time.time() >= drop_at:
                    drop_at = None
                    await reconnect(candidate, dropped=True)
                    continue
                if candidate.sock.closed:
                    unexpected_closes[0] += 1
                    await reconnect(candidate, dropped=False)
                    if candidate.sock.closed:
                        return
                try:
                    await self.answer(candidate)
                except Exception:
                    self.lost += 1
                next_at += period * self.rng.uniform(0.5, 1.5)

        active = [c for c in self.candidates if c.sock and not c.sock.closed and c.options]
        droppers = set(self.rng.sample(range(len(active)), round(len(active) * reconnect_fraction)))
        tasks = [one(c, t0 + self.rng.uniform(0.15, 0.85) * duration if k in droppers else None)
                 for k, c in enumerate(active)]
        await asyncio.gather(*tasks)
        await self._drain(drain)
        await asyncio.sleep(max(0.3, settle))  # the proctor feed of the last answers (it ticks every 100 ms)
        report = self._answer_report()
        report.update(active=len(active), reconnects_ms=reconnects, reconnect_failures=reconnect_failures,
                      unexpected_closes=unexpected_closes[0])
        return report

    # --- saturation: open-loop answers at a given rate ---

    async def cmd_rate_step(self, t0: float, duration: float, rate: float, drain: float = 10.0) -> dict:
        self.reset_measurements()
        active = [c for c in self.candidates if c.sock and not c.sock.closed and c.options]
        total = int(rate * duration)
        delay = t0 - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        begin = time.monotonic()
        tick = 0.004
        sent = 0
        while sent < total:
            due = min(total, int((time.monotonic() - begin) * rate) + 1)
            while sent < due:
                candidate = active[sent % len(active)]
                if candidate.sock.closed:
                    self.lost += 1
                else:
                    await self.answer(candidate)
                sent += 1
            await asyncio.sleep(tick)
        send_seconds = time.monotonic() - begin
        await self._drain(drain)
        report = self._answer_report()
        report.update(send_seconds=send_seconds, active=len(active))
        return report

    # --- flat out: every candidate answers again as soon as its last answer is acknowledged ---

    async def cmd_flat_out(self, total: int, drain: float = 30.0) -> dict:
        """``total`` answers from this process's hall, closed loop: as fast as the server acknowledges them."""
        self.reset_measurements()
        loop = asyncio.get_running_loop()
        active = [c for c in self.candidates if c.sock and not c.sock.closed and c.options]
        left = [total]

        async def one(candidate: Candidate) -> None:
            while left[0] > 0 and not candidate.sock.closed:
                left[0] -= 1
                acked = loop.create_future()
                try:
                    await self.answer(candidate, then=lambda f=acked: f.done() or f.set_result(None))
                except Exception:  # the socket went away before the answer left
                    self.lost += 1
                    return
                await acked

        begin = time.monotonic()
        await asyncio.gather(*(one(c) for c in active))
        seconds = time.monotonic() - begin
        await self._drain(drain)
        report = self._answer_report()
        report.update(send_seconds=seconds, active=len(active), not_sent=left[0])
        return report

    # --- the start storm ---

    async def cmd_storm(self, arrivals: list[float], timeout: float = 120.0) -> dict:
        """Candidate k arrives at wall time arrivals[k]: HTTP login, connect, start, form."""
        results: list[dict] = []

        async def one(candidate: Candidate, at: float) -> None:
            delay = at - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            marks = {"arrived": now_ms()}
            try:
                async with asyncio.timeout(timeout):
                    async with self.http.post(f"{self.url}/api/v1/candidate/login", json={
                            "session_token": self.session_token, "participant_number": candidate.number,
                            "password": candidate.password}) as response:
                        body = await response.json(content_type=None)
                        if response.status != 200:
                            raise RuntimeError(f"login {response.status}: {(body or {}).get('error', body)}")
                    candidate.token = body["token"]
                    marks["login"] = now_ms()
                    await self._connect(candidate)
                    marks["connect"] = now_ms()
                    ack = await candidate.sock.call("start", {}, timeout=timeout)
                    if not ack.get("ok"):
                        raise RuntimeError(f"start refused: {ack.get('error')}")
                    marks["start"] = now_ms()
                    form = await candidate.sock.call("form", {}, timeout=timeout)
                    if not form.get("ok") or not form.get("items"):
                        raise RuntimeError(f"form refused: {form.get('error')}")
                    candidate.options = [len(item["options"]) for item in form["items"]]
                    marks["form"] = now_ms()
                results.append({"ok": True, "done_wall": time.time(), **_spans(marks)})
            except BaseException as exc:  # a failure is a result, not a crash of the generator
                if isinstance(exc, asyncio.CancelledError):
                    raise
                results.append({"ok": False, "error": _describe(exc), "stage": _stage(marks), "done_wall": time.time(),
                                "after_s": round((now_ms() - marks["arrived"]) / 1000, 2)})

        await asyncio.gather(*(one(c, at) for c, at in zip(self.candidates, arrivals)))
        return {"candidates": results}


def _spans(marks: dict) -> dict:
    return {"login_ms": marks["login"] - marks["arrived"], "connect_ms": marks["connect"] - marks["login"],
            "start_ms": marks["start"] - marks["connect"], "form_ms": marks["form"] - marks["start"],
            "total_ms": marks["form"] - marks["arrived"]}


def _stage(marks: dict) -> str:
    for stage, after in (("login", "arrived"), ("connect", "login"), ("start", "connect"), ("form", "start")):
        if stage not in marks:
            return stage
    return "done"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectRefused):
        return f"refused: {exc.data}"
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return "timeout"
    return f"{type(exc).__name__}: {exc}"[:200]


def _outcomes(outcomes: list) -> dict:
    times = [o for o in outcomes if isinstance(o, float)]
    failures = [_describe(o) for o in outcomes if isinstance(o, BaseException)]
    return {"ok": len(times), "ms": times, "failures": failures}


def main(conn, index: int, seed: int) -> None:
    """Entry point of a generator process (multiprocessing target)."""
    from bench.servers import raise_open_files_limit

    raise_open_files_limit()  # thousands of sockets in one process
    asyncio.run(Worker(conn, index, seed).serve())
