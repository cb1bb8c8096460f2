"""The catalogs for the browser pages (kiosk, proctor console), and Flask-Babel's choice of language.

``/i18n/<locale>.json`` is one language's catalog as JSON: the plain texts and
the kiosk's and consoles' keyed tables. The kiosk and the proctor console load
their tables as ``/i18n/kiosk.js`` and ``/i18n/console.js``, a script that only
assigns that JSON (both languages) to the global the page's scripts read: a
file from 'self', so the Content-Security-Policy needs no inline script, and
loaded in order with the page's other deferred scripts, so no text is missing
when they start. Every URL carries a fingerprint of its body (``?v=``) and is
cached for a year.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache

from flask import Blueprint, Flask, Response, abort, session, url_for
from flask_babel import Babel

from exam_server import i18n

blueprint = Blueprint("texts", __name__)


def init(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", i18n.DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.CATALOGS))
    Babel(app, locale_selector=_locale, timezone_selector=lambda: _zone(app))
    app.register_blueprint(blueprint)
    app.jinja_env.globals.update(texts_url=texts_url, texts_script_url=texts_script_url)


def _locale() -> str:
    """The visitor's chosen language, Indonesian until they choose."""
    return session.get("lang") if session.get("lang") in i18n.LOCALES else i18n.DEFAULT_LOCALE


def _zone(app: Flask) -> str:
    from exam_server.i18n.formatting import ZONES

    return ZONES[app.extensions["exam_services"].settings.office_zone]


# The global each page's scripts read their table from.
SCRIPT_GLOBALS = {"kiosk": "KIOSK_I18N", "console": "PROCTOR_I18N"}


def _tagged(body: bytes) -> tuple[bytes, str]:
    return body, hashlib.sha256(body).hexdigest()[:12]


@cache
def _catalog_body(locale: str) -> tuple[bytes, str]:
    document = {"texts": i18n.messages(locale), **{table: i18n.keyed(table, locale) for table in SCRIPT_GLOBALS}}
    return _tagged(json.dumps(document, ensure_ascii=False, sort_keys=True).encode())


@cache
def _script_body(table: str) -> tuple[bytes, str]:
    tables = {locale: i18n.keyed(table, locale) for locale in i18n.LOCALES}
    # Escaped "<" keeps a text from ever closing a script element, wherever the file is read.
    data = json.dumps(tables, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return _tagged(f"'use strict';\nwindow.{SCRIPT_GLOBALS[table]} = {data};\n".encode())


def texts_url(locale: str) -> str:
    return url_for("texts.catalog", locale=locale, v=_catalog_body(locale)[1])


def texts_script_url(table: str) -> str:
    return url_for("texts.script", table=table, v=_script_body(table)[1])


def _immutable(body: bytes, tag: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers.update({"Cache-Control": "public, max-age=31536000, immutable", "ETag": tag,
                             "X-Content-Type-Options": "nosniff"})
    return response


@blueprint.get("/i18n/<locale>.json")
def catalog(locale: str):
    if locale not in i18n.LOCALES:
        abort(404)
    return _immutable(*_catalog_body(locale), "application/json")


@blueprint.get("/i18n/<table>.js")
def script(table: str):
    if table not in SCRIPT_GLOBALS:
        abort(404)
    return _immutable(*_script_body(table), "text/javascript")
