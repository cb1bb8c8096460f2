"""Socket.IO events must not leave garbage cycles behind: at a hall's event rate the collector's pauses stall every socket."""
from __future__ import annotations

import gc

from flask import request
from werkzeug.test import EnvironBuilder

from exam_server.app import create_app
from tests.integration.conftest import make_services


def test_an_event_context_matches_its_route_and_leaves_almost_no_cyclic_garbage(tmp_path, clock):
    database_url = f"sqlite:///{tmp_path / 'exam.db'}"
    make_services(tmp_path / "data", database_url, clock).close()  # keys and schema, as `exam-server init` makes them
    app = create_app({"data_dir": tmp_path / "data", "database_url": database_url, "async_mode": "threading"})
    # The request every event of a websocket connection runs in (Flask-SocketIO keeps the connect request's environ).
    websocket = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket&token=x",
                               headers={"Upgrade": "websocket", "Connection": "Upgrade"}).get_environ()
    polling = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=polling&token=x").get_environ()
    for environ in (websocket, polling):
        gc.collect()
        gc.disable()
        try:
            for _ in range(200):
                with app.request_context(environ):
                    assert request.routing_exception is None
                    request.args.get("token")
            unreachable = gc.collect()
        finally:
            gc.enable()
        # A recorded routing error with its traceback left ~37 objects per event; routing itself leaves 8.
        assert unreachable <= 200 * 10, f"{unreachable} objects in cycles after 200 events"
