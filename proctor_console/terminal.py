"""The terminal console's pure parts: commands typed at the prompt, and the text it prints.

Nothing here touches the network or the clock: the live part
(:mod:`proctor_console.terminal_app`) feeds these functions the candidates it
holds and prints what they return, so they are tested without a server.
"""
from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping

ENDED = frozenset({"submitted", "timed_out", "ended_by_proctor"})
MAX_EXTENSION_MINUTES = 600

TEXT: dict[str, dict[str, str]] = {
    "id": {
        "col_id": "ID", "col_number": "No", "col_name": "Nama", "col_seat": "Kursi", "col_status": "Status",
        "col_conn": "Kon", "col_answered": "Jawab", "col_flagged": "Ragu", "col_total": "Total",
        "col_remaining": "Sisa", "col_alerts": "Pel",
        "not_started": "belum", "in_progress": "kerja", "paused": "jeda", "submitted": "selesai",
        "timed_out": "habis", "ended_by_proctor": "diakhiri",
        "counts": ("tersambung {connected} · mengerjakan {in_progress} · jeda {paused} · selesai {finished} · "
                   "belum {not_started}"),
        "no_candidates": "(belum ada peserta)",
        "ok": "ok", "refused": "ditolak", "cancelled": "dibatalkan", "no_answer": "server tidak menjawab",
        "paused_n": "{n} peserta dijeda", "resumed_n": "{n} peserta dilanjutkan",
        "extended": "sisa waktu sekarang {remaining}", "ended": "ujian diakhiri (total {total})",
        "reset": "login direset", "announced": "pengumuman terkirim", "watching": "memantau sesi {name} ({exam})",
        "help": ("perintah: pause ID|all [alasan] · resume ID|all [alasan] · extend ID MENIT [alasan] · "
                 "end ID [alasan] · reset ID [alasan] · say TEKS · table · help · quit\n"
                 "ID = nomor peserta (P-001) atau ID percobaan (#12)"),
        "err_unknown": "perintah tidak dikenal: {word} (ketik help)",
        "err_target": "{action} perlu ID peserta{all}",
        "err_minutes": "extend perlu ID dan jumlah menit (1–600), mis. extend P-001 5",
        "err_text": "say perlu teks pengumuman",
        "err_no_candidate": "tidak ada peserta {target} di sesi ini",
        "or_all": " atau all",
        "alert": "peringatan",
    },
    "en": {
        "col_id": "ID", "col_number": "No", "col_name": "Name", "col_seat": "Seat", "col_status": "Status",
        "col_conn": "Con", "col_answered": "Answ", "col_flagged": "Flag", "col_total": "Total",
        "col_remaining": "Left", "col_alerts": "Alr",
        "not_started": "waiting", "in_progress": "running", "paused": "paused", "submitted": "submitted",
        "timed_out": "timed out", "ended_by_proctor": "ended",
        "counts": ("connected {connected} · in progress {in_progress} · paused {paused} · finished {finished} · "
                   "not started {not_started}"),
        "no_candidates": "(no candidates yet)",
        "ok": "ok", "refused": "refused", "cancelled": "cancelled", "no_answer": "the server did not answer",
        "paused_n": "{n} candidates paused", "resumed_n": "{n} candidates resumed",
        "extended": "time left now {remaining}", "ended": "exam ended (total {total})",
        "reset": "login reset", "announced": "announcement sent", "watching": "watching session {name} ({exam})",
        "help": ("commands: pause ID|all [reason] · resume ID|all [reason] · extend ID MINUTES [reason] · "
                 "end ID [reason] · reset ID [reason] · say TEXT · table · help · quit\n"
                 "ID = participant number (P-001) or attempt id (#12)"),
        "err_unknown": "unknown command: {word} (type help)",
        "err_target": "{action} needs a candidate ID{all}",
        "err_minutes": "extend needs an ID and a number of minutes (1-600), e.g. extend P-001 5",
        "err_text": "say needs the announcement text",
        "err_no_candidate": "no candidate {target} in this session",
        "or_all": " or all",
        "alert": "alert",
    },
}

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
        return f"{say(lang, 'refused')}: {clean(str(error.get('message') or error.get('code') or ''))}"
    action = command.action
    if action in ("pause", "resume"):
        done = say(lang, "paused_n" if action == "pause" else "resumed_n", n=len(ack.get("attempts") or []))
    elif action == "extend":
        done = say(lang, "extended", remaining=clock(ack.get("remaining_ms")))
    elif action == "end":
        done = say(lang, "ended", total=(ack.get("result") or {}).get("total", "?"))
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


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """Cut to ``width`` columns (with … when cut) and pad to exactly that width."""
    text = clean(text)
    if display_width(text) > width:
        while text and display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


ANSI = {"green": "32", "yellow": "33", "red": "31", "blue": "34", "magenta": "35", "dim": "2", "bold": "1",
        "alert": "1;41;97"}
STATUS_COLOUR = {"in_progress": "green", "paused": "yellow", "submitted": "blue", "timed_out": "magenta",
                 "ended_by_proctor": "red", "not_started": "dim"}


def paint(text: str, colour: str | None, enabled: bool) -> str:
    return f"\x1b[{ANSI[colour]}m{text}\x1b[0m" if enabled and colour else text


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


def format_table(candidates: list[Mapping], *, remaining: Mapping[int, int | None] | None = None, sections=None,
                 items: int | None = None, new_alerts: Iterable[int] = (), width: int = 100, colour: bool = False,
                 lang: str = "id") -> str:
    """The hall as a compact table, ordered by participant number; names are cut to fit ``width``."""
    if not candidates:
        return say(lang, "no_candidates")
    remaining = remaining or {}
    new_alerts = set(new_alerts)
    names = section_names(candidates, sections)
    rows = []
    for c in sorted(candidates, key=lambda c: str(c["participant_number"])):
        score = c.get("score") or {}
        left = remaining.get(c["attempt_id"], c.get("remaining_ms"))
        alerts = str(c.get("violations", 0)) + ("!" if c["attempt_id"] in new_alerts else "")
        rows.append((c, [
            f"#{c['attempt_id']}", str(c["participant_number"]), str(c.get("name", "")), str(c.get("seat") or "-"),
            say(lang, c["status"]) if c["status"] in TEXT["id"] else str(c["status"]),
            "on" if c.get("connected") else "--",
            f"{c.get('answered', 0)}/{items}" if items else str(c.get("answered", 0)), str(c.get("flagged", 0)),
            *[str((score.get("sections") or {}).get(n, "-")) for n in names], str(score.get("total", "-")),
            "-" if c["status"] in ENDED else clock(left), alerts,
        ]))
    heads = [say(lang, k) for k in ("col_id", "col_number", "col_name", "col_seat", "col_status", "col_conn",
                                    "col_answered", "col_flagged")]
    heads += names + [say(lang, k) for k in ("col_total", "col_remaining", "col_alerts")]
    right = {0, *range(6, len(heads))}  # numbers and times line up on the right
    widths = [max(display_width(clean(h)), *(display_width(clean(r[i])) for _, r in rows)) for i, h in enumerate(heads)]
    name_col = 2
    others = sum(w for i, w in enumerate(widths) if i != name_col) + len(widths) - 1
    widths[name_col] = max(8, min(widths[name_col], width - others))

    def cell_text(i: int, text: str) -> str:
        return clean(text).rjust(widths[i]) if i in right else fit(text, widths[i])

    lines = [" ".join(cell_text(i, h) for i, h in enumerate(heads)).rstrip()]
    for c, cells in rows:
        out = []
        for i, cell in enumerate(cells):
            text = cell_text(i, cell)
            if i == 4:
                text = paint(text, STATUS_COLOUR.get(c["status"]), colour)
            elif i == 5 and not c.get("connected"):
                text = paint(text, "red", colour)
            elif i == len(cells) - 1 and c.get("violations"):
                text = paint(text, "alert" if c["attempt_id"] in new_alerts else "red", colour)
            out.append(text)
        lines.append(" ".join(out).rstrip())
    return "\n".join(lines)


def format_header(session: Mapping, candidates: Iterable[Mapping], lang: str = "id") -> str:
    title = " · ".join(clean(x) for x in (session.get("name"), session.get("exam_code"), session.get("token")) if x)
    return f"{title}\n{say(lang, 'counts', **counts(candidates))}"


def format_alert(alert: Mapping, candidate: Mapping | None, lang: str = "id", colour: bool = False) -> str:
    """``[10:42:07] ! P-002 Budi Santoso: focus_lost — detail`` (the time is the server's, shown in local time)."""
    at = alert.get("at")
    stamp = time.strftime("%H:%M:%S", time.localtime(at / 1000)) if isinstance(at, (int, float)) else "--:--:--"
    if candidate:
        who = f"{candidate['participant_number']} {candidate.get('name', '')}"
    else:
        who = f"#{alert.get('attempt_id')}"
    line = f"[{stamp}] ! {clean(who)}: {clean(alert.get('type', say(lang, 'alert')))}"
    if alert.get("detail"):
        line += f" — {clean(alert['detail'])}"
    return paint(line, "red", colour)
