"""``python -m proctor_console``: the terminal console, for a proctor on a weak link.

Signs in over HTTP, connects to ``/proctor`` (websocket; long-polling only when
websocket never worked), watches one session and keeps its picture from the
snapshot that every (re)connect brings plus the ``candidate`` updates in
between. Commands typed at the prompt (see ``help``) go to the server as
``/proctor`` events and their answer is shown.

On a terminal the console is a ``rich`` live view (header with the counts, the
table with time left ticking between updates, the alerts panel, the last
messages and the prompt). The view is redrawn at most every ``--refresh``
seconds, and only when something changed or a clock runs, plus at once for
each key typed. Keys are read in cbreak mode (no echo) and the line being typed
is drawn by the view itself, so the view keeps running while the proctor types.
With ``--plain``, or when input or output is not a terminal, it prints lines:
the table after each snapshot and on ``table``, a line per status change,
every alert and the answer to every command.
"""
from __future__ import annotations

import argparse
import codecs
import getpass
import json
import os
import select
import shutil
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from typing import Callable

from rich.console import Console as RichConsole, Group, RenderableType
from rich.live import Live
from rich.text import Text

from proctor_console import terminal
from proctor_console.terminal import Command, CommandError, say

try:
    import termios
except ImportError:  # Windows: no cbreak mode, the console prints lines
    termios = None

NAMESPACE = "/proctor"
ACK_TIMEOUT = 15
FIRST_SNAPSHOT_TIMEOUT = 20
EVENT_LINES = 3   # messages under the alerts panel in the live view
ALERT_LINES = 4   # alerts in the panel


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
    """What the console holds of one session, the socket that keeps it true, and where it is shown.

    ``out`` is the rich console everything is printed to; with ``live_view``
    the socket handlers only update the picture (the live view draws it),
    otherwise they print lines.
    """

    def __init__(self, base_url: str, token: str, session_id: int, *, lang: str, live_view: bool,
                 out: RichConsole, refresh: float):
        import socketio

        self.base_url = base_url
        self.token = token
        self.session_id = session_id
        self.lang = lang
        self.live_view = live_view
        self.out = out
        self.refresh = refresh
        self.lock = threading.RLock()
        self.session: dict = {}
        self.candidates: dict[int, dict] = {}
        self.received: dict[int, float] = {}
        self.new_alerts: set[int] = set()
        self.alerts: list[Text] = []
        self.events: list[str] = []
        self.offset = 0                         # first table row in the live view (PgUp/PgDn)
        self.last_screen: terminal.Screen | None = None
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
        self.client.on("site", self._on_site, namespace=NAMESPACE)

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
        if not self.live_view:
            self.write(self.hall())
        site = ack.get("site")
        if isinstance(site, dict) and site.get("online") is False:  # at a hub: the session's site is cut off now
            self._on_site(site)
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
        if changed and not self.live_view:
            self.write(terminal.status_line(candidate, self.lang))

    def _on_alert(self, alert) -> None:
        if not isinstance(alert, dict):
            return
        with self.lock:
            candidate = self.candidates.get(alert.get("attempt_id"))
            if candidate is None:
                return
            self.new_alerts.add(alert["attempt_id"])
            line = terminal.alert_line(alert, candidate, self.lang)
            self.alerts.append(line)
            del self.alerts[:-ALERT_LINES]
            self.dirty = True
        if not self.live_view:
            self.write(line)

    def _on_site(self, site) -> None:
        if not isinstance(site, dict):
            return
        line = terminal.site_line(site, self.lang)
        with self.lock:
            self.alerts.append(line)
            del self.alerts[:-ALERT_LINES]
            self.dirty = True
        if not self.live_view:
            self.write(line)

    # --- output

    def write(self, shown: RenderableType) -> None:
        """Print a line (never read as rich markup) or a renderable, in plain mode."""
        if isinstance(shown, str):
            shown = terminal.text(shown)
        with self.lock:
            self.out.print(shown, soft_wrap=isinstance(shown, Text))

    def note(self, line: str) -> None:
        """A message: printed at once, or kept for the live view."""
        with self.lock:
            self.events.append(line)
            del self.events[:-EVENT_LINES]
            self.dirty = True
        if not self.live_view:
            self.write(line)

    def _table(self):
        now = time.monotonic()
        candidates = list(self.candidates.values())
        remaining = {attempt_id: terminal.live_remaining(c, self.received.get(attempt_id, now), now)
                     for attempt_id, c in self.candidates.items()}
        return (terminal.header(self.session, candidates, self.lang),
                terminal.candidates_table(candidates, remaining=remaining, sections=self.session.get("sections"),
                                          items=self.session.get("items"), new_alerts=self.new_alerts,
                                          width=self.out.width, lang=self.lang))

    def hall(self) -> Group:
        """The header and the table, as printed in plain mode."""
        with self.lock:
            return Group(*self._table())

    def live_screen(self, prompt: RenderableType) -> terminal.Screen:
        """The live view as it is now (time left computed for this moment)."""
        with self.lock:
            header, table = self._table()
            self.last_screen = terminal.Screen(
                header=header, table=table, rows=len(self.candidates),
                alerts=terminal.alerts_panel(self.alerts, self.lang), messages=list(self.events), prompt=prompt,
                offset=self.offset, lang=self.lang)
            self.dirty = False
            return self.last_screen

    def scroll(self, pages: int) -> None:
        with self.lock:
            shown = self.last_screen
            first, page = (shown.first, max(1, shown.shown)) if shown else (self.offset, 1)
            self.offset = max(0, first + pages * page)
            self.dirty = True

    def needs_redraw(self) -> bool:
        with self.lock:
            return self.dirty or any(c.get("status") == "in_progress" for c in self.candidates.values())

    # --- commands

    def run(self, command: Command, confirm: Callable[[str], bool] | None = None) -> RenderableType | None:
        """Carry out one command. ``help`` and ``table`` return what to show; actions note the server's answer."""
        import socketio

        if command.action == "help":
            return say(self.lang, "help")
        if command.action == "table":
            with self.lock:
                self.new_alerts.clear()
                self.dirty = True
            return self.hall()
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
    if shown is not None and not console.live_view:
        console.write(shown)
    elif command.action == "help":  # the live view shows it with the messages (``table``: it is on screen)
        for help_line in shown.splitlines():
            console.note(help_line)
    return True


class Keyboard:
    """Keys from the terminal in cbreak mode: not echoed, not held until Enter (Ctrl-C still interrupts)."""

    def __init__(self, stream) -> None:
        self.fd = stream.fileno()
        self.decoder = codecs.getincrementaldecoder(getattr(stream, "encoding", None) or "utf-8")(errors="replace")
        self.keys: deque[str] = deque()
        self.unfinished = ""  # the start of an escape sequence whose end has not arrived yet
        self.saved = None

    def __enter__(self) -> "Keyboard":
        self.saved = termios.tcgetattr(self.fd)
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ECHO | termios.ICANON)
        mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
        termios.tcsetattr(self.fd, termios.TCSADRAIN, mode)
        return self

    def __exit__(self, *exc) -> None:
        termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def pending(self) -> bool:
        return bool(self.keys)

    def next_key(self) -> str:
        """The next key, waiting for it; EOFError when the terminal is gone."""
        while not self.keys:
            ready, _, _ = select.select([self.fd], [], [], 0.05 if self.unfinished else None)
            if not ready:  # a lone Esc (or a sequence cut short): its characters are keys of their own
                self.keys.extend(self.unfinished)
                self.unfinished = ""
                continue
            data = os.read(self.fd, 1024)
            if not data:
                raise EOFError
            keys, self.unfinished = terminal.split_keys(self.unfinished + self.decoder.decode(data))
            self.keys.extend(keys)
        return self.keys.popleft()


def live_loop(console: Console) -> None:
    """The rich live view with the prompt at its foot, until ``quit``, Ctrl-D or Ctrl-C.

    The view runs inline on the terminal's alternate screen (given back as it
    was on leaving): only what is drawn is sent, not a screen padded with
    blanks, which matters on a weak link. After a resize (or Ctrl-L) the
    screen is cleared before the next draw.
    """
    editor = terminal.LineEditor()
    prompt = "pengawas> " if console.lang == "id" else "proctor> "
    asking = {"prompt": prompt, "busy": None}  # what the prompt line shows
    wake = threading.Event()
    stop = threading.Event()
    blank_first = threading.Event()
    drawing = threading.Lock()

    def view() -> terminal.Screen:
        line = terminal.prompt_line(asking["prompt"], editor, asking["busy"], width=console.out.width)
        return console.live_screen(line)

    with Keyboard(sys.stdin) as keyboard, console.out.screen(), \
            Live(get_renderable=view, console=console.out, auto_refresh=False, transient=True) as live:

        def draw() -> None:
            with drawing:
                if blank_first.is_set():
                    blank_first.clear()
                    console.out.clear()
                live.refresh()

        def refresher() -> None:
            while not stop.is_set():
                wake.wait(console.refresh)
                wake.clear()
                if not stop.is_set() and (blank_first.is_set() or console.needs_redraw()):
                    draw()

        def resized(*_) -> None:
            blank_first.set()
            wake.set()

        def read_line(question: str) -> str:
            asking["prompt"] = question
            draw()
            while True:
                key = keyboard.next_key()
                if key in (terminal.PAGE_UP, terminal.PAGE_DOWN):
                    console.scroll(-1 if key == terminal.PAGE_UP else 1)
                elif key == "\x0c":  # Ctrl-L: draw the screen afresh
                    blank_first.set()
                else:
                    line = editor.feed(key)
                    if line is not None:
                        return line
                if not keyboard.pending():  # a pasted line is drawn once, not once per character
                    draw()

        def confirm(question: str) -> bool:
            busy, asking["busy"] = asking["busy"], None
            try:
                return read_line(question).strip().lower() in ("y", "ya", "yes")
            except EOFError:
                return False
            finally:
                asking["busy"] = busy

        thread = threading.Thread(target=refresher, name="redraw", daemon=True)
        previous = signal.signal(signal.SIGWINCH, resized) if hasattr(signal, "SIGWINCH") else None
        thread.start()
        try:
            while True:
                try:
                    line = read_line(prompt)
                except EOFError:
                    return
                asking["busy"] = line  # shown with … until the server answers
                draw()
                try:
                    if not step(console, line, confirm=confirm):
                        return
                finally:
                    asking.update(prompt=prompt, busy=None)
        finally:
            stop.set()
            wake.set()
            thread.join()
            if previous is not None:
                signal.signal(signal.SIGWINCH, previous)


# ---------------------------------------------------------------------------- entry


def parse_args(argv=None) -> argparse.Namespace:
    # Installed as the ``proctor-console`` command, or run as ``python -m proctor_console``.
    called = os.path.basename(sys.argv[0])
    prog = "python -m proctor_console" if called.endswith(".py") or not called else called
    parser = argparse.ArgumentParser(prog=prog,
                                     description="Terminal proctor console: watch a session and steer it.")
    server = parser.add_mutually_exclusive_group(required=True)
    server.add_argument("--server", metavar="URL", help="the exam server, e.g. http://10.0.0.5:8000")
    server.add_argument("--url", dest="server", help=argparse.SUPPRESS)  # the old name of --server, for old scripts
    parser.add_argument("--session", type=int, metavar="ID",
                        help="session id to watch (default: the only session assigned)")
    parser.add_argument("--username", metavar="NAME", default=os.environ.get("PROCTOR_USERNAME"),
                        help="staff username (default PROCTOR_USERNAME, else asked); "
                             "the password comes from PROCTOR_PASSWORD or a prompt")
    parser.add_argument("--lang", choices=("id", "en"), default="id", help="language of the console (default id)")
    parser.add_argument("--plain", action="store_true", help="print lines instead of the live view")
    parser.add_argument("--no-color", action="store_true", help="no colours (also when NO_COLOR is set)")
    parser.add_argument("--refresh", type=float, default=1.0, metavar="S",
                        help="seconds between redraws of the live view (default 1; more saves bandwidth)")
    return parser.parse_args(argv)


def ask_username(args: argparse.Namespace) -> str:
    if args.username:
        return args.username
    if not sys.stdin.isatty():  # the commands come on stdin: it cannot answer a question too
        raise ConsoleFailure("give the staff username with --username (or PROCTOR_USERNAME)")
    try:
        username = input("username: ").strip()
    except EOFError:
        username = ""
    if not username:
        raise ConsoleFailure("no username given")
    return username


def main(argv=None) -> int:
    args = parse_args(argv)
    base_url = args.server.rstrip("/")
    out = RichConsole(no_color=True if args.no_color else None, highlight=False, markup=False, emoji=False,
                      width=None if sys.stdout.isatty() else shutil.get_terminal_size((120, 24)).columns)
    live_view = (termios is not None and sys.stdin.isatty() and sys.stdout.isatty() and not args.plain
                 and not out.is_dumb_terminal)
    password = os.environ.get("PROCTOR_PASSWORD")
    console = None
    try:
        username = ask_username(args)
        if password is None:
            password = getpass.getpass(f"password for {username}: ")
        token = staff_login(base_url, username, password)["token"]
        session_id = choose_session(base_url, token, args.session)
        console = Console(base_url, token, session_id, lang=args.lang, live_view=live_view, out=out,
                          refresh=max(0.5, args.refresh))
        console.connect()
        if not console.snapshot_ready.wait(FIRST_SNAPSHOT_TIMEOUT):
            raise ConsoleFailure("no snapshot from the server in time")
        if console.fatal:
            raise ConsoleFailure(console.fatal)
        if live_view:
            live_loop(console)
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
