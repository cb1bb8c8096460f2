"""At a hub: a proctor's control on a site's session, authorised here and carried out at the site."""
from __future__ import annotations

from exam_server.errors import ExamError
from exam_server.extensions import socketio
from exam_server.services import proctoring
from exam_server.sites import hub
from exam_server.sites.role import read_role


def at_site(ctx, actor: proctoring.Actor, action: str, body: dict) -> dict | None:
    """The site's outcome of the control; None when the session is not a site's (done here as in version 1)."""
    if read_role(ctx.settings.data_dir) != "hub":
        return None
    if body.get("attempt_id") is not None:
        site = hub.site_of_attempt(ctx, body["attempt_id"])
        if site is not None:
            proctoring.authorise_attempt(ctx, actor, body["attempt_id"])
    else:
        site = hub.site_of_session(ctx, body.get("session_id"))
        if site is not None:
            proctoring.authorise_session(ctx, actor, body.get("session_id"))
    if site is None:
        return None
    outcome = hub.relay(ctx, site, action, body, actor.user.username, socketio.sleep)
    if not outcome.get("ok"):
        error = outcome.get("error") if isinstance(outcome.get("error"), dict) else {}
        raise ExamError(str(error.get("message", "the site refused")), code=str(error.get("code", "site_error")))
    return {k: v for k, v in outcome.items() if k not in ("id", "ok")}
