"""gunicorn settings for a testing hall: ``gunicorn -c python:exam_server.gunicorn_conf exam_server.wsgi:app``.

Flask-SocketIO needs one worker per process; run several processes (with
REDIS_URL and PostgreSQL) behind nginx to use more cores.
"""
import os

worker_class = os.environ.get("EXAM_ASYNC_MODE", "eventlet")  # eventlet needs gunicorn < 26
workers = 1
# gunicorn's default of 1,000 leaves the 1,001st candidate hanging until a timeout.
worker_connections = 10_000
bind = os.environ.get("EXAM_BIND", "0.0.0.0:5000")
graceful_timeout = 15
timeout = 60
keepalive = 5


def worker_int(worker):
    """On SIGINT/SIGQUIT: store what was handed over before the worker goes."""
    _shutdown(worker)


def worker_exit(server, worker):
    _shutdown(worker)


def _shutdown(worker):
    app = getattr(worker.wsgi, "application", None) or getattr(worker, "wsgi", None)
    runtime = getattr(getattr(app, "extensions", {}), "get", lambda key: None)("exam_runtime")
    if runtime is not None:
        runtime.shutdown(timeout=10)
