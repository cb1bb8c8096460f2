"""Running the server in-process (``exam-server serve``); gunicorn uses ``wsgi.py`` instead."""
from __future__ import annotations

import gc
import logging

from exam_server.app import create_app
from exam_server.config import Settings
from exam_server.extensions import socketio


def settle_garbage_collector() -> None:
    # Objects alive after start-up live for the whole exam: moving them out of
    # the collector's reach shortens the full collections that stall every socket.
    gc.collect()
    gc.freeze()
    # A collection stalls every socket for as long as it takes, so young ones are
    # kept small (2,000 objects: a few ms each) and full ones rare: at a full hall
    # about one every 40 minutes, besides CPython's own rule that waits until a
    # quarter of the long-lived objects are new (docs/performance.md).
    gc.set_threshold(2_000, 10, 1_000)


def _stop_gracefully_on_sigterm(runtime) -> None:
    import os
    import signal

    def stop_in_background() -> None:
        runtime.shutdown()
        logging.shutdown()
        os._exit(0)

    def on_sigterm(signum, frame) -> None:
        # The handler runs inside the event loop, where database waits are not allowed:
        # the shutdown work runs as a task of its own.
        logging.getLogger("exam_server").info("SIGTERM: stopping gracefully")
        socketio.start_background_task(stop_in_background)

    signal.signal(signal.SIGTERM, on_sigterm)


def server_options(settings: Settings) -> dict:
    """Options of the web server each async mode runs.

    Every mode closes a connection that stays silent for ``request_timeout_seconds``
    (a half-sent request, or nothing at all), so idle sockets cannot pile up. Live
    websockets are not touched: their pings (every ``socket_ping_seconds``) are traffic.
    """
    timeout = settings.request_timeout_seconds
    if settings.async_mode == "eventlet":
        # eventlet's server accepts only 1,024 connections by default
        return {"max_size": 10_000, "socket_timeout": timeout}
    if settings.async_mode == "gevent":
        return {"handler_class": _gevent_handler(timeout)}
    from werkzeug.serving import WSGIRequestHandler

    timed = type("TimedRequestHandler", (WSGIRequestHandler,), {"timeout": timeout})
    return {"allow_unsafe_werkzeug": True, "request_handler": timed}


def _gevent_handler(timeout: int):
    from gevent.pywsgi import WSGIHandler

    class TimedHandler(WSGIHandler):
        def handle(self):
            self.socket.settimeout(timeout)
            return super().handle()

    return TimedHandler


def quiet_library_loggers() -> None:
    """Keep libraries' step-by-step notes out of the server log.

    fpdf2 subsets the embedded font of every PDF (login cards, minutes) with
    fontTools, which logs each table it prunes at INFO: dozens of lines per
    document that bury what a testing officer looks for. Their warnings stay.
    """
    for name in ("fontTools", "fpdf"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_server(settings: Settings) -> None:
    """Serve until stopped; ``settings`` already carry the --host and --port asked for."""
    from exam_server.security.private_files import make_private

    make_private(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_library_loggers()
    app = create_app(settings)
    runtime = app.extensions["exam_runtime"]
    runtime.start()
    _stop_gracefully_on_sigterm(runtime)
    settle_garbage_collector()
    options = server_options(settings)
    logging.getLogger("exam_server").info(
        "serving on http://%s:%s (%s, %s)", settings.host, settings.port, settings.async_mode,
        "SQLite" if settings.is_sqlite else "PostgreSQL")
    socketio.run(app, host=settings.host, port=settings.port, log_output=False, **options)
