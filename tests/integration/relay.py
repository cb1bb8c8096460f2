"""A TCP relay between a site and its hub that a test can cut and restore, like a hall's uplink.

With several target ports (hub nodes behind a load balancer) each new
connection goes to the next one in turn; ``drop`` ends the open connections
so the next exchange lands on another node.
"""
from __future__ import annotations

import socket
import threading


class Relay:
    def __init__(self, target_port: int, *more_ports: int):
        self.targets = [target_port, *more_ports]
        self.turn = 0
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        """Every connection through the relay dies, and new ones are closed at once."""
        self.up = False
        self.drop()

    def restore(self) -> None:
        self.up = True

    def route(self, *ports: int) -> None:
        """New connections go to these ports in turn; open ones are dropped."""
        self.targets = list(ports)
        self.drop()

    def drop(self) -> None:
        """End the open connections (as a load balancer or a NAT may); new ones are let through."""
        with self._lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self._open.clear()

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            port = self.targets[self.turn % len(self.targets)]
            self.turn += 1
            try:
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while self.up:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                try:
                    conn.close()
                except OSError:
                    pass
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
