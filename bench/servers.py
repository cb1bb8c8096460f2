"""Server processes under test (ours and the bare baseline), pinned to a core, and what they cost.

CPU and memory are read from /proc: utime+stime of a process (all its threads)
and VmRSS. Core load is read from /proc/stat, so a figure can be checked
against what else ran on the machine at the same time.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORE, GENERATOR_CORE = 0, 1


def can_pin() -> bool:
    try:
        return len(os.sched_getaffinity(0)) >= 2 or (os.cpu_count() or 1) >= 2
    except AttributeError:
        return False


def pin_generator() -> bool:
    """Pin this process (and the generator processes it starts later) to the generator's core."""
    if not can_pin():
        return False
    os.sched_setaffinity(0, {GENERATOR_CORE})
    return True


def unpin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))


def raise_open_files_limit(wanted: int = 65536) -> tuple[int, int]:
    """Lift this process's open-files limit (children inherit it) as far as the hard limit allows.

    A hall of 5,000 needs 5,000 sockets in the server and as many spread over the generator processes; a
    default soft limit of 1,024 would refuse them long before either side is busy.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- /proc readings ---

def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def core_jiffies() -> dict[str, tuple[int, int]]:
    """Per core: (busy, total) jiffies since boot."""
    cores = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *values = line.split()
                numbers = [int(v) for v in values]
                idle = numbers[3] + (numbers[4] if len(numbers) > 4 else 0)
                cores[name] = (sum(numbers[:8]) - idle, sum(numbers[:8]))
    return cores


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def load_average() -> list[float]:
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]


@dataclass
class Snapshot:
    wall: float
    server_cpu: float
    generator_cpu: float
    rss_kb: int
    cores: dict


def window(a: Snapshot, b: Snapshot) -> dict:
    """CPU use between two snapshots, in percent of one core."""
    seconds = max(b.wall - a.wall, 1e-6)
    figures = {
        "seconds": round(seconds, 2),
        "server_cpu_pct": round(100 * (b.server_cpu - a.server_cpu) / seconds, 1),
        "generator_cpu_pct": round(100 * (b.generator_cpu - a.generator_cpu) / seconds, 1),
    }
    for name in sorted(b.cores):
        busy = b.cores[name][0] - a.cores.get(name, (0, 0))[0]
        total = b.cores[name][1] - a.cores.get(name, (0, 0))[1]
        figures[f"{name}_busy_pct"] = round(100 * busy / total, 1) if total else None
    # What else ran on each pinned core meanwhile (other jobs on a shared machine, the database server...).
    if figures.get(f"cpu{SERVER_CORE}_busy_pct") is not None:
        figures["others_on_server_core_pct"] = round(figures[f"cpu{SERVER_CORE}_busy_pct"] - figures["server_cpu_pct"], 1)
    if figures.get(f"cpu{GENERATOR_CORE}_busy_pct") is not None:
        figures["others_on_generator_core_pct"] = round(
            figures[f"cpu{GENERATOR_CORE}_busy_pct"] - figures["generator_cpu_pct"], 1)
    return figures


# --- server processes ---

@dataclass
class ServerSpec:
    kind: str  # "ours" | "baseline"
    mode: str  # "eventlet" | "gevent" | "threading"
    data_dir: Path | None = None
    database_url: str = ""
    extra_env: dict = field(default_factory=dict)


class Server:
    def __init__(self, spec: ServerSpec, log_path: Path, pin: bool):
        self.spec = spec
        self.port = free_port()
        self.log_path = log_path
        self.pin = pin
        self.process: subprocess.Popen | None = None
        self.pid = 0  # the process serving sockets (gunicorn's worker, not its master)
        self.command: list[str] = []
        self._peak_rss = 0
        self._sampling = False
        self._sampler: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _command(self) -> list[str]:
        spec, python = self.spec, sys.executable
        if spec.mode in ("eventlet", "gevent"):
            target = "exam_server.wsgi:app" if spec.kind == "ours" else "bench.baseline_server:app"
            command = [python, "-m", "gunicorn", "-k", spec.mode, "-w", "1", "--worker-connections", "10000",
                       "-b", f"127.0.0.1:{self.port}", target]
        elif spec.kind == "ours":
            command = [python, "-m", "exam_server", "serve", "--port", str(self.port), "--data", str(spec.data_dir)]
        else:
            command = [python, "-m", "bench.baseline_server", "--mode", spec.mode, "--port", str(self.port)]
        if self.pin and shutil.which("taskset"):
            command = ["taskset", "-c", str(SERVER_CORE)] + command
        return command

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("EXAM_") and k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = str(ROOT)
        if "BENCH_GC_LOG" in self.spec.extra_env:  # bench/gcprobe/sitecustomize.py records the collections
            env["PYTHONPATH"] = f"{ROOT / 'bench' / 'gcprobe'}{os.pathsep}{ROOT}"
        env["EVENTLET_NO_GREENDNS"] = "yes"
        if self.spec.kind == "ours":
            env.update(EXAM_DATA_DIR=str(self.spec.data_dir), EXAM_ASYNC_MODE=self.spec.mode,
                       EXAM_NODE_NAME=f"bench-{self.port}")
            if self.spec.database_url:
                env["DATABASE_URL"] = self.spec.database_url
        env.update(self.spec.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> "Server":
        self.command = self._command()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")  # one log per run name: the last run of that name
        self.process = subprocess.Popen(self.command, env=self._environment(), cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log_path}")
            try:
                urllib.request.urlopen(self.url + "/api/v1/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {self.log_path}")
        self.pid = self.process.pid
        if self.spec.mode in ("eventlet", "gevent"):
            workers = children(self.process.pid)
            if not workers:
                raise RuntimeError("gunicorn has no worker process")
            self.pid = workers[0]
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample_peak, daemon=True)
        self._sampler.start()
        return self

    def _sample_peak(self) -> None:
        while self._sampling:
            self._peak_rss = max(self._peak_rss, rss_kb(self.pid))
            time.sleep(0.5)

    @property
    def peak_rss_kb(self) -> int:
        return max(self._peak_rss, rss_kb(self.pid))

    def stop(self) -> None:
        self._sampling = False
        process = self.process
        if process is None or process.poll() is not None:
            return
        workers = children(process.pid)
        # The clients are gone by now and the data is thrown away: gunicorn's quick shutdown (SIGQUIT)
        # instead of its graceful one, which waits seconds for nothing.
        process.send_signal(signal.SIGQUIT if self.spec.mode in ("eventlet", "gevent") else signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            for pid in workers:
                if _is_gunicorn_worker(pid, self.port):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            process.kill()
            process.wait(10)
        for pid in workers:  # a worker must not outlive its master
            if _is_gunicorn_worker(pid, self.port):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _is_gunicorn_worker(pid: int, port: int) -> bool:
    """Still the worker we started (its command line names our port), not a recycled pid."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f"127.0.0.1:{port}".encode() in f.read()
    except OSError:
        return False
