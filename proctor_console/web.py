"""The web console served at /proctor and the public score board page.

Both pages are static shells: the templates load scripts from this package's
``static`` folder (served at ``/proctor/static``) and the shared Socket.IO
browser client from ``/static/vendor``. Everything live happens over the
``/proctor`` and ``/scoreboard`` Socket.IO namespaces; this module only
serves files, with strict security headers on every response it makes.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for

from exam_server.browser_policy import content_security_policy, fingerprint, security_headers

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
ASSETS = (
    "console-state.js", "console-text.js", "console-auth.js", "console-picker.js", "console-socket.js",
    "console-data.js", "console-feed.js", "console-board.js", "console-histogram.js", "console-tiles.js",
    "console-table.js", "console-actions.js", "console.js", "console.css", "scoreboard.js", "scoreboard.css",
)

SECURITY_HEADERS = security_headers(content_security_policy(sockets=True))

blueprint = Blueprint("proctor_console", __name__, template_folder=str(TEMPLATES),
                      static_folder=str(STATIC), static_url_path="/proctor/static")


@cache
def _asset_version() -> str:
    return fingerprint(STATIC, ASSETS)


def asset(name: str) -> str:
    """URL of one of this package's static files."""
    return url_for("proctor_console.static", filename=name, v=_asset_version())


def vendor(name: str) -> str:
    """URL of a shared browser library served by the exam server itself."""
    return url_for("pages.static", filename=f"vendor/{name}")


@blueprint.after_request
def _secure(response):
    response.headers.update(SECURITY_HEADERS)
    if request.endpoint == "proctor_console.static" and request.args.get("v") == _asset_version():
        # A fingerprinted script or style sheet never changes under its URL: a proctor on a
        # weak link downloads it once. Pages (and unversioned URLs) are never stored.
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


@blueprint.get("/proctor")
def console_page():
    # Times on the console are the office's, whatever the proctor's computer is set to.
    from exam_server.i18n.formatting import ZONES

    services = current_app.extensions.get("exam_services")
    zone = services.settings.office_zone if services is not None else "WIB"
    return render_template("proctor.html", asset=asset, vendor=vendor, office_zone=zone, office_tz=ZONES[zone])


@blueprint.get("/scoreboard/<int:session_id>")
def scoreboard_page(session_id: int):
    return render_template("scoreboard.html", asset=asset, vendor=vendor, session_id=session_id)
