"""The terminal console's pure parts: what a typed line means, and what the table looks like."""
from __future__ import annotations

import pytest

from proctor_console.terminal import (
    Command, CommandError, clock, clean, describe_ack, fit, format_alert, format_header, format_table,
    live_remaining, parse_command, request_for, resolve_target,
)


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
        "ok: ujian diakhiri (total 12.50)"
    refused = {"ok": False, "error": {"code": "conflict", "message": "attempt 12 is not paused"}}
    assert describe_ack(Command("resume", target="P-002"), refused) == "ditolak: attempt 12 is not paused"
    assert describe_ack(Command("reset", target="P-002"), None, lang="en") == "the server did not answer"


def test_the_table_lists_every_candidate_by_participant_number_with_sections_and_time():
    table = format_table(HALL, items=6, width=120)
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "No", "Nama", "Kursi", "Status", "Kon", "Jawab", "Ragu", "TWK", "TKP", "Total",
                                "Sisa", "Pel"]
    assert [line.split()[1] for line in lines[1:]] == ["P-001", "P-002", "P-003"]
    budi = lines[2].split()
    assert budi[:2] == ["#12", "P-002"] and "kerja" in budi and "on" in budi
    assert budi[-7:] == ["4/6", "1", "15.00", "2.50", "17.50", "0:30:00", "2"]
    assert lines[3].split()[-2] == "-"  # an ended attempt has no time left
    assert "\x1b[" not in table


def test_long_names_are_cut_to_the_width_and_columns_stay_aligned():
    long = [candidate(1, "P-001", "Raden Mas " + "Panjang " * 12), candidate(2, "P-002", "Ani")]
    lines = format_table(long, width=90).splitlines()
    assert all(len(line) <= 90 for line in lines)
    assert "…" in lines[1]
    assert lines[1].index("A-01") == lines[2].index("A-02")


def test_the_table_uses_the_remaining_time_it_is_given_and_marks_new_alerts():
    table = format_table(HALL, remaining={12: 61_000}, new_alerts={12}, width=120)
    assert "0:01:01" in table and "2!" in table


def test_colours_only_when_asked():
    coloured = format_table(HALL, colour=True, new_alerts={12})
    assert "\x1b[32m" in coloured  # in progress is green
    assert "\x1b[1;41;97m" in coloured  # a new alert stands out


def test_names_cannot_smuggle_terminal_control_sequences():
    hostile = [candidate(1, "P-001", "Eve\x1b[2J\x1b]0;owned\x07\r\nP-999")]
    table = format_table(hostile, width=100)
    assert "\x1b" not in table and "\r" not in table and "\x07" not in table
    assert len(table.splitlines()) == 2
    alert = format_alert({"attempt_id": 1, "type": "focus_lost", "detail": "x\x1b[31m", "at": 1_800_000_000_000},
                         hostile[0])
    assert "\x1b" not in alert and "focus_lost" in alert
    assert clean("a\tb\x00c\u009bd") == "abcd"


def test_the_header_counts_the_hall():
    header = format_header({"name": "Sesi 1", "exam_code": "UJI-1", "token": "ABCDEF"}, HALL)
    assert header.splitlines() == ["Sesi 1 · UJI-1 · ABCDEF",
                                   "tersambung 1 · mengerjakan 1 · jeda 0 · selesai 1 · belum 1"]


def test_time_left_runs_down_only_while_the_attempt_runs():
    running = {"status": "in_progress", "remaining_ms": 60_000}
    paused = {"status": "paused", "remaining_ms": 60_000}
    assert live_remaining(running, received_at=100.0, now=110.5) == 49_500
    assert live_remaining(running, received_at=100.0, now=500.0) == 0
    assert live_remaining(paused, received_at=100.0, now=110.5) == 60_000
    assert live_remaining({"status": "in_progress"}, 0, 1) is None
    assert clock(3_723_000) == "1:02:03" and clock(None) == "-" and clock(-5) == "0:00:00"


def test_fit_pads_and_cuts_by_display_width():
    assert fit("abc", 5) == "abc  "
    assert fit("abcdefgh", 5) == "abcd…"
    assert fit("日本語テキスト", 6) == "日本… "
