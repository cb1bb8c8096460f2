"""No idle sockets: a connection silent past the request timeout is closed, a pinged websocket is not.

Everything here goes from outside: server processes, raw TCP sockets and a Socket.IO client.
"""
from __future__ import annotations

import socket
import time

import pytest
import requests

from tests.integration.conftest import ServerProcess, prepare_data

pytestmark = pytest.mark.slow


MODES = [("eventlet", False), ("threading", False), ("gevent", False), ("eventlet", True), ("gevent", True)]


@pytest.fixture
def prepared(exam_cli, tmp_path):
    prepare_data(exam_cli, tmp_path)
    return exam_cli


@pytest.mark.parametrize("mode,gunicorn", MODES, ids=[f"{m}{'-gunicorn' if g else ''}" for m, g in MODES])
def test_a_connection_that_never_completes_its_request_is_closed(prepared, mode, gunicorn):
    server = ServerProcess(prepared.data_dir, prepared.database_url, async_mode=mode, gunicorn=gunicorn,
                           extra_env={"EXAM_REQUEST_TIMEOUT_SECONDS": "2"}).start()
    try:
        half = socket.create_connection(("127.0.0.1", server.port))
        silent = socket.create_connection(("127.0.0.1", server.port))
        half.sendall(b"POST /api/v1/staff/login HTTP/1.1\r\nHost: x\r\nContent-Type: applic")
        assert closed_within(half, 8) and closed_within(silent, 8)
        assert requests.get(server.url + "/api/v1/health", timeout=5).status_code == 200  # others still served
    finally:
        server.stop()


def closed_within(connection: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (end of stream or reset) before ``seconds`` pass."""
    connection.settimeout(seconds)
    started = time.monotonic()
    try:
        while connection.recv(4096):
            pass  # a 408 or 400 answer before closing is fine
    except socket.timeout:
        return False
    except ConnectionResetError:
        pass
    finally:
        connection.close()
    return time.monotonic() - started < seconds


def test_a_quiet_candidate_socket_outlives_the_timeout(exam_cli, tmp_path):
    """The timeout is one of silence: a websocket's pings keep an idle candidate connected.

    A ping every second against a 4 s timeout keeps the wait short; three timeouts of
    idleness would have cut a connection that the pings did not keep alive.
    """
    from tests.integration.sockets import logged_in_candidate

    opened = prepare_data(exam_cli, tmp_path)
    server = ServerProcess(exam_cli.data_dir, exam_cli.database_url,
                           extra_env={"EXAM_REQUEST_TIMEOUT_SECONDS": "4", "EXAM_SOCKET_PING_SECONDS": "1"}).start()
    server.session = opened
    try:
        candidate = logged_in_candidate(server, "P-001")
        time.sleep(12)
        assert candidate.client.connected and candidate.call("state")["ok"]
        candidate.close()
    finally:
        server.stop()
