"""A lean Socket.IO v5 client over one raw websocket (Engine.IO v4, websocket transport only).

It speaks exactly the frames the benchmark needs, nothing more:

    server -> "0{sid, pingInterval, ...}"       Engine.IO open
    client -> "40/ns,{auth}"                     Socket.IO connect with auth
    server -> "40/ns,{sid}" | "44/ns,{error}"    connected | refused
    client -> "42/ns,N[event, data]"             emit with ack id N
    server -> "43/ns,N[data]"                    acknowledgement of N
    server -> "42/ns,[event, data]"              event
    server -> "2"  client -> "3"                 ping / pong (the server pings, we answer)
    either -> "41/ns,"                           namespace disconnect

One ``SioSocket`` is one websocket joined to one namespace. Acknowledgements are
delivered to callbacks (no task per emit), so one process can drive thousands
of sockets.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable

import aiohttp

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.loads


class ConnectRefused(Exception):
    """The namespace connect was refused ("44"): ``data`` holds the server's reason."""

    def __init__(self, data):
        super().__init__(data)
        self.data = data


class SocketClosed(Exception):
    pass


class SioSocket:
    __slots__ = ("http", "url", "ns", "ws", "_connect_prefix", "_event_prefix", "_ack_prefix", "_disc_prefix",
                 "_next_id", "_pending", "on_event", "on_close", "reader", "closed", "sid", "pings")

    def __init__(self, http: aiohttp.ClientSession, base_url: str, namespace: str,
                 on_event: Callable[[str, Any], None] | None = None):
        self.http = http
        self.url = base_url.rstrip("/") + "/socket.io/?EIO=4&transport=websocket"
        self.ns = namespace
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._connect_prefix = f"40{namespace},"
        self._event_prefix = f"42{namespace},"
        self._ack_prefix = f"43{namespace},"
        self._disc_prefix = f"41{namespace},"
        self._next_id = 0
        self._pending: dict[int, Callable[[Any], None]] = {}
        self.on_event = on_event
        self.on_close: Callable[[], None] | None = None
        self.reader: asyncio.Task | None = None
        self.closed = True
        self.sid = None
        self.pings = 0

    async def connect(self, auth: dict | None, timeout: float = 30.0) -> None:
        """Open the websocket, pass the Engine.IO handshake and join the namespace; raise ConnectRefused."""
        self.ws = await self.http.ws_connect(self.url, autoping=True, heartbeat=None, compress=0,
                                             max_msg_size=16 * 1024 * 1024,
                                             timeout=aiohttp.ClientWSTimeout(ws_close=5.0))
        try:
            async with asyncio.timeout(timeout):
                first = await self._receive_text()
                if not first.startswith("0"):
                    raise SocketClosed(f"expected the Engine.IO open packet, got {first[:40]!r}")
                await self.ws.send_str(f"40{self.ns}," + (_dumps(auth) if auth is not None else ""))
                while True:
                    text = await self._receive_text()
                    if text == "2":
                        await self.ws.send_str("3")
                        self.pings += 1
                    elif text.startswith(self._connect_prefix):
                        self.sid = _loads(text[len(self._connect_prefix):] or "{}").get("sid")
                        break
                    elif text.startswith(f"44{self.ns},"):
                        raise ConnectRefused(_loads(text[len(self.ns) + 3:] or "{}"))
                    # anything else before the connect answer is ignored
        except BaseException:
            await self._abort()
            raise
        self.closed = False
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _receive_text(self) -> str:
        msg = await self.ws.receive()
        if msg.type != aiohttp.WSMsgType.TEXT:
            raise SocketClosed(f"websocket {msg.type.name} during the handshake")
        return msg.data

    async def _abort(self) -> None:
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.close()
            except Exception:
                pass

    async def _read(self) -> None:
        ws = self.ws
        ack_prefix, event_prefix = self._ack_prefix, self._event_prefix
        ack_len, event_len = len(ack_prefix), len(event_prefix)
        try:
            while True:
                msg = await ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    break
                text = msg.data
                if text.startswith(ack_prefix):
                    bracket = text.index("[", ack_len)
                    callback = self._pending.pop(int(text[ack_len:bracket]), None)
                    if callback is not None:
                        args = _loads(text[bracket:])
                        callback(args[0] if args else None)
                elif text.startswith(event_prefix):
                    if self.on_event is not None:
                        name, *args = _loads(text[event_len:])
                        self.on_event(name, args[0] if args else None)
                elif text == "2":
                    self.pings += 1
                    await ws.send_str("3")
                elif text.startswith(self._disc_prefix) or text == "1":
                    break
        except (aiohttp.ClientError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._closed_now()
            if not ws.closed:
                try:
                    await ws.close()
                except Exception:
                    pass

    def _closed_now(self) -> None:
        if self.closed and not self._pending:
            return
        self.closed = True
        pending, self._pending = self._pending, {}
        for callback in pending.values():
            callback(None)  # None: no acknowledgement will come
        if self.on_close is not None:
            self.on_close()

    async def emit(self, event: str, data: Any, callback: Callable[[Any], None] | None = None) -> None:
        """Send an event; ``callback(ack)`` runs when its acknowledgement arrives (None if the socket closes)."""
        if self.closed:
            raise SocketClosed("the socket is closed")
        if callback is None:
            await self.ws.send_str(self._event_prefix + _dumps([event, data]))
            return
        self._next_id += 1
        ack_id = self._next_id
        self._pending[ack_id] = callback
        try:
            await self.ws.send_str(f"{self._event_prefix}{ack_id}" + _dumps([event, data]))
        except BaseException:
            self._pending.pop(ack_id, None)  # never sent: no ack to wait for
            raise

    async def call(self, event: str, data: Any, timeout: float = 30.0) -> Any:
        """Emit and wait for the acknowledgement."""
        future = asyncio.get_running_loop().create_future()

        def done(ack):
            if not future.done():
                if ack is None:
                    future.set_exception(SocketClosed(f"closed before the ack of {event}"))
                else:
                    future.set_result(ack)

        try:
            await self.emit(event, data, done)
            return await asyncio.wait_for(future, timeout)
        finally:
            if future.done() and not future.cancelled():
                future.exception()  # retrieved, whoever raised it

    @property
    def outstanding(self) -> int:
        return len(self._pending)

    async def close(self) -> None:
        """Leave the namespace and close the websocket."""
        if self.ws is None:
            return
        if not self.closed and not self.ws.closed:
            try:
                await self.ws.send_str(self._disc_prefix)
            except Exception:
                pass
        await self._abort()
        if self.reader is not None:
            try:
                await asyncio.wait_for(self.reader, 5)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                pass
        self._closed_now()

    def drop(self) -> None:
        """Cut the connection abruptly, as a kiosk losing its network does (no namespace disconnect)."""
        if self.ws is not None:
            connection = self.ws._conn  # aiohttp keeps the upgraded connection here
            if connection is not None and connection.transport is not None:
                connection.transport.abort()


def now_ms() -> float:
    return time.monotonic() * 1000.0
