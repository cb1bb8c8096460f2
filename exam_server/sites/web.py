"""The hub's link endpoints (``/api/v1/link/...``): every call but enrollment is a signed message."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from exam_server.errors import BadInput
from exam_server.sites import envelope, hub
from exam_server.sites.role import read_role

blueprint = Blueprint("link", __name__, url_prefix="/api/v1/link")


def _services():
    return current_app.extensions["exam_services"]


def _require_hub() -> None:
    if read_role(_services().settings.data_dir) != "hub":
        raise hub.LinkRefused("this server is not a hub")


def _body(limit: int) -> bytes:
    if (request.content_length or 0) > limit:
        raise BadInput(f"a link message is limited to {limit} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > limit:
        raise BadInput(f"a link message is limited to {limit} bytes")
    return raw


@blueprint.post("/enroll")
def enroll():
    _require_hub()
    import json

    try:
        body = json.loads(_body(4096))
    except ValueError:
        raise BadInput("not JSON") from None
    if not isinstance(body, dict):
        raise BadInput("an object is expected")
    runtime = current_app.extensions["exam_runtime"]
    key = "enroll:" + (request.remote_addr or "")
    runtime.login_guard.check(key)  # one-time codes are guessed no faster than passwords
    try:
        done = hub.enroll(_services(), body.get("enrollment_code"), body.get("public_key"), request.host_url.rstrip("/"))
    except hub.LinkRefused:
        runtime.login_guard.failed(key)
        raise
    return jsonify(done)


@blueprint.post("/exchange")
def exchange():
    _require_hub()
    services = _services()
    raw, signature = _body(envelope.MAX_MESSAGE_BYTES), request.headers.get("X-Site-Signature", "")
    # Through the writer: the exchange shares a commit (and its disk sync) with whatever else is being
    # stored, and with SQLite it runs off the event loop, so proctors' sockets keep being served.
    message, answer, changed, written = services.write(
        lambda session: hub.receive(services, session, raw, signature), label="link_exchange")
    runtime = current_app.extensions["exam_runtime"]
    # The proctor feed builds these attempts' views from the values just written (sites.feed).
    known = {attempt.id: attempt for attempt in written}
    for attempt_id in changed:
        runtime.candidate_changed(attempt_id, known.get(attempt_id))
    answer.update(hub.downloads(services, message.site, message.body))
    for alert in answer.pop("new_alerts", ()):  # for this hub's proctors, not for the site
        runtime.emit_alert(alert)
    sites_runtime = current_app.extensions.get("exam_sites")
    if sites_runtime is not None:
        sites_runtime.heard_from(message.site)
    return jsonify(answer)


def link_health(app) -> dict:
    """For /healthz: the link's state at a site, or the sites' at a hub."""
    sites_runtime = app.extensions.get("exam_sites")
    return sites_runtime.health() if sites_runtime is not None else {}
