"""Choosing the concurrency library: the one place that patches the standard library.

Patching must happen before anything imports socket, threading or a database
driver, so the entry points (``wsgi.py``, ``exam-server serve``) call this first.
"""
from __future__ import annotations

import os
import sys
import warnings

_patched: str | None = None


def patch(mode: str) -> None:
    global _patched
    if _patched == mode or mode == "threading":
        _patched = mode
        return
    if mode == "eventlet":
        os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")  # its resolver misbehaves offline
        with warnings.catch_warnings():
            # It warns that it is in maintenance mode at every start: docs/performance.md weighs it.
            warnings.simplefilter("ignore")
            import eventlet

        eventlet.monkey_patch()
        _green_psycopg2("eventlet")
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
        _green_psycopg2("gevent")
    else:
        raise ValueError(f"unknown async mode {mode!r}")
    _patched = mode


def running_mode() -> str | None:
    """The library a host (gunicorn's worker) has already patched the standard library with, if any."""
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("socket"):
            return "eventlet"
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("socket"):
            return "gevent"
    return None


def _green_psycopg2(mode: str) -> None:
    # psycopg2 waits on the network in C; without this wait callback every
    # PostgreSQL query would stop the whole worker instead of one greenlet.
    # Green only in the loop's thread: the answer writer's own thread blocks on its connection (store.pg_wait).
    try:
        import psycogreen  # noqa: F401
        import psycopg2  # noqa: F401
    except ImportError:
        return
    from exam_server.store import pg_wait

    pg_wait.install(mode)


def run_blocking(function, *args):
    """Run CPU-bound or blocking work (password hashing) in a real thread when an event loop is in charge.

    Argon2 releases the GIL, so the loop keeps serving sockets meanwhile; under
    plain threading the call simply runs here.
    """
    if _patched == "eventlet":
        from eventlet import tpool

        return tpool.execute(function, *args)
    if _patched == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(function, args)
    return function(*args)
