"""The application factory. Importing this module does no work; ``create_app`` does."""
from __future__ import annotations

import logging
import socket
from typing import Any, Mapping

from flask import Flask

from exam_server.clock import Clock
from exam_server.config import Settings, load_settings
from exam_server.extensions import socketio

log = logging.getLogger("exam_server")


def create_app(config: Settings | Mapping[str, Any] | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the Flask app: settings checked, services wired, blueprints and namespaces registered."""
    from exam_server.composition import build_services
    from exam_server.security import keys

    settings = config if isinstance(config, Settings) else load_settings(config)
    if not settings.node_name:
        from dataclasses import replace

        settings = replace(settings, node_name=f"{socket.gethostname()}:{settings.port}")
    from exam_server.realtime.event_context import ExamFlask

    app = ExamFlask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=keys.secret_key(settings),
        MAX_CONTENT_LENGTH=80 * 1024 * 1024,  # a bank upload; the importer caps it further
        JSON_SORT_KEYS=False,
    )
    if settings.proxy_hops:
        # Behind nginx the URL a Safe Exam Browser hashed is the public one, and the
        # address in the audit log is the kiosk's, not the proxy's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    services = build_services(settings, clock)
    app.extensions["exam_services"] = services
    _register_web(app)
    _register_realtime(app, settings)
    return app


def services_of(app: Flask):
    return app.extensions["exam_services"]


def _register_web(app: Flask) -> None:
    from exam_server.web import admin, api, errors, kiosk, pages, public, texts
    from proctor_console import web as proctor_web

    errors.register(app)
    texts.init(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(api.operations)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(kiosk.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(proctor_web.blueprint)
    from exam_server.sites import web as link_web

    app.register_blueprint(link_web.blueprint)


def _register_realtime(app: Flask, settings: Settings) -> None:
    from exam_server.realtime import packets
    from exam_server.realtime.candidate import CandidateNamespace
    from exam_server.realtime.proctor import ProctorNamespace
    from exam_server.composition import build_runtime
    from exam_server.realtime.scoreboard import ScoreboardNamespace

    socketio.init_app(
        app,
        async_mode=settings.async_mode,
        message_queue=settings.redis_url or None,
        channel=settings.redis_channel,
        # Only pages served by this server may open a socket (no cross-site websocket hijacking).
        cors_allowed_origins=_allowed_origins(settings),
        ping_interval=settings.socket_ping_seconds,
        ping_timeout=10,
        max_http_buffer_size=64 * 1024,
    )
    packets.guard(socketio.server)  # malformed packets close their connection instead of reaching a handler
    scale = settings.socket_event_budget_scale
    socketio.on_namespace(CandidateNamespace("/candidate", budget_scale=scale))
    socketio.on_namespace(ProctorNamespace("/proctor", budget_scale=scale))
    socketio.on_namespace(ScoreboardNamespace("/scoreboard", budget_scale=scale))
    app.extensions["exam_runtime"] = build_runtime(app, app.extensions["exam_services"])


def _allowed_origins(settings: Settings):
    if settings.public_url:
        return [settings.public_url.rstrip("/")]
    return None  # None: same origin as the request's Host only
