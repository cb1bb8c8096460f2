"""The terminal console's pure parts: commands typed at the prompt, and what it shows.

Nothing here touches the network, the terminal or the clock: the live part
(:mod:`proctor_console.terminal_app`) feeds these functions the candidates it
holds and hands what they return (rich renderables) to a ``rich`` console,
so they are tested without a server by rendering them to text.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Iterable, Mapping

from rich import box
from rich.cells import cell_len
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from exam_server.domain.attempt_status import ENDED
from exam_server.i18n import LOCALES, errors, keyed, labels
from exam_server.i18n.formatting import Formatter
MAX_EXTENSION_MINUTES = 600

# The console's texts are in the server's catalogs (exam_server/i18n/tables.py, docs/i18n.md).
TEXT: dict[str, dict[str, str]] = {locale: keyed("terminal", locale) for locale in LOCALES}

# Indonesian words for the same commands, for a proctor who types them.
ALIASES = {
    "jeda": "pause", "lanjut": "resume", "lanjutkan": "resume", "tambah": "extend", "akhiri": "end",
    "umumkan": "say", "announce": "say", "tabel": "table", "t": "table", "bantuan": "help", "?": "help",
    "keluar": "quit", "q": "quit", "exit": "quit",
}
ACTIONS = ("pause", "resume", "extend", "end", "reset", "say", "table", "help", "quit")
EVENTS = {"pause": "pause", "resume": "resume", "extend": "extend", "end": "end_attempt", "reset": "reset_login",
          "say": "announce"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def say(lang: str, key: str, **values) -> str:
    """A text in the chosen language (Indonesian when unknown), with its {values} filled in."""
    text = TEXT.get(lang, TEXT["id"]).get(key) or TEXT["id"][key]
    return text.format(**values) if values else text


class CommandError(ValueError):
    """A line the console cannot act on; the message says why, in the console's language."""


@dataclass(frozen=True)
class Command:
    action: str
    target: str | None = None     # "all", a participant number, or "#<attempt id>"
    minutes: float | None = None
    text: str = ""                # the reason, or the announcement for ``say``


def parse_command(line: str, lang: str = "id") -> Command | None:
    """One typed line → a Command (None for a blank line). Raises CommandError with a readable message."""
    words = line.strip().split(None, 1)
    if not words:
        return None
    action = ALIASES.get(words[0].lower(), words[0].lower())
    rest = words[1].strip() if len(words) > 1 else ""
    if action not in ACTIONS:
        raise CommandError(say(lang, "err_unknown", word=clean(words[0])))
    if action in ("table", "help", "quit"):
        return Command(action)
    if action == "say":
        if not rest:
            raise CommandError(say(lang, "err_text"))
        return Command("say", text=rest)
    target, _, rest = rest.partition(" ")
    if not target:
        or_all = say(lang, "or_all") if action in ("pause", "resume") else ""
        raise CommandError(say(lang, "err_target", action=action, all=or_all))
    if target.lower() == "all":
        if action not in ("pause", "resume"):
            raise CommandError(say(lang, "err_target", action=action, all=""))
        target = "all"
    if action != "extend":
        return Command(action, target=target, text=rest.strip())
    amount, _, reason = rest.strip().partition(" ")
    try:
        minutes = float(amount.replace(",", "."))
    except ValueError:
        raise CommandError(say(lang, "err_minutes")) from None
    if not 0 < minutes <= MAX_EXTENSION_MINUTES:
        raise CommandError(say(lang, "err_minutes"))
    whole = int(minutes) if minutes.is_integer() else minutes
    return Command("extend", target=target, minutes=whole, text=reason.strip())


def resolve_target(target: str, candidates: Iterable[Mapping], lang: str = "id") -> int:
    """The attempt id a typed ID names: a participant number (any case) first, then ``#12`` or ``12`` as attempt id."""
    candidates = list(candidates)
    for c in candidates:
        if str(c["participant_number"]).lower() == target.lower():
            return int(c["attempt_id"])
    digits = target[1:] if target.startswith("#") else target
    if digits.isdigit() and any(int(c["attempt_id"]) == int(digits) for c in candidates):
        return int(digits)
    raise CommandError(say(lang, "err_no_candidate", target=clean(target)))


def request_for(command: Command, session_id: int, candidates: Iterable[Mapping], lang: str = "id") -> tuple[str, dict]:
    """The /proctor event and payload that carry out a command."""
    event = EVENTS[command.action]
    if command.action == "say":
        return event, {"session_id": session_id, "text": command.text}
    if command.target == "all":
        payload: dict = {"session_id": session_id}
    else:
        payload = {"attempt_id": resolve_target(command.target or "", candidates, lang)}
    if command.action == "extend":
        payload["minutes"] = command.minutes
    if command.text:
        payload["reason"] = command.text
    return event, payload


def describe_ack(command: Command, ack: Mapping | None, lang: str = "id") -> str:
    """One line that says what the server answered."""
    if not ack:
        return say(lang, "no_answer")
    if not ack.get("ok"):
        error = ack.get("error") or {}
        return f"{say(lang, 'refused')}: {clean(errors.message(str(error.get('message') or error.get('code') or ''), lang))}"
    action = command.action
    if action in ("pause", "resume"):
        done = say(lang, "paused_n" if action == "pause" else "resumed_n", n=len(ack.get("attempts") or []))
    elif action == "extend":
        done = say(lang, "extended", remaining=clock(ack.get("remaining_ms")))
    elif action == "end":
        done = say(lang, "ended", total=Formatter(lang).number((ack.get("result") or {}).get("total", "?")))
    else:
        done = say(lang, "reset" if action == "reset" else "announced")
    return f"{say(lang, 'ok')}: {done}"


# ---------------------------------------------------------------------------- text out


def clean(text) -> str:
    """Text safe to print: no control characters (a name must not move the cursor or clear the screen)."""
    return _CONTROL.sub("", str(text))


def clock(ms) -> str:
    if not isinstance(ms, (int, float)):
        return "-"
    seconds = max(0, int(ms // 1000))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def live_remaining(candidate: Mapping, received_at: float, now: float) -> int | None:
    """Time left now: it runs down from the value received only while the attempt is in progress."""
    remaining = candidate.get("remaining_ms")
    if not isinstance(remaining, (int, float)):
        return None
    if candidate.get("status") != "in_progress":
        return int(remaining)
    return max(0, int(remaining - (now - received_at) * 1000))


STATUS_STYLE = {"in_progress": "green", "paused": "yellow", "submitted": "blue", "timed_out": "magenta",
                "ended_by_proctor": "red", "not_started": "dim"}
NEW_ALERT_STYLE = "bold bright_white on red"


def text(value, style: str = "", **options) -> Text:
    """A table cell or a line: always plain text with control characters removed, never rich markup."""
    return Text(clean(value), style=style, **options)


def status_label(status, lang: str = "id") -> str:
    return say(lang, status) if status in STATUS_STYLE else clean(status)


def counts(candidates: Iterable[Mapping]) -> dict[str, int]:
    tally = {"connected": 0, "in_progress": 0, "paused": 0, "finished": 0, "not_started": 0}
    for c in candidates:
        tally["connected"] += bool(c.get("connected"))
        status = c.get("status")
        key = "finished" if status in ENDED else status
        if key in tally:
            tally[key] += 1
    return tally


def section_names(candidates: Iterable[Mapping], declared=None) -> list[str]:
    if declared:
        return [s if isinstance(s, str) else s["name"] for s in declared]
    names: list[str] = []
    for c in candidates:
        for name in (c.get("score") or {}).get("sections") or {}:
            if name not in names:
                names.append(name)
    return names


def header(session: Mapping, candidates: Iterable[Mapping], lang: str = "id") -> Text:
    """Two lines: the session (name · exam · token) and the counts of the hall."""
    title = " · ".join(clean(x) for x in (session.get("name"), session.get("exam_code"), session.get("token")) if x)
    return Text.assemble((title, "bold"), "\n", say(lang, "counts", **counts(candidates)))


LEFT_ALIGNED = frozenset({"col_number", "col_name", "col_seat", "col_status", "col_conn"})
NAME_ROOM = 12  # columns the name keeps before less needed columns are left out
DROPPED_FIRST = ("col_id", "col_flagged", "col_seat")  # after the section points, when the terminal is narrow
SECTION = "section:"


def candidates_table(candidates: Iterable[Mapping], *, remaining: Mapping[int, int | None] | None = None,
                     sections=None, items: int | None = None, new_alerts: Iterable[int] = (),
                     width: int | None = None, lang: str = "id") -> Table:
    """The hall as a compact table, one line per candidate ordered by participant number.

    ``remaining`` is the time left to show (the ticking value), by attempt id.
    Given the ``width`` of the terminal, columns a proctor can do without are
    left out while the row would not fit (section points, then attempt id,
    doubtful, seat); what is still too wide is taken from the name, cut with ….
    """
    candidates = sorted(candidates, key=lambda c: str(c["participant_number"]))
    remaining = remaining or {}
    new_alerts = set(new_alerts)
    names = section_names(candidates, sections)
    keys = ["col_id", "col_number", "col_name", "col_seat", "col_status", "col_conn", "col_answered", "col_flagged",
            *(SECTION + n for n in names), "col_total", "col_remaining", "col_alerts"]
    headings = [n[len(SECTION):] if n.startswith(SECTION) else say(lang, n) for n in keys]
    rows = []
    for c in candidates:
        score = c.get("score") or {}
        attempt_id = c["attempt_id"]
        violations = c.get("violations") or 0
        left = remaining.get(attempt_id, c.get("remaining_ms"))
        new = attempt_id in new_alerts
        rows.append([
            text(f"#{attempt_id}"), text(c["participant_number"]),
            text(c.get("name", ""), no_wrap=True, overflow="ellipsis"), text(c.get("seat") or "-"),
            text(status_label(c["status"], lang), STATUS_STYLE.get(c["status"], "")),
            # red only for who was in and dropped out; who never came in is no alarm
            text("on") if c.get("connected") else text("--", "red" if c.get("ever_connected", True) else "dim"),
            text(f"{c.get('answered', 0)}/{items}" if items else c.get("answered", 0)), text(c.get("flagged", 0)),
            *[text((score.get("sections") or {}).get(n, "-")) for n in names], text(score.get("total", "-")),
            text("-" if c["status"] in ENDED else clock(left)),
            text(f"{violations}{'!' if new else ''}", NEW_ALERT_STYLE if new else "red" if violations else ""),
        ])
    shown = list(range(len(keys)))
    if width:
        natural = [max(cell_len(h), *(row[i].cell_len for row in rows)) for i, h in enumerate(headings)]
        natural[keys.index("col_name")] = min(natural[keys.index("col_name")], NAME_ROOM)
        sections_last_first = [k for k in reversed(keys) if k.startswith(SECTION)]
        optional = [keys.index(k) for k in (*sections_last_first, *DROPPED_FIRST)]
        while optional and sum(natural[i] for i in shown) + len(shown) - 1 > width:
            shown.remove(optional.pop(0))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, padding=0, header_style="bold",
                  caption=None if candidates else text(say(lang, "no_candidates")), caption_justify="left")
    for i in shown:
        heading = text(headings[i], no_wrap=True)
        if keys[i] == "col_name":  # the column that gives way (its cells are cut, never wrapped)
            table.add_column(heading, min_width=8, no_wrap=False)
        else:
            table.add_column(heading, no_wrap=True, justify="left" if keys[i] in LEFT_ALIGNED else "right")
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table


def alert_line(alert: Mapping, candidate: Mapping | None, lang: str = "id") -> Text:
    """``[10:42:07] ! P-002 Budi Santoso: jendela ujian ditinggalkan — detail`` (the server's time, shown locally)."""
    at = alert.get("at")
    stamp = time.strftime("%H:%M:%S", time.localtime(at / 1000)) if isinstance(at, (int, float)) else "--:--:--"
    if candidate:
        who = f"{candidate['participant_number']} {candidate.get('name', '')}"
    else:
        who = f"#{alert.get('attempt_id')}"
    kind = labels.label(labels.ALERT, alert["type"], lang) if alert.get("type") else say(lang, "alert")
    line = f"[{stamp}] ! {clean(who)}: {clean(kind)}"
    if alert.get("detail"):
        line += f" — {clean(labels.alert_detail(alert['detail'], lang))}"
    return text(line, "red")


def site_line(site: Mapping, lang: str = "id") -> Text:
    """At a hub: a watched session's site went off line (with when it was last heard) or came back."""
    from datetime import datetime

    heard = "--:--"
    try:
        heard = datetime.fromisoformat(str(site.get("last_seen")).replace("Z", "+00:00")).astimezone().strftime("%H:%M")
    except ValueError:
        pass
    key = "site_on" if site.get("online") else "site_off"
    return text(say(lang, key, site=clean(str(site.get("site", "?"))), time=heard), "green" if site.get("online") else "red")


def status_line(candidate: Mapping, lang: str = "id") -> Text:
    """The line printed in plain mode when a candidate's status or connection changes."""
    c = candidate
    return text(f"  {c['participant_number']} {c.get('name', '')}: {status_label(c['status'], lang)}, "
                f"{'on' if c.get('connected') else '--'}, {c.get('answered', 0)}")


def alerts_panel(alerts: list[Text], lang: str = "id") -> Panel:
    """The latest alerts, newest last, one line each."""
    lines = Text("\n").join(alerts) if alerts else text(say(lang, "no_alerts"), "dim")
    lines.no_wrap, lines.overflow = True, "ellipsis"
    return Panel(lines, title=say(lang, "alerts_title"), title_align="left", box=box.ROUNDED,
                 border_style="red" if alerts else "dim")


def prompt_line(prompt: str, editor: LineEditor, busy: str | None = None, width: int | None = None) -> Text:
    """The prompt with what is typed so far and a cursor (or, while a command waits, the command and …)."""
    prompt = clean(prompt)
    if busy is not None:
        return Text.assemble(prompt, clean(busy), (" …", "dim"))
    before, at, after = editor.buffer[:editor.cursor], editor.buffer[editor.cursor:editor.cursor + 1] or " ", \
        editor.buffer[editor.cursor + 1:]
    if width:  # keep the cursor in view: drop the start of a line longer than the screen (last column left free)
        room = max(0, width - cell_len(prompt) - 2)  # the columns left of the cursor, at most
        before = before[max(0, len(before) - room):]
        after = after[:room - len(before)]
    return Text.assemble(prompt, before, (at, "reverse"), after)


@dataclass
class Screen:
    """What the live view shows: header, the table (the rows that fit), alerts panel, last messages, prompt.

    It renders to at most the height of the terminal: when the hall does not
    fit, a window of ``offset`` onwards is shown with a line saying which rows
    (PgUp/PgDn move it). After rendering, ``first`` and ``shown`` say which rows
    were on screen.
    """

    header: Text
    table: Table
    rows: int
    alerts: Panel
    messages: list[str]
    prompt: Text
    offset: int = 0
    lang: str = "id"
    first: int = 0
    shown: int = 0

    def __rich_console__(self, console, options):
        height = options.height or options.size.height
        messages = Text("\n").join(text(m) for m in self.messages)
        below = [self.alerts, *([messages] if self.messages else []), self.prompt]
        used = sum(len(console.render_lines(part, options, pad=False)) for part in [self.header, *below])
        table_lines = console.render_lines(self.table, options.update(height=None), pad=False)
        head = len(table_lines) - self.rows
        room = height - used - head
        if self.rows <= room:
            self.first, self.shown = 0, self.rows
            rows_lines, note = table_lines[head:], None
        else:
            self.shown = max(1, room - 1)  # the last line says which rows
            self.first = max(0, min(self.offset, self.rows - self.shown))
            rows_lines = table_lines[head + self.first:head + self.first + self.shown]
            note = text(say(self.lang, "rows", first=self.first + 1, last=self.first + self.shown, total=self.rows),
                        "dim", no_wrap=True, overflow="ellipsis")
        yield self.header
        for line in [*table_lines[:head], *rows_lines]:
            yield from line
            yield Segment.line()
        if note is not None:
            yield note
        yield from below


# ---------------------------------------------------------------------------- typing at the prompt

UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
HOME, END, DELETE, PAGE_UP, PAGE_DOWN = "\x1b[H", "\x1b[F", "\x1b[3~", "\x1b[5~", "\x1b[6~"
_SAME_KEY = {"\x1b[1~": HOME, "\x1b[7~": HOME, "\x1b[4~": END, "\x1b[8~": END}
_CSI = re.compile(r"\x1b\[[0-9;?]*[@-~]")


def split_keys(typed: str) -> tuple[list[str], str]:
    """Characters read from a terminal → keys (an escape sequence is one key), and an unfinished sequence left over.

    ``\\x1bOA`` (arrows in application mode) is the same key as ``\\x1b[A``; ``\\r\\n`` is one Enter.
    """
    keys: list[str] = []
    i = 0
    while i < len(typed):
        ch = typed[i]
        if ch == "\x1b":
            if i + 1 == len(typed) or (typed[i + 1] in "[O" and i + 2 == len(typed)):
                return keys, typed[i:]
            if typed[i + 1] == "[":
                match = _CSI.match(typed, i)
                if match is None:
                    if re.fullmatch(r"\x1b\[[0-9;?]*", typed[i:]):
                        return keys, typed[i:]
                    keys.append(typed[i:i + 2])
                    i += 2
                    continue
                keys.append(_SAME_KEY.get(match.group(), match.group()))
                i = match.end()
                continue
            if typed[i + 1] == "O":
                keys.append("\x1b[" + typed[i + 2])
                i += 3
                continue
            keys.append(typed[i:i + 2])  # Alt + a key
            i += 2
            continue
        if ch == "\r" and typed[i + 1:i + 2] == "\n":
            i += 1
            continue
        keys.append(ch)
        i += 1
    return keys, ""


class LineEditor:
    """The line being typed at the prompt of the live view (the terminal does not echo it: the view draws it).

    ``feed`` takes one key and returns the line when Enter is pressed; Ctrl-D on
    an empty line raises EOFError, like ``input()``. Left/Right, Home/End
    (Ctrl-A/Ctrl-E), Backspace, Delete, Ctrl-U, Ctrl-W, Esc (clear) and Up/Down
    (earlier lines) work as in a shell.
    """

    HISTORY = 50

    def __init__(self) -> None:
        self.buffer = ""
        self.cursor = 0
        self.history: list[str] = []
        self._back = 0  # how far back in the history Up has gone

    def _set(self, buffer: str, cursor: int | None = None) -> None:
        self.buffer = buffer
        self.cursor = len(buffer) if cursor is None else cursor

    def feed(self, key: str) -> str | None:
        before, after = self.buffer[:self.cursor], self.buffer[self.cursor:]
        if key in ("\r", "\n"):
            line = self.buffer
            if line.strip() and (not self.history or self.history[-1] != line):
                self.history = [*self.history, line][-self.HISTORY:]
            self._set("")
            self._back = 0
            return line
        if key == "\x04":
            if not self.buffer:
                raise EOFError
            self._set(before + after[1:], self.cursor)
        elif key in ("\x7f", "\x08"):
            self._set(before[:-1] + after, max(0, self.cursor - 1))
        elif key == DELETE:
            self._set(before + after[1:], self.cursor)
        elif key == LEFT:
            self.cursor = max(0, self.cursor - 1)
        elif key == RIGHT:
            self.cursor = min(len(self.buffer), self.cursor + 1)
        elif key in (HOME, "\x01"):
            self.cursor = 0
        elif key in (END, "\x05"):
            self.cursor = len(self.buffer)
        elif key == "\x15":
            self._set(after, 0)
        elif key == "\x17":
            kept = before.rstrip()
            kept = kept[:kept.rfind(" ") + 1] if " " in kept else ""
            self._set(kept + after, len(kept))
        elif key == "\x1b":
            self._set("")
        elif key in (UP, DOWN):
            self._back = max(0, min(len(self.history), self._back + (1 if key == UP else -1)))
            self._set(self.history[-self._back] if self._back else "")
        elif len(key) == 1 and (key.isprintable() or key == "\t"):
            key = " " if key == "\t" else key
            self._set(before + key + after, self.cursor + 1)
        return None
