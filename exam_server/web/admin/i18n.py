"""The language of the admin pages: translating their text, naming statuses, showing times and numbers."""
from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import request, session

# The dictionary sits with the templates in exam_server/web, beside this package.
ENGLISH = Path(__file__).resolve().parent.parent / "templates" / "admin" / "en.toml"
LANGUAGES = ("id", "en")

# Statuses of sessions and attempts as the pages name them (translated like any other text).
STATUS_LABELS = {"open": "terbuka", "closed": "ditutup", "not_started": "belum mulai", "in_progress": "mengerjakan",
                 "paused": "dijeda", "submitted": "selesai", "timed_out": "waktu habis",
                 "ended_by_proctor": "diakhiri pengawas"}
ROLE_LABELS = {"admin": "administrator", "proctor": "pengawas"}
FLAG_LABELS = {"negative_discrimination": "daya beda negatif", "key_never_chosen": "kunci tidak pernah dipilih",
               "distractor_never_chosen": "pengecoh tidak pernah dipilih", "too_easy": "terlalu mudah",
               "too_hard": "terlalu sulit", "distractor_over_key": "pengecoh lebih dipilih kelompok atas",
               "p_extreme": "p bernilai 0 atau 1"}


@cache
def _english() -> dict[str, str]:
    with ENGLISH.open("rb") as handle:
        return tomllib.load(handle)


def language() -> str:
    return session.get("lang") if session.get("lang") in LANGUAGES else "id"


def translate(text: str, **values) -> str:
    """The page text in the chosen language: Indonesian is the source, English a dictionary."""
    if language() == "en":
        text = _english().get(text, text)
    return text.format(**values) if values else text


def choose_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted


def when(ms: int | None) -> str:
    """A stored time (ms since the epoch) as the server's local date and time."""
    if ms is None:
        return "–"
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def number(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return f"{float(value):.{places}f}"
