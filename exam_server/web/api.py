"""The JSON API under /api/v1 (CONTRACT section 2)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from exam_server import current
from exam_server.errors import BadInput, Forbidden, Unauthorized
from exam_server.security import seb
from exam_server.security.login_keys import candidate_key, checked_field, staff_key
from exam_server.services import attempts, liveness, publishing, results, sessions, users

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


def services():
    return current.services()


LOGIN_BODY_BYTES = 4 * 1024  # three short fields; anything larger is refused before it is read


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nesting deeper than the parser's stack: as malformed as any other bad JSON
        body = None
    if not isinstance(body, dict):
        raise BadInput("the request body must be a JSON object")
    return body


def login_body(*names: str) -> dict:
    """A sign-in's small JSON body: capped in bytes (413) and each field in length (400 naming it)."""
    request.max_content_length = LOGIN_BODY_BYTES
    body = json_body()
    return {name: checked_field(body, name) for name in names}


def current_staff():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthorized("staff calls need 'Authorization: Bearer TOKEN'")
    return users.staff_from_token(services(), header[len("Bearer "):].strip())


def require_admin():
    user = current_staff()
    if user.role != "admin":
        raise Forbidden("only administrators may do this")
    return user


@blueprint.post("/candidate/login")
def candidate_login():
    body = login_body("session_token", "participant_number", "password")
    # Keyed by participant, not by address: a whole hall may sit behind one address.
    key = candidate_key(body["session_token"], body["participant_number"])
    check_safe_exam_browser(body.get("session_token"))
    answer = guarded_login(key, lambda: attempts.login(
        services(), body.get("session_token"), body.get("participant_number"), body.get("password"),
        remote=request.remote_addr or ""))
    if answer["moved_from"]:
        current.runtime().alert(
            answer["attempt_id"], "other_workstation",
            f"logged in from {request.remote_addr}, earlier from {answer['moved_from']}", category="candidate")
    return jsonify({"token": answer["token"], "attempt_id": answer["attempt_id"]})


def guarded_login(key: str, login):
    """Rate limit and lockout around a password check: failures count, a success clears them."""
    guard = current.login_guard()
    guard.check(key)
    try:
        answer = login()
    except Unauthorized:
        guard.failed(key)
        raise
    guard.succeeded(key)
    return answer


@blueprint.post("/staff/logout")
def staff_logout():
    """End every token of this account (and so its live sockets, within a couple of seconds)."""
    users.logout(services(), current_staff().id)
    return jsonify({"ok": True})


def check_safe_exam_browser(session_token) -> None:
    """Exams that list Safe Exam Browser Config Keys accept logins from such a browser only."""
    keys = attempts.seb_config_keys(services(), session_token)
    header = request.headers.get(seb.HEADER)
    if not seb.request_allowed(request.url, header, keys):
        raise Forbidden(seb.refusal_message(header), code="seb_required")


@blueprint.post("/staff/login")
def staff_login():
    body = login_body("username", "password")
    answer = guarded_login(staff_key(body["username"]), lambda: users.authenticate(
        services(), body.get("username"), body.get("password")))
    return jsonify({"token": answer["token"], "role": answer["role"]})


@blueprint.get("/sessions")
def list_sessions():
    from exam_server.sites.listing import sites_for

    user = current_staff()
    listed = sessions.list_sessions(services(), user)
    sites = sites_for(services(), listed, everyone=user.role == "admin")
    return jsonify({"sessions": listed} if sites is None else {"sessions": listed, "sites": sites})


@blueprint.get("/sessions/<int:session_id>/results")
def session_results(session_id: int):
    user = current_staff()
    users.may_watch(services(), user, session_id)
    return jsonify(results.session_results(services(), session_id))


@blueprint.post("/sessions/<int:session_id>/publish")
def publish_session(session_id: int):
    require_admin()
    return jsonify(publishing.publish(services(), session_id))


@blueprint.get("/keys")
def signing_keys():
    return jsonify(publishing.public_keys(services()))


@blueprint.get("/results/<result_id>/verify")
def verify_result(result_id: str):
    return jsonify(publishing.verify_result(services(), result_id))


@blueprint.get("/health")
def health():
    return jsonify({"ok": True, "node": services().settings.node_name})


operations = Blueprint("operations", __name__)


@operations.get("/healthz")
def healthz():
    """The process is alive; at a site or a hub, with the state of the link."""
    from exam_server.sites.web import link_health

    return jsonify({"ok": True, **link_health(current_app)})


@operations.get("/readyz")
def readyz():
    """The process takes exams: started, not shutting down, and its database answers."""
    runtime = current.runtime()
    database = liveness.database_answers(services())
    ready = runtime.ready and database
    # A message queue outage does not make a node unready: its own candidates go on.
    queue = None if not services().settings.redis_url else ("down" if runtime.message_queue_down else "up")
    return jsonify({"ready": ready, "database": database, "accepting": runtime.ready,
                    "message_queue": queue}), 200 if ready else 503


@operations.get("/metrics")
def metrics():
    from exam_server.realtime.metrics import CONTENT_TYPE

    return current_app.response_class(current.runtime().metrics.render(), content_type=CONTENT_TYPE)
