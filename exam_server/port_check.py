"""Is the port free? Asked before ``serve`` or ``demo`` prints or prepares anything.

Without the check, a second ``scripts/demo`` prints its URLs and logins and then
dies deep inside the web server with a traceback about ``EADDRINUSE``: a
newcomer reads that as a broken install. Binding for a moment up front turns it
into one line that says what to do.
"""
from __future__ import annotations

import errno
import socket


def port_in_use(host: str, port: int) -> bool:
    """True only when something already listens there; other failures are left to the server to report."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return False
    probe = socket.socket(family, kind, proto)
    try:
        # As the servers do: a port left in TIME_WAIT by a stopped server is free, a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as exc:
        return exc.errno == errno.EADDRINUSE
    finally:
        probe.close()
    return False


def busy_port_message(port: int) -> str:
    """Indonesian first, as everything the testing officers read; English under it."""
    return (f"port {port} sedang dipakai: pilih port lain dengan --port\n"
            f"port {port} is in use: choose another with --port")
