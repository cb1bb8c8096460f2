"""``python -m proctor_console``: the terminal console, for a proctor on a weak link.

Signs in over HTTP, connects to ``/proctor`` (websocket; long-polling only when
websocket never worked), watches one session and keeps its picture from the
snapshot that every (re)connect brings plus the ``candidate`` updates in
between. Commands typed at the prompt (see ``help``) go to the server as
``/proctor`` events and their answer is printed.

On a terminal the table is redrawn in place (at most every ``--refresh``
seconds, only when something changed or a clock runs); with ``--plain``, or
when the output is not a terminal, it prints the table after each snapshot
and on ``table``, a line per status change, and every alert.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import shutil
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Callable

from proctor_console import terminal
from proctor_console.terminal import Command, CommandError, say

NAMESPACE = "/proctor"
ACK_TIMEOUT = 15
FIRST_SNAPSHOT_TIMEOUT = 20
EVENT_LINES = 8


class ConsoleFailure(Exception):
    """Something that ends the console with exit status 1; the message is for the proctor."""


# ---------------------------------------------------------------------------- HTTP


def http_json(method: str, url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Accept": "application/json"})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}
    except (urllib.error.URLError, OSError) as error:
        raise ConsoleFailure(f"the server at {url} cannot be reached: {getattr(error, 'reason', error)}") from None


LOGIN_MESSAGES = {
    "bad_credentials": "wrong username or password (nama pengguna atau kata sandi salah)",
    "rate_limited": "too many sign-in attempts; wait a minute (terlalu banyak percobaan masuk; tunggu satu menit)",
}


def staff_login(base_url: str, username: str, password: str) -> dict:
    status, body = http_json("POST", f"{base_url}/api/v1/staff/login", {"username": username, "password": password})
    if status != 200 or "token" not in body:
        error = body.get("error") or {}
        message = LOGIN_MESSAGES.get(error.get("code")) or error.get("message") or f"sign-in failed ({status})"
        raise ConsoleFailure(message)
    return body


def choose_session(base_url: str, token: str, wanted: int | None) -> int:
    """The session to watch: the one asked for, or the only one assigned (from ``GET /api/v1/sessions``)."""
    if wanted is not None:
        return wanted
    status, body = http_json("GET", f"{base_url}/api/v1/sessions", token=token)
    sessions = body.get("sessions") if status == 200 else None
    if not sessions:
        raise ConsoleFailure("name the session to watch with --session ID")
    if len(sessions) == 1:
        return int(sessions[0]["session_id"])
    listing = "\n".join(f"  {s['session_id']:>5}  {terminal.clean(s.get('name', ''))}  "
                        f"({terminal.clean(s.get('exam_code', ''))}, {s.get('candidates', '?')})" for s in sessions)
    raise ConsoleFailure(f"several sessions; choose one with --session ID:\n{listing}")


# ---------------------------------------------------------------------------- the console


class Console:
    """What the console holds of one session, and the socket that keeps it true."""

    def __init__(self, base_url: str, token: str, session_id: int, *, lang: str, tty: bool, colour: bool,
                 refresh: float, out=None):
        import socketio

        self.base_url = base_url
        self.token = token
        self.session_id = session_id
        self.lang = lang
        self.tty = tty
        self.colour = colour
        self.refresh = refresh
        self.out = out or sys.stdout
        self.lock = threading.RLock()
        self.session: dict = {}
        self.candidates: dict[int, dict] = {}
        self.received: dict[int, float] = {}
        self.new_alerts: set[int] = set()
        self.events: list[str] = []
        self.dirty = True
        self.snapshot_ready = threading.Event()
        self.fatal: str | None = None
        self.refusal: dict | None = None
        self.stopping = False
        self.client = socketio.Client(reconnection=True, reconnection_delay=1, reconnection_delay_max=5,
                                      handle_sigint=False)
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on("disconnect", self._on_disconnect, namespace=NAMESPACE)
        self.client.on("connect_error", self._on_connect_error, namespace=NAMESPACE)
        self.client.on("candidate", self._on_candidate, namespace=NAMESPACE)
        self.client.on("alert", self._on_alert, namespace=NAMESPACE)

    # --- connection

    def connect(self) -> None:
        import socketio

        last: Exception | None = None
        for transports in (["websocket"], ["polling", "websocket"]):
            self.refusal = None
            try:
                self.client.connect(self.base_url, namespaces=[NAMESPACE], transports=transports,
                                    auth={"token": self.token}, wait_timeout=20)
                return
            except socketio.exceptions.ConnectionError as error:
                if self.refusal:  # the server said no: another transport would not change that
                    raise ConsoleFailure(f"connection refused: {self.refusal.get('message', self.refusal)}") from None
                last = error
        raise ConsoleFailure(f"cannot connect to {self.base_url}: {last}")

    def _on_connect(self) -> None:
        self.client.emit("watch", {"session_id": self.session_id}, namespace=NAMESPACE, callback=self._on_snapshot)

    def _on_disconnect(self, reason=None) -> None:
        if not self.stopping:
            self.note("-- connection lost, reconnecting (koneksi terputus, menyambung ulang) --")

    def _on_connect_error(self, data=None) -> None:
        if isinstance(data, dict) and data.get("code"):
            self.refusal = data

    def _on_snapshot(self, ack) -> None:
        if not isinstance(ack, dict) or not ack.get("ok"):
            error = (ack or {}).get("error") or {}
            self.fatal = f"cannot watch session {self.session_id}: {error.get('message') or error.get('code') or ack}"
            self.snapshot_ready.set()
            return
        now = time.monotonic()
        with self.lock:
            again = self.snapshot_ready.is_set()
            self.session = ack["session"]
            self.candidates = {c["attempt_id"]: c for c in ack.get("candidates") or []}
            self.received = {attempt_id: now for attempt_id in self.candidates}
            self.dirty = True
        if again:
            self.note("-- reconnected; fresh snapshot loaded (tersambung kembali) --")
        else:
            self.note(say(self.lang, "watching", name=terminal.clean(self.session.get("name", "")),
                          exam=terminal.clean(self.session.get("exam_code", ""))))
        if not self.tty:
            self.print_table()
        self.snapshot_ready.set()

    def _on_candidate(self, candidate) -> None:
        if not isinstance(candidate, dict) or candidate.get("session_id", self.session_id) != self.session_id:
            return
        with self.lock:
            before = self.candidates.get(candidate["attempt_id"])
            self.candidates[candidate["attempt_id"]] = candidate
            self.received[candidate["attempt_id"]] = time.monotonic()
            self.dirty = True
        changed = before is None or (before["status"], before["connected"]) != (candidate["status"], candidate["connected"])
        if changed and not self.tty:
            self.write(self.one_line(candidate))

    def _on_alert(self, alert) -> None:
        if not isinstance(alert, dict):
            return
        with self.lock:
            candidate = self.candidates.get(alert.get("attempt_id"))
            if candidate is None:
                return
            self.new_alerts.add(alert["attempt_id"])
            self.dirty = True
        self.note(terminal.format_alert(alert, candidate, self.lang, self.colour))

    # --- output

    def write(self, text: str) -> None:
        with self.lock:
            self.out.write(text + "\n")
            self.out.flush()

    def note(self, line: str) -> None:
        """An event line: printed at once, or kept under the table on a terminal."""
        with self.lock:
            self.events.append(line)
            del self.events[:-EVENT_LINES]
            self.dirty = True
        if not self.tty:
            self.write(line)

    def one_line(self, c: dict) -> str:
        status = say(self.lang, c["status"]) if c["status"] in terminal.TEXT["id"] else c["status"]
        return terminal.clean(f"  {c['participant_number']} {c.get('name', '')}: {status}, "
                              f"{'on' if c.get('connected') else '--'}, {c.get('answered', 0)}")

    def table(self) -> str:
        now = time.monotonic()
        with self.lock:
            candidates = list(self.candidates.values())
            remaining = {attempt_id: terminal.live_remaining(c, self.received.get(attempt_id, now), now)
                         for attempt_id, c in self.candidates.items()}
            width = shutil.get_terminal_size((100, 24)).columns
            return "\n".join((
                terminal.format_header(self.session, candidates, self.lang),
                terminal.format_table(candidates, remaining=remaining, sections=self.session.get("sections"),
                                      items=self.session.get("items"), new_alerts=self.new_alerts, width=width,
                                      colour=self.colour, lang=self.lang),
            ))

    def print_table(self) -> None:
        self.write(self.table())

    def redraw(self, prompt: str, typed: str) -> None:
        """Clear the screen and draw the table, the last events and the prompt with what was typed so far."""
        with self.lock:
            screen = "\x1b[H\x1b[2J" + self.table() + "\n\n" + "\n".join(self.events) + "\n" + prompt + typed
            self.dirty = False
            self.out.write(screen)
            self.out.flush()

    def needs_redraw(self) -> bool:
        with self.lock:
            return self.dirty or any(c.get("status") == "in_progress" for c in self.candidates.values())

    # --- commands

    def run(self, command: Command, confirm: Callable[[str], bool] | None = None) -> str | None:
        """Carry out one command. ``help`` and ``table`` return their text; actions note the server's answer."""
        import socketio

        if command.action == "help":
            return say(self.lang, "help")
        if command.action == "table":
            with self.lock:
                self.new_alerts.clear()
            return self.table()
        with self.lock:
            event, payload = terminal.request_for(command, self.session_id, list(self.candidates.values()), self.lang)
        asked = f"{event} {json.dumps(payload, ensure_ascii=False)}"
        if confirm and (command.action == "end" or command.target == "all") and not confirm(f"{asked} ? [y/N] "):
            self.note(f"> {asked}: {say(self.lang, 'cancelled')}")
            return None
        try:
            ack = self.client.call(event, payload, namespace=NAMESPACE, timeout=ACK_TIMEOUT)
        except socketio.exceptions.TimeoutError:
            ack = None
        except socketio.exceptions.BadNamespaceError:
            self.note(f"> {asked}: -- not connected (tidak tersambung) --")
            return None
        self.note(f"> {asked}: {terminal.describe_ack(command, ack, self.lang)}")
        return None

    def close(self) -> None:
        self.stopping = True
        try:
            self.client.disconnect()
        except Exception:  # already gone: nothing to close
            pass


# ---------------------------------------------------------------------------- loops


def plain_loop(console: Console, lines) -> None:
    for line in lines:
        if not step(console, line):
            return


def step(console: Console, line: str, confirm=None) -> bool:
    """Run one typed line; False when the proctor asked to quit."""
    try:
        command = terminal.parse_command(line, console.lang)
        if command is None:
            return True
        if command.action == "quit":
            return False
        shown = console.run(command, confirm)
    except CommandError as error:
        console.note(str(error))
        return True
    if shown and not console.tty:
        console.write(shown)
    elif shown and command.action == "help":
        for help_line in shown.splitlines():
            console.note(help_line)
    return True


def tty_loop(console: Console) -> None:
    try:
        import readline
    except ImportError:  # no readline (Windows): the redraw cannot show what was typed
        readline = None
    prompt = "pengawas> " if console.lang == "id" else "proctor> "
    stop = threading.Event()
    asking = threading.Event()  # no redraw while a yes/no question waits for its answer

    def refresher() -> None:
        while not stop.wait(console.refresh):
            if not asking.is_set() and console.needs_redraw():
                console.redraw(prompt, readline.get_line_buffer() if readline else "")

    def confirm(question: str) -> bool:
        asking.set()
        try:
            return input(question).strip().lower() in ("y", "ya", "yes")
        finally:
            asking.clear()

    thread = threading.Thread(target=refresher, name="redraw", daemon=True)
    console.redraw(prompt, "")
    thread.start()
    try:
        while True:
            try:
                line = input()
            except EOFError:
                return
            if not step(console, line, confirm=confirm):
                return
            console.redraw(prompt, "")
    finally:
        stop.set()


# ---------------------------------------------------------------------------- entry


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m proctor_console",
                                     description="Terminal proctor console: watch a session and steer it.")
    parser.add_argument("--url", required=True, help="the exam server, e.g. http://10.0.0.5:8000")
    parser.add_argument("--username", required=True, help="staff username (password from PROCTOR_PASSWORD or a prompt)")
    parser.add_argument("--session", type=int, help="session id to watch (default: the only session assigned)")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the console (default id)")
    parser.add_argument("--plain", action="store_true", help="print lines instead of redrawing the screen")
    parser.add_argument("--no-color", action="store_true", help="no ANSI colours (also when NO_COLOR is set)")
    parser.add_argument("--refresh", type=float, default=2.0, help="seconds between redraws on a terminal (default 2)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    base_url = args.url.rstrip("/")
    tty = sys.stdin.isatty() and sys.stdout.isatty() and not args.plain
    colour = sys.stdout.isatty() and not args.no_color and not os.environ.get("NO_COLOR")
    password = os.environ.get("PROCTOR_PASSWORD")
    console = None
    try:
        if password is None:
            password = getpass.getpass(f"password for {args.username}: ")
        token = staff_login(base_url, args.username, password)["token"]
        session_id = choose_session(base_url, token, args.session)
        console = Console(base_url, token, session_id, lang=args.lang, tty=tty, colour=colour,
                          refresh=max(0.5, args.refresh))
        console.connect()
        if not console.snapshot_ready.wait(FIRST_SNAPSHOT_TIMEOUT):
            raise ConsoleFailure("no snapshot from the server in time")
        if console.fatal:
            raise ConsoleFailure(console.fatal)
        if tty:
            tty_loop(console)
        else:
            plain_loop(console, sys.stdin)
        return 0
    except ConsoleFailure as failure:
        print(f"proctor console: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if console is not None:
            console.close()
