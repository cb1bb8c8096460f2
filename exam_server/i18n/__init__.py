"""The server's texts in Indonesian and English, from gettext catalogs (see docs/i18n.md).

Indonesian is the source language: every msgid is the Indonesian text, and
both catalogs give it a msgstr, so a missing English text is caught by the tests
instead of showing a code. Pages pick the language of the request (Flask-Babel);
printed documents and the command line name theirs.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import Translations

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
CATALOGS = Path(__file__).resolve().parent.parent / "translations"


@cache
def catalog(locale: str) -> Translations:
    """The compiled catalog of one language (Babel's loader, read once per process)."""
    return Translations.load(str(CATALOGS), [locale if locale in LOCALES else DEFAULT_LOCALE])


def N_(text: str) -> str:  # noqa: N802 - the gettext name extraction looks for
    """Marks a text for the catalogs where it is defined; it is translated where it is shown."""
    return text


def current_locale() -> str:
    """The request's language inside a request (Flask-Babel's choice), Indonesian elsewhere."""
    from flask import has_request_context

    if not has_request_context():
        return DEFAULT_LOCALE
    from flask_babel import get_locale

    chosen = get_locale()
    return chosen.language if chosen is not None and chosen.language in LOCALES else DEFAULT_LOCALE


def translate(msgid: str, locale: str | None = None, /, **values) -> str:
    """``msgid`` (the Indonesian text) in ``locale``, its ``{name}`` fields filled from ``values``."""
    translated = catalog(locale or current_locale()).gettext(msgid)
    return translated.format(**values) if values else translated


def messages(locale: str) -> dict[str, str]:
    """Every plain text of a catalog, msgid to msgstr (keyed texts, with a context, are in ``keyed``)."""
    texts = catalog(locale)
    # gettext has no public listing of a catalog's ids; _catalog is the dict GNUTranslations reads them into.
    ids = [key for key in texts._catalog if isinstance(key, str) and key and "\x04" not in key]
    return {key: texts.gettext(key) for key in ids}


def keyed(table: str, locale: str) -> dict[str, str]:
    """A keyed table (exam_server.i18n.tables: kiosk, console, terminal) in ``locale``: key -> text."""
    from exam_server.i18n.tables import TABLES

    texts = catalog(locale)
    return {key: texts.pgettext(f"{table}:{key}", msgid) for key, msgid in TABLES[table].items()}
