"""What every admin page shares: the services, security headers, template globals, and answers to a form."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import flash, g, redirect, url_for

from exam_server import current
from exam_server.errors import ExamError, NotFound
from exam_server.i18n import errors, import_notes, labels
from exam_server.web.admin.i18n import FLAG_LABELS, ROLE_LABELS, STATUS_LABELS, language, number, translate, when
from exam_server.browser_policy import content_security_policy, fingerprint, security_headers

# The templates and static files stay in exam_server/web, beside this package.
WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static" / "admin"

SECURITY_HEADERS = security_headers(content_security_policy())
# Pages that show item HTML get the kiosk's policy: sanitised style attributes, never scripts.
ITEM_HEADERS = security_headers(content_security_policy(style_attributes=True))


services = current.services


def error_text(message: str) -> str:
    """An error's message in the visitor's language (exam_server.i18n.errors)."""
    return errors.message(str(message), language())


def label(table: dict, code) -> str:
    """A stored code (an alert's type or category) as the visitor's word for it."""
    return labels.label(table, code, language())


def page_globals() -> dict:
    return {"_": translate, "lang": language(), "when": when, "num": number, "error_text": error_text,
            "label": label, "alert_labels": labels.ALERT, "category_labels": labels.CATEGORY,
            "alert_detail": lambda detail: labels.alert_detail(detail, language()),
            "import_note": lambda text: import_notes.note(text, language()),
            "asset": asset_url, "staff": g.get("staff"), "status_labels": STATUS_LABELS,
            "role_labels": ROLE_LABELS, "flag_labels": FLAG_LABELS}


def asset_url(name: str) -> str:
    """URL of a style sheet or script of these pages, fingerprinted so a browser never keeps a stale one."""
    return url_for("admin.static", filename=name, v=_asset_version())


@cache
def _asset_version() -> str:
    return fingerprint(STATIC, sorted(path.name for path in STATIC.glob("*")))


def secure(response):
    response.headers.update(ITEM_HEADERS if g.get("item_html") else SECURITY_HEADERS)
    return response


def done(message: str, target: str):
    flash(message, "ok")
    return redirect(target, 303)


def form_status(exc: ExamError) -> int:
    """The status of a form shown again with its problem: a name that matches nothing is bad input here."""
    return 400 if isinstance(exc, NotFound) else exc.http_status


def run_action(action, success: str, target: str):
    """Run one service call from a form; its refusal is shown on the page it came from."""
    try:
        action()
    except ExamError as exc:
        flash(exc.message, "error")
        return redirect(target, 303)
    return done(success, target)
