"""Driving the real thing: the exam-server command and a server process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration import templates


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class ExamCli:
    """Runs ``python -m exam_server`` as a newcomer would, against one data folder and database."""

    def __init__(self, data_dir: Path, database_url: str):
        self.data_dir = data_dir
        self.database_url = database_url

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_") or k == "EXAM_SHARED_DIR"}
        env.update(DATABASE_URL=self.database_url, PYTHONPATH=str(ROOT), EXAM_ASYNC_MODE="threading")
        return env

    def __call__(self, *args, input: str | None = None, check: bool = False) -> Run:
        process = subprocess.run(
            [sys.executable, "-m", "exam_server", *args, "--data", str(self.data_dir)],
            input=input, capture_output=True, text=True, env=self.env(), cwd=ROOT, timeout=120,
        )
        run = Run(process.returncode, process.stdout, process.stderr)
        if check and run.code != 0:
            raise AssertionError(f"exam-server {' '.join(args)} exited {run.code}:\n{run.err}")
        return run


@pytest.fixture
def exam_cli(tmp_path, database_url) -> ExamCli:
    return ExamCli(tmp_path / "data", database_url)


@pytest.fixture
def clock():
    from exam_server.clock import FixedClock

    return FixedClock()


def initialised(cli: ExamCli) -> ExamCli:
    """``cli``'s data folder and database as ``exam-server init`` makes them: run once per process and
    database kind, then copied (templates.py); in place when the folder or database exists already.
    Tests of ``init`` itself run the command."""
    made = templates.prepared_copy(cli.data_dir, cli.database_url, "exam-server init",
                                   lambda data_dir, url: ExamCli(data_dir, url)("init", check=True).code)
    if made is None:
        cli("init", check=True)
    return cli


def make_services(data_dir: Path, database_url: str, clock):
    """The use cases over ``data_dir`` (keys made when missing) and the database, migrated to the newest schema."""
    from exam_server.config import load_settings
    from exam_server.security.keys import ensure_keys
    from exam_server.composition import build_services

    settings = load_settings({"data_dir": data_dir, "database_url": database_url}, environ={})
    data_dir.mkdir(parents=True, exist_ok=True)
    ensure_keys(settings)
    services = build_services(settings, clock)
    services.db.upgrade()
    return services


def _migrate(data_dir: Path, database_url: str) -> None:
    from exam_server.clock import SystemClock

    make_services(data_dir, database_url, SystemClock()).close()


@pytest.fixture
def services(tmp_path, database_url, clock):
    """The use cases in this process, over a real database, with a clock that moves only when told.

    The database starts as a copy of one migrated once per process (templates.py); test_migrations.py
    migrates its own."""
    templates.migrated_copy(database_url, _migrate)
    services = make_services(tmp_path / "data", database_url, clock)
    yield services
    services.close()


@pytest.fixture
def exam_session(services):
    """An open session of the small test exam: its ids, token and every candidate's password."""
    from exam_server.services import banks, exams, sessions
    from tests.integration.helpers import BLUEPRINT, GIFT_BANK, ROSTER

    banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
    exams.create_exam(services, BLUEPRINT)
    opened = sessions.create_session(services, "UJI-1", "Sesi 1", ROSTER.encode(), seed=7)
    opened["passwords"] = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    return opened


def free_port() -> int:
    """A port for a server this test starts, free now.

    Drawn below the kernel's ephemeral range (32768 and up), from a band of its own for each parallel
    worker: a port the kernel hands to some client's connection meanwhile, or one another worker
    picked at the same moment, cannot then be taken before the server binds it.
    """
    import random
    import socket

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    low = 12000 + (index % 8) * 2500
    for port in random.sample(range(low, low + 2500), 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:  # a crowded band: let the kernel choose
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """``exam-server serve`` in its own process, as production runs it; can be killed and restarted."""

    def __init__(self, data_dir: Path, database_url: str, *, async_mode: str = "eventlet", extra_env=None,
                 gunicorn: bool = False):
        self.data_dir = data_dir
        self.database_url = database_url
        self.async_mode = async_mode
        self.gunicorn = gunicorn  # run as production does: gunicorn with the async mode's worker class
        self.port = free_port()
        self.extra_env = dict(extra_env or {})
        self.process = None
        self.log_path = data_dir / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        import time
        import urllib.request

        env = {k: v for k, v in os.environ.items() if not k.startswith("EXAM_") or k == "EXAM_SHARED_DIR"}
        env.update({"DATABASE_URL": self.database_url, "PYTHONPATH": str(ROOT), "EXAM_ASYNC_MODE": self.async_mode,
                    "EXAM_NODE_NAME": f"test-node-{self.port}", **self.extra_env})
        log = self.log_path.open("ab")
        if self.gunicorn:
            env["EXAM_DATA_DIR"] = str(self.data_dir)
            command = [sys.executable, "-m", "gunicorn", "-k", self.async_mode, "-w", "1", "--worker-connections",
                       "10000", "-b", f"127.0.0.1:{self.port}", "exam_server.wsgi:app"]
        else:
            command = [sys.executable, "-m", "exam_server", "serve", "--port", str(self.port), "--data", str(self.data_dir)]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                urllib.request.urlopen(self.url + "/api/v1/health", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"the server did not answer within 30 s:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """kill -9: no chance to clean up, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def prepare_data(exam_cli: ExamCli, tmp_path: Path, blueprint: str | None = None) -> dict:
    """The small bank, the test exam, two proctors, an admin and an open session (in this process, for speed).

    Made once per process for each database kind and blueprint, then copied (templates.py) into a new
    data folder and database; anything else (a data folder made already) is prepared in place."""
    from tests.integration.helpers import BLUEPRINT

    blueprint = blueprint or BLUEPRINT
    opened = templates.prepared_copy(exam_cli.data_dir, exam_cli.database_url, blueprint,
                                     lambda data_dir, url: build_data(data_dir, url, blueprint))
    if opened is not None:
        return opened
    return build_data(exam_cli.data_dir, exam_cli.database_url, blueprint)


def build_data(data_dir: Path, database_url: str, blueprint: str) -> dict:
    """What ``prepare_data`` gives, built here and now in ``data_dir`` and the database."""
    from exam_server.clock import SystemClock
    from exam_server.services import banks, exams, sessions, users
    from tests.integration.helpers import GIFT_BANK, ROSTER

    services = make_services(data_dir, database_url, SystemClock())
    try:
        banks.import_bank(services, GIFT_BANK.encode(), "umum.gift", bank_code="umum")
        exams.create_exam(services, blueprint)
        for role, username, password in (("proctor", "pengawas", "sandi-pengawas"), ("proctor", "lain", "sandi-lain-1"),
                                         ("admin", "admin", "sandi-admin-1")):
            users.add_user(services, role, username, password)
        opened = sessions.create_session(services, "UJI-1", "Sesi 1", ROSTER.encode(), proctors=("pengawas",), seed=7,
                                         hall="Cendana")
    finally:
        services.close()
    opened["passwords"] = {c["participant_number"]: c["password"] for c in opened["credentials"]}
    return opened


@pytest.fixture
def live(exam_cli, tmp_path):
    """A prepared data folder and a server process serving it."""
    opened = prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url).start()
    server.session = opened
    yield server
    server.stop()
