"""The request context of a Socket.IO event: no routing, the connection's kept session, no garbage cycles.

At a hall's event rate the collector's pauses stall every socket, and every
microsecond of an event's context is paid by every answer.
"""
from __future__ import annotations

import gc

import flask
from flask import request
from flask.sessions import SecureCookieSession
from werkzeug.test import EnvironBuilder

from exam_server.app import create_app
from tests.integration.conftest import make_services


def _app(tmp_path, clock):
    database_url = f"sqlite:///{tmp_path / 'exam.db'}"
    make_services(tmp_path / "data", database_url, clock).close()  # keys and schema, as `exam-server init` makes them
    return create_app({"data_dir": tmp_path / "data", "database_url": database_url, "async_mode": "threading"})


def _socket_environs():
    # The request every event of a connection runs in (Flask-SocketIO keeps the connect request's environ).
    websocket = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket&token=x",
                               headers={"Upgrade": "websocket", "Connection": "Upgrade"}).get_environ()
    polling = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=polling&token=x").get_environ()
    return websocket, polling


def test_an_event_context_is_not_routed_and_leaves_almost_no_cyclic_garbage(tmp_path, clock):
    app = _app(tmp_path, clock)
    for environ in _socket_environs():
        gc.collect()
        gc.disable()
        try:
            for _ in range(200):
                with app.request_context(environ):
                    assert request.routing_exception is None and request.url_rule is None
                    request.args.get("token")
            unreachable = gc.collect()
        finally:
            gc.enable()
        # A recorded routing error with its traceback left ~37 objects per event; routing itself 8.
        assert unreachable <= 200 * 5, f"{unreachable} objects in cycles after 200 events"


def test_an_event_context_uses_the_session_its_connection_keeps_and_pages_still_route(tmp_path, clock):
    app = _app(tmp_path, clock)
    environ = _socket_environs()[0]
    with app.request_context(environ):
        assert not flask.session  # the first event opens the (empty) cookie session
    kept = environ["saved_session"] = SecureCookieSession({"lang": "en"})  # what Flask-SocketIO keeps for the connection
    with app.request_context(environ):
        assert flask.session._get_current_object() is kept
    with app.test_request_context("/api/v1/health"):
        assert request.url_rule is not None and request.url_rule.rule == "/api/v1/health"
    assert app.test_client().get("/api/v1/health").status_code == 200
