"""The language of the admin pages: their texts come from the catalogs (exam_server.i18n), chosen per visitor."""
from __future__ import annotations

from flask import current_app, has_app_context, request, session

from exam_server import i18n
from exam_server.i18n import labels
from exam_server.i18n.formatting import Formatter

LANGUAGES = i18n.LOCALES

# Statuses, roles and flags as the pages name them; the templates translate the words.
STATUS_LABELS = labels.STATUS
ROLE_LABELS = labels.ROLE
FLAG_LABELS = labels.FLAG


def language() -> str:
    return session.get("lang") if session.get("lang") in LANGUAGES else i18n.DEFAULT_LOCALE


def translate(msgid: str, /, **values) -> str:
    """The page text in the visitor's language."""
    return i18n.translate(msgid, language(), **values)


def choose_language() -> None:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted


def formatter() -> Formatter:
    """Numbers and times in the visitor's language and the office's zone."""
    zone = current_app.extensions["exam_services"].settings.office_zone if has_app_context() else "WIB"
    return Formatter(language(), zone)


def when(ms: int | None) -> str:
    """A stored time (ms since the epoch) as the office's date and time, with the zone's name."""
    return formatter().datetime(ms, seconds=True)


def number(value, places: int = 2) -> str:
    return formatter().number(value, places)
