"""The candidate's kiosk page at /.

The page itself is a static shell (``templates/kiosk.html``) that loads
``static/kiosk/*.js``; everything else happens over the ``/candidate``
Socket.IO namespace. This module adds what only the server can decide:

- the security headers of the page (a strict Content-Security-Policy, no
  framing, no referrer, no caching);
- Safe Exam Browser: a start URL ``/?session=TOKEN`` whose exam lists
  ``seb_config_keys`` is served only to a SEB that runs one of those
  configurations; anything else gets a 403 page that says why;
- the session token from that start URL, prefilled (read-only) in the login form.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, render_template, request, url_for

from exam_server import current
from exam_server.security import seb
from exam_server.services import sessions
from exam_server.browser_policy import content_security_policy, fingerprint, security_headers

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
KIOSK_SCRIPTS = ("i18n", "state", "screens", "connection", "sync", "clock", "login", "answers", "question", "finish",
                 "integrity", "keyboard", "kiosk")  # load order: kiosk.js wires them together and starts the page
KIOSK_ASSETS = ("kiosk/kiosk.css", *(f"kiosk/{name}.js" for name in KIOSK_SCRIPTS), "vendor/socket.io.min.js")

# Item HTML may carry style attributes (text-align, colour; the bank sanitiser
# keeps a short list of harmless properties and refuses url()). They are allowed
# as attributes only: style elements and style sheets still come from 'self' alone.
SECURITY_HEADERS = security_headers(content_security_policy(sockets=True, style_attributes=True))

blueprint = Blueprint("kiosk", __name__, template_folder=str(TEMPLATES))


@dataclass(frozen=True)
class StartSession:
    """What the page needs to know about the session named in its start URL."""

    token: str
    known: bool
    seb_config_keys: tuple[str, ...] = ()


def _start_session(token: str) -> StartSession:
    keys = sessions.open_session_seb_keys(current.services(), token)
    if keys is None:
        return StartSession(token, known=False)
    return StartSession(token, known=True, seb_config_keys=keys)


@cache
def _asset_version() -> str:
    return fingerprint(STATIC, KIOSK_ASSETS)


def _asset(name: str) -> str:
    return url_for("pages.static", filename=name, v=_asset_version())


def _page(status: int = 200, **context):
    body = render_template("kiosk.html", asset=_asset, scripts=KIOSK_SCRIPTS, **context)
    return body, status, SECURITY_HEADERS


@blueprint.get("/")
def kiosk_page():
    token = (request.args.get("session") or "").strip().upper()[:32]
    start = _start_session(token) if token else None
    if start and start.seb_config_keys:
        header = request.headers.get(seb.HEADER)
        if not seb.request_allowed(request.url, header, start.seb_config_keys):
            return _page(403, refusal=seb.refusal_message(header))
    return _page(session_token=token, session_locked=bool(start and start.known))
