"""psycopg2's wait callback under eventlet or gevent: green in the event loop's thread, blocking in any other.

psycopg2 waits on the network through one callback for the whole process
(``set_wait_callback``). psycogreen's yields to the hub, so a query lets the
other greenlets run meanwhile. But hubs are per OS thread: in a real thread
(the answer writer's, ``tpool`` or gevent's thread pool) that callback would
start a hub of that thread's own, or switch to greenlets it does not own.
There the connection simply blocks on its socket: the thread was made for
exactly that, and the loop's thread goes on serving.
"""
from __future__ import annotations

from typing import Callable

import psycopg2
from psycopg2 import extensions


def install(mode: str) -> None:
    """Make psycopg2 cooperate with ``mode``'s hub in the loop's thread (the one calling this) only."""
    if mode == "eventlet":
        from eventlet import patcher
        from psycogreen.eventlet import eventlet_wait_callback as green

        get_ident = patcher.original("_thread").get_ident
        poll = patcher.original("select").poll
    else:
        from gevent import monkey
        from psycogreen.gevent import gevent_wait_callback as green

        get_ident = monkey.get_original("_thread", "get_ident")
        poll = monkey.get_original("select", "poll")
    loop_thread = get_ident()

    def wait(connection, timeout=None) -> None:
        if get_ident() == loop_thread:
            green(connection)
        else:
            blocking_wait(connection, poll)

    extensions.set_wait_callback(wait)


def blocking_wait(connection, make_poll: Callable) -> None:
    """Wait for ``connection`` in this OS thread with the unpatched ``select.poll`` (no limit on descriptor
    numbers, unlike ``select``: a busy server holds thousands of sockets)."""
    import select

    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        waiter = make_poll()
        if state == extensions.POLL_READ:
            waiter.register(connection.fileno(), select.POLLIN)
        elif state == extensions.POLL_WRITE:
            waiter.register(connection.fileno(), select.POLLOUT)
        else:
            raise psycopg2.OperationalError(f"bad result from poll: {state!r}")
        waiter.poll()
