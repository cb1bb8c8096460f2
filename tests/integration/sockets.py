"""Real Socket.IO clients for tests: a candidate and a proctor, speaking the contract."""
from __future__ import annotations

import queue
import threading

import requests
import socketio


class Recorder:
    """Keeps every server event a client received, in order, and lets a test wait for one."""

    def __init__(self):
        self.events: list[tuple[str, object]] = []
        self._queue: queue.Queue = queue.Queue()

    def __call__(self, event, data):
        self.events.append((event, data))
        self._queue.put((event, data))

    def wait_for(self, event: str, timeout: float = 10.0, where=lambda data: True):
        import time

        end = time.monotonic() + timeout
        for name, data in self.events:
            if name == event and where(data):
                return data
        while time.monotonic() < end:
            try:
                name, data = self._queue.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if name == event and where(data):
                return data
        raise AssertionError(f"no {event!r} event within {timeout} s; got {[e for e, _ in self.events]}")


def candidate_login(base_url: str, session_token: str, number: str, password: str) -> requests.Response:
    return requests.post(f"{base_url}/api/v1/candidate/login", timeout=10,
                         json={"session_token": session_token, "participant_number": number, "password": password})


class Candidate:
    EVENTS = ("time", "paused", "resumed", "announcement", "ended", "connect_error")

    def __init__(self, base_url: str, token: str, *, reconnection: bool = False):
        self.base_url = base_url
        self.token = token
        self.recorder = Recorder()
        self.acks: list[tuple[str, dict, dict]] = []
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1)
        for event in self.EVENTS:
            self.client.on(event, (lambda name: lambda data=None: self.recorder(name, data))(event), namespace="/candidate")

    def connect(self):
        self.client.connect(self.base_url, namespaces=["/candidate"], transports=["websocket"],
                            auth={"token": self.token}, wait_timeout=10)
        return self

    def call(self, event: str, payload=None, timeout: float = 10.0) -> dict:
        ack = self.client.call(event, {} if payload is None else payload, namespace="/candidate", timeout=timeout)
        self.acks.append((event, payload, ack))
        return ack

    def close(self):
        self.client.disconnect()


def logged_in_candidate(server, number: str, **kwargs) -> Candidate:
    response = candidate_login(server.url, server.session["session_token"], number, server.session["passwords"][number])
    response.raise_for_status()
    return Candidate(server.url, response.json()["token"], **kwargs).connect()


def staff_login(base_url: str, username: str, password: str) -> requests.Response:
    return requests.post(f"{base_url}/api/v1/staff/login", json={"username": username, "password": password}, timeout=10)


class Proctor:
    EVENTS = ("candidate", "alert", "connect_error")

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.token = token
        self.recorder = Recorder()
        self.client = socketio.Client(reconnection=False)
        for event in self.EVENTS:
            self.client.on(event, (lambda name: lambda data=None: self.recorder(name, data))(event), namespace="/proctor")

    def connect(self):
        self.client.connect(self.base_url, namespaces=["/proctor"], transports=["websocket"],
                            auth={"token": self.token}, wait_timeout=10)
        return self

    def call(self, event: str, payload=None, timeout: float = 10.0) -> dict:
        return self.client.call(event, {} if payload is None else payload, namespace="/proctor", timeout=timeout)

    def close(self):
        self.client.disconnect()


STAFF_PASSWORDS = {"pengawas": "sandi-pengawas", "lain": "sandi-lain-1", "admin": "sandi-admin-1"}


def logged_in_proctor(server, username: str = "pengawas") -> Proctor:
    response = staff_login(server.url, username, STAFF_PASSWORDS[username])
    response.raise_for_status()
    return Proctor(server.url, response.json()["token"]).connect()
