"""The terminal console's pure parts: what a typed line means, what the live view and the table look like.

What is shown is built as rich renderables; the tests render them to text the
way a terminal without colours would.
"""
from __future__ import annotations

import io

import pytest
from rich.console import Console

from proctor_console.terminal import (
    DOWN, LEFT, PAGE_UP, UP, Command, CommandError, LineEditor, Screen, alert_line, alerts_panel, candidates_table,
    clean, clock, describe_ack, header, live_remaining, parse_command, prompt_line, request_for, resolve_target,
    split_keys, status_line,
)


def render(renderable, width: int = 120, height: int | None = None, colour: bool = False) -> str:
    """What a terminal ``width`` columns wide shows (with the ANSI codes when ``colour``)."""
    if colour:
        console = Console(file=io.StringIO(), width=width, height=height, color_system="standard",
                          force_terminal=True)
    else:
        console = Console(file=io.StringIO(), width=width, height=height, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def candidate(attempt_id: int, number: str, name: str, **overrides) -> dict:
    base = {"attempt_id": attempt_id, "participant_number": number, "name": name, "seat": f"A-0{attempt_id}",
            "status": "not_started", "connected": False, "answered": 0, "flagged": 0, "remaining_ms": 1_800_000,
            "score": {"total": "0.00", "sections": {"TWK": "0.00", "TKP": "0.00"}}, "violations": 0, "session_id": 1}
    return {**base, **overrides}


HALL = [
    candidate(12, "P-002", "Budi Santoso", status="in_progress", connected=True, answered=4, flagged=1,
              score={"total": "17.50", "sections": {"TWK": "15.00", "TKP": "2.50"}}, violations=2),
    candidate(11, "P-001", "Ani Lestari"),
    candidate(13, "P-003", "Citra Dewi", status="ended_by_proctor", remaining_ms=0),
]


@pytest.mark.parametrize("line, expected", [
    ("pause all", Command("pause", target="all")),
    ("  PAUSE   P-001  listrik padam ", Command("pause", target="P-001", text="listrik padam")),
    ("resume all semua siap", Command("resume", target="all", text="semua siap")),
    ("extend P-001 5", Command("extend", target="P-001", minutes=5)),
    ("extend #12 2,5 gangguan jaringan", Command("extend", target="#12", minutes=2.5, text="gangguan jaringan")),
    ("end P-003 menyontek", Command("end", target="P-003", text="menyontek")),
    ("reset P-002", Command("reset", target="P-002")),
    ("say Harap tenang, waktu tinggal 10 menit", Command("say", text="Harap tenang, waktu tinggal 10 menit")),
    ("jeda all", Command("pause", target="all")),
    ("akhiri P-001", Command("end", target="P-001")),
    ("umumkan Istirahat", Command("say", text="Istirahat")),
    ("table", Command("table")),
    ("help", Command("help")),
    ("quit", Command("quit")),
    ("q", Command("quit")),
    ("keluar", Command("quit")),
])
def test_a_typed_line_becomes_a_command(line, expected):
    assert parse_command(line) == expected


def test_a_blank_line_is_no_command():
    assert parse_command("   ") is None


@pytest.mark.parametrize("line, message", [
    ("dance", "perintah tidak dikenal: dance"),
    ("pause", "pause perlu ID peserta atau all"),
    ("end all", "end perlu ID peserta"),
    ("reset all", "reset perlu ID peserta"),
    ("extend P-001", "extend perlu ID dan jumlah menit"),
    ("extend P-001 lots", "extend perlu ID dan jumlah menit"),
    ("extend P-001 0", "extend perlu ID dan jumlah menit"),
    ("extend P-001 601", "extend perlu ID dan jumlah menit"),
    ("extend all 5", "extend perlu ID peserta"),
    ("say", "say perlu teks pengumuman"),
])
def test_a_line_the_console_cannot_act_on_says_why(line, message):
    with pytest.raises(CommandError, match=message):
        parse_command(line)


def test_errors_come_in_english_on_request():
    with pytest.raises(CommandError, match="unknown command: dance"):
        parse_command("dance", lang="en")


def test_a_candidate_is_named_by_participant_number_or_attempt_id():
    assert resolve_target("P-002", HALL) == 12
    assert resolve_target("p-002", HALL) == 12
    assert resolve_target("#13", HALL) == 13
    assert resolve_target("11", HALL) == 11
    with pytest.raises(CommandError, match="tidak ada peserta P-404"):
        resolve_target("P-404", HALL)
    with pytest.raises(CommandError):
        resolve_target("#99", HALL)


def test_commands_become_the_events_of_the_proctor_namespace():
    assert request_for(Command("pause", target="all", text="listrik padam"), 1, HALL) == (
        "pause", {"session_id": 1, "reason": "listrik padam"})
    assert request_for(Command("resume", target="P-002"), 1, HALL) == ("resume", {"attempt_id": 12})
    assert request_for(Command("extend", target="P-001", minutes=5, text="gangguan"), 1, HALL) == (
        "extend", {"attempt_id": 11, "minutes": 5, "reason": "gangguan"})
    assert request_for(Command("end", target="P-003"), 1, HALL) == ("end_attempt", {"attempt_id": 13})
    assert request_for(Command("reset", target="#12"), 1, HALL) == ("reset_login", {"attempt_id": 12})
    assert request_for(Command("say", text="Harap tenang"), 7, HALL) == (
        "announce", {"session_id": 7, "text": "Harap tenang"})


def test_the_servers_answer_is_one_readable_line():
    assert describe_ack(Command("pause", target="all"), {"ok": True, "attempts": [1, 2]}) == "ok: 2 peserta dijeda"
    assert describe_ack(Command("extend", target="P-001", minutes=5), {"ok": True, "remaining_ms": 2_100_000}) == \
        "ok: sisa waktu sekarang 0:35:00"
    assert describe_ack(Command("end", target="P-001"), {"ok": True, "result": {"total": "12.50"}}) == \
        "ok: ujian diakhiri (total 12,50)"
    refused = {"ok": False, "error": {"code": "conflict", "message": "attempt 12 is not paused"}}
    assert describe_ack(Command("resume", target="P-002"), refused) == "ditolak: peserta #12 tidak sedang dijeda"
    assert describe_ack(Command("resume", target="P-002"), refused, lang="en") == "refused: attempt 12 is not paused"
    assert describe_ack(Command("reset", target="P-002"), None, lang="en") == "the server did not answer"


def test_the_table_lists_every_candidate_by_participant_number_with_sections_and_time():
    table = render(candidates_table(HALL, items=6))
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "No", "Nama", "Kursi", "Status", "Kon", "Jawab", "Ragu", "TWK", "TKP", "Total",
                                "Sisa", "Pel"]
    assert set(lines[1]) == {"─"}
    assert [line.split()[1] for line in lines[2:]] == ["P-001", "P-002", "P-003"]
    budi = lines[3].split()
    assert budi[:5] == ["#12", "P-002", "Budi", "Santoso", "A-012"] and budi[5:7] == ["kerja", "on"]
    assert budi[-7:] == ["4/6", "1", "15.00", "2.50", "17.50", "0:30:00", "2"]
    assert lines[2].split()[6] == "--"  # not connected
    assert lines[4].split()[-2] == "-"  # an ended attempt has no time left
    assert "\x1b[" not in table


def test_the_table_speaks_english_on_request_and_says_when_the_hall_is_empty():
    lines = render(candidates_table(HALL, lang="en")).splitlines()
    assert lines[0].split()[:5] == ["ID", "No", "Name", "Seat", "Status"] and "running" in lines[3]
    assert "(belum ada peserta)" in render(candidates_table([]))


def test_long_names_are_cut_to_the_width_and_columns_stay_aligned():
    long = [candidate(1, "P-001", "Raden Mas " + "Panjang " * 12), candidate(2, "P-002", "Ani")]
    lines = render(candidates_table(long, width=90), width=90).splitlines()
    assert all(len(line) <= 90 for line in lines)
    assert "…" in lines[2] and "Raden Mas" in lines[2]
    assert lines[2].index("A-01") == lines[3].index("A-02")
    assert len(lines) == 4  # a long name is cut, never wrapped onto a second line


def test_on_a_narrow_terminal_the_columns_a_proctor_can_do_without_are_left_out():
    lines = render(candidates_table(HALL, items=6, width=60), width=60).splitlines()
    assert lines[0].split() == ["No", "Nama", "Status", "Kon", "Jawab", "Total", "Sisa", "Pel"]
    assert lines[3].split() == ["P-002", "Budi", "Santoso", "kerja", "on", "4/6", "17.50", "0:30:00", "2"]
    assert all(len(line) <= 60 for line in lines)
    assert render(candidates_table(HALL, width=120)).splitlines()[0].split()[-5:-3] == ["TWK", "TKP"]


def test_the_table_uses_the_remaining_time_it_is_given_and_marks_new_alerts():
    table = render(candidates_table(HALL, remaining={12: 61_000}, new_alerts={12}))
    assert "0:01:01" in table and "2!" in table


def test_status_colours_and_new_alerts_stand_out_on_a_colour_terminal():
    coloured = render(candidates_table(HALL, new_alerts={12}), colour=True)
    assert "\x1b[32mkerja" in coloured  # in progress is green
    assert "\x1b[31mdiakhiri" in coloured  # ended by the proctor is red
    assert "\x1b[1;97;41m" in coloured and "2!" in coloured  # a new alert: bold white on red


def test_names_cannot_smuggle_terminal_control_sequences_or_markup():
    hostile = [candidate(1, "P-001", "Eve\x1b[2J\x1b]0;owned\x07\r\nP-999 [bold red]x[/] :smile:")]
    table = render(candidates_table(hostile), colour=True)
    assert "\x1b[2J" not in table and "\x1b]" not in table and "\r" not in table and "\x07" not in table
    assert len(table.splitlines()) == 3
    assert "[bold red]x[/] :smile:" in render(candidates_table(hostile))  # shown as typed, never as markup
    alert = alert_line({"attempt_id": 1, "type": "focus_lost", "detail": "x\x1b[31m[blink]", "at": 1_800_000_000_000},
                       hostile[0])
    assert "\x1b" not in alert.plain and "jendela ujian ditinggalkan" in alert.plain and "[blink]" in alert.plain
    assert clean("a\tb\x00c\u009bd") == "abcd"


def test_the_header_counts_the_hall():
    shown = render(header({"name": "Sesi 1", "exam_code": "UJI-1", "token": "ABCDEF"}, HALL))
    assert shown.splitlines() == ["Sesi 1 · UJI-1 · ABCDEF",
                                  "tersambung 1 · mengerjakan 1 · jeda 0 · selesai 1 · belum 1"]
    assert render(header({"name": "S"}, HALL, lang="en")).splitlines()[1].startswith("connected 1 · in progress 1")


def test_an_alert_is_one_line_naming_the_candidate():
    line = alert_line({"attempt_id": 12, "type": "focus_lost", "detail": "left the window", "at": 1_800_000_000_000},
                      HALL[0])
    assert line.plain.endswith("] ! P-002 Budi Santoso: jendela ujian ditinggalkan — left the window")
    burst = alert_line({"attempt_id": 12, "type": "answer_burst", "detail": "31 answers within 10 s"}, HALL[0], "id")
    assert burst.plain.endswith(": jawaban beruntun — 31 jawaban dalam 10 detik")
    english = alert_line({"attempt_id": 12, "type": "answer_burst", "detail": "31 answers within 10 s"}, HALL[0], "en")
    assert english.plain.endswith(": burst of answers — 31 answers within 10 s")
    assert line.plain.startswith("[") and line.style == "red"
    assert alert_line({"attempt_id": 99}, None).plain == "[--:--:--] ! #99: peringatan"


def test_the_alerts_panel_shows_the_latest_alerts_one_line_each():
    alerts = [alert_line({"attempt_id": 12, "type": f"copy_{n}", "detail": "x" * 200}, HALL[0]) for n in range(2)]
    panel = render(alerts_panel(alerts), width=80).splitlines()
    assert "Peringatan" in panel[0] and len(panel) == 4  # border, two alerts, border
    assert "copy_0" in panel[1] and "copy_1" in panel[2] and panel[1].rstrip().endswith("… │")
    assert "(no alerts yet)" in render(alerts_panel([], lang="en"))


def test_a_change_of_status_is_one_plain_line():
    assert status_line(HALL[0]).plain == "  P-002 Budi Santoso: kerja, on, 4"
    assert status_line(HALL[1], lang="en").plain == "  P-001 Ani Lestari: waiting, --, 0"


def screen(candidates, *, offset=0, alerts=(), messages=("ok: 1 peserta dijeda",), typed="pause P-00") -> Screen:
    editor = LineEditor()
    for key in typed:
        editor.feed(key)
    return Screen(header=header({"name": "Sesi 1"}, candidates), table=candidates_table(candidates, width=100),
                  rows=len(candidates), alerts=alerts_panel(list(alerts)), messages=list(messages),
                  prompt=prompt_line("pengawas> ", editor, width=100), offset=offset)


def test_the_live_view_shows_header_table_alerts_messages_and_the_prompt():
    alert = alert_line({"attempt_id": 12, "type": "focus_lost", "at": 1_800_000_000_000}, HALL[0])
    lines = render(screen(HALL, alerts=[alert]), width=100, height=30).splitlines()
    assert lines[0] == "Sesi 1" and lines[1].startswith("tersambung 1")
    assert lines[2].split()[:3] == ["ID", "No", "Nama"]
    assert [line.split()[1] for line in lines[4:7]] == ["P-001", "P-002", "P-003"]
    assert "Peringatan" in lines[7] and "P-002 Budi Santoso: jendela ujian ditinggalkan" in lines[8]
    assert lines[-2] == "ok: 1 peserta dijeda"
    assert lines[-1].rstrip() == "pengawas> pause P-00"


def is_row(line: str) -> bool:
    return line.lstrip().startswith("#")


def test_a_hall_taller_than_the_terminal_shows_the_rows_that_fit_and_pages_through_them():
    hall = [candidate(n, f"P-{n:03d}", f"Peserta {n}") for n in range(1, 41)]
    top = screen(hall)
    lines = render(top, width=100, height=20).splitlines()
    assert len(lines) <= 20 and lines[-1].startswith("pengawas> ")
    rows = [line.split()[1] for line in lines if is_row(line)]
    assert rows[0] == "P-001" and (top.first, top.shown) == (0, len(rows))
    assert f"baris 1–{len(rows)} dari 40 · PgUp/PgDn" in "\n".join(lines)

    bottom = screen(hall, offset=100)  # past the end: the last page
    lines = render(bottom, width=100, height=20).splitlines()
    assert [line.split()[1] for line in lines if is_row(line)][-1] == "P-040"
    assert bottom.first == 40 - bottom.shown and "dari 40" in "\n".join(lines)

    tall = render(screen(hall), width=100, height=60).splitlines()
    assert sum(is_row(line) for line in tall) == 40 and "dari 40" not in "\n".join(tall)


def test_the_prompt_shows_what_is_typed_with_a_cursor_and_waits_with_the_command():
    editor = LineEditor()
    type_keys(editor, *"extend P-001 5 listrik", LEFT, LEFT)
    assert prompt_line("pengawas> ", editor).plain == "pengawas> extend P-001 5 listrik"
    coloured = render(prompt_line("pengawas> ", editor), colour=True)
    assert "listr\x1b[7mi\x1b[0mk" in coloured  # the cursor is the reversed character
    assert prompt_line("pengawas> ", editor, width=20).plain == "pengawas>  5 listri"  # the start gives way
    type_keys(editor, "\x05")
    assert prompt_line("pengawas> ", editor, width=20).plain == "pengawas>  listrik "  # the cursor after the end
    assert prompt_line("pengawas> ", editor, busy="pause all").plain == "pengawas> pause all …"


@pytest.mark.parametrize("typed, keys, rest", [
    ("ab\r", ["a", "b", "\r"], ""),
    ("ab\r\n", ["a", "b", "\n"], ""),  # one Enter
    ("\x1b[A\x1bOB\x1b[5~x", [UP, DOWN, PAGE_UP, "x"], ""),
    ("\x1b[1~\x1b[4~", ["\x1b[H", "\x1b[F"], ""),
    ("a\x1b", ["a"], "\x1b"),
    ("a\x1b[", ["a"], "\x1b["),
    ("a\x1b[5", ["a"], "\x1b[5"),
    ("\x1bx", ["\x1bx"], ""),
    ("é日", ["é", "日"], ""),
])
def test_what_the_terminal_sends_is_split_into_keys(typed, keys, rest):
    assert split_keys(typed) == (keys, rest)


def type_keys(editor: LineEditor, *keys: str):
    results = [editor.feed(key) for key in keys]
    return [r for r in results if r is not None]


def test_the_line_editor_edits_like_a_shell():
    editor = LineEditor()
    assert type_keys(editor, *"pause al", "\x7f", *"ll") == [] and editor.buffer == "pause all"
    assert type_keys(editor, "\x01", *"x ", "\x05", "\x17") == [] and editor.buffer == "x pause "
    assert type_keys(editor, LEFT, LEFT, "\x15") == [] and (editor.buffer, editor.cursor) == ("e ", 0)
    assert type_keys(editor, "\x1b", *"say a\tb", "\n") == ["say a b"]
    assert (editor.buffer, editor.cursor) == ("", 0)
    assert type_keys(editor, "\x07", "\x1b[Z", *"table", "\r") == ["table"]  # other keys do nothing


def test_up_and_down_bring_back_earlier_lines():
    editor = LineEditor()
    type_keys(editor, *"pause all", "\r", *"table", "\r", "\r")
    type_keys(editor, UP)
    assert editor.buffer == "table"
    type_keys(editor, UP, UP)
    assert editor.buffer == "pause all"
    type_keys(editor, DOWN, DOWN)
    assert editor.buffer == ""


def test_ctrl_d_on_an_empty_line_ends_the_input():
    editor = LineEditor()
    type_keys(editor, "a", "\x01", "\x04")  # deletes the character under the cursor
    assert editor.buffer == ""
    with pytest.raises(EOFError):
        editor.feed("\x04")


def test_time_left_runs_down_only_while_the_attempt_runs():
    running = {"status": "in_progress", "remaining_ms": 60_000}
    paused = {"status": "paused", "remaining_ms": 60_000}
    assert live_remaining(running, received_at=100.0, now=110.5) == 49_500
    assert live_remaining(running, received_at=100.0, now=500.0) == 0
    assert live_remaining(paused, received_at=100.0, now=110.5) == 60_000
    assert live_remaining({"status": "in_progress"}, 0, 1) is None
    assert clock(3_723_000) == "1:02:03" and clock(None) == "-" and clock(-5) == "0:00:00"
