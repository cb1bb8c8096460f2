"""Administration pages at /admin: banks, exams, sessions, results, item analysis, staff.

Every page is rendered on the server and works without JavaScript; every
action calls the same service the ``exam-server`` command calls, so the
pages can do what the command line does and nothing different. These modules
only read forms, call one service, and shape the answer:

- sign-in is for administrators (proctors are sent to /proctor), behind
  the API's rate limit and lockout, and the account is checked against the
  database on every request (a disabled account is signed out at once);
  signing out ends every token of the account;
- every form carries a CSRF token (Flask-WTF), checked for /admin only: the
  JSON API and Socket.IO authenticate with bearer tokens, not cookies;
- files that must outlive one request (a bank waiting for "confirm import",
  login cards and credentials offered once) live in the data folder under a
  random name held in the signed session cookie, sealed with the bank key,
  and are deleted after use or after an hour (``staged_file_seconds``, swept
  by the server in the background). Nothing the browser sends back is
  trusted as content;
- every answer carries strict security headers (no inline script or style).

``base`` holds the blueprint, its CSRF set-up and its error pages; this
package registers the route modules: ``auth`` (sign-in and the guard), ``banks``,
``exams`` (and the overview), ``sessions`` and ``staff``. The helpers they
share are in ``pages``, ``i18n``, ``files`` and ``charts``; the templates and
static files stay in ``exam_server/web``.
"""
from __future__ import annotations

from exam_server.web.admin.base import blueprint, csrf
from exam_server.web.admin.i18n import FLAG_LABELS, ROLE_LABELS, STATUS_LABELS, choose_language, language, translate
from exam_server.web.admin.pages import asset_url, secure

# Importing a route module registers its pages on ``blueprint``.
from exam_server.web.admin import auth, banks, exams, review, sessions, staff  # noqa: E402,F401  isort: skip

__all__ = ["blueprint", "csrf", "STATUS_LABELS", "ROLE_LABELS", "FLAG_LABELS", "asset_url", "choose_language",
           "language", "secure", "translate"]
