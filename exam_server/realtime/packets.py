"""Socket.IO packets from clients, checked before python-socketio acts on them.

python-socketio trusts the framing it decodes: garbage after the type digit,
an event that is not a list, JSON nested thousands deep, a binary attachment
or a client packet of a server-only type each end in a traceback in the log;
an event named ``connect`` or ``disconnect`` even runs that handler again. No
real client sends any of these, so such a packet closes its connection, with
one line in the log and no trace.
"""
from __future__ import annotations

import json
import logging

import socketio
from socketio import packet

log = logging.getLogger("exam_server.realtime")

MAX_DEPTH = 32  # a payload here is an object of scalars; 32 levels leave room and stop pathological nesting
# Names the Socket.IO client itself refuses to emit: only a forged packet carries them.
RESERVED_EVENTS = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}


class MalformedPacket(ValueError):
    pass


class RawJSON:
    """A value already encoded as JSON, which an acknowledgement writes into its packet as it is.

    Not a str: handed to any other encoder it fails loudly instead of going out as a quoted string.
    """
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class PacketJSON:
    """The json module packets encode with: the standard one, and an acknowledgement's RawJSON values kept as they are."""
    loads = staticmethod(json.loads)

    @staticmethod
    def dumps(data, **options) -> str:
        # An acknowledgement's data is [result]; only a result's own values may be RawJSON.
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict) \
                and any(type(value) is RawJSON for value in data[0].values()):
            return "[{" + ",".join(
                json.dumps(str(key)) + ":" + (value.text if type(value) is RawJSON else json.dumps(value, **options))
                for key, value in data[0].items()) + "}]"
        return json.dumps(data, **options)


class CheckedPacket(packet.Packet):
    """A packet that refuses, while decoding, every shape the handlers here were never meant to see."""

    json = PacketJSON

    @classmethod
    def data_is_binary(cls, data) -> bool:
        """Never: this server sends JSON only, and takes no binary attachment from a client.

        python-socketio walks every value of every packet it sends to look for
        bytes, building a list at each level: for a form of a hundred items that
        walk cost more than encoding it (a fifth of the event loop in a start
        storm). A bytes value handed to an emit would fail loudly when the
        packet is encoded, not go out as an attachment no client here reads.
        """
        return False

    def decode(self, encoded_packet):
        if not isinstance(encoded_packet, str):
            raise MalformedPacket("binary frames are not accepted")
        try:
            attachments = super().decode(encoded_packet)
        except (ValueError, TypeError, RecursionError) as exc:  # a bad JSON document is a ValueError
            raise MalformedPacket(f"undecodable packet ({type(exc).__name__})") from None
        if attachments or self.packet_type not in (packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK):
            raise MalformedPacket(f"packet type {self.packet_type!r} is not accepted from a client")
        _check_data(self.packet_type, self.data)
        return attachments


def _check_data(packet_type: int, data) -> None:
    if packet_type == packet.EVENT:
        # An event name and at most one payload: every handler here takes one.
        if not isinstance(data, list) or not 1 <= len(data) <= 2 or not isinstance(data[0], str):
            raise MalformedPacket("an event must be [name] or [name, payload]")
        if data[0] in RESERVED_EVENTS:
            raise MalformedPacket(f"event name {data[0]!r} is reserved")
    elif packet_type == packet.ACK and not isinstance(data, list):
        raise MalformedPacket("an acknowledgement must be a list")
    elif packet_type == packet.CONNECT and data is not None and not isinstance(data, dict):
        raise MalformedPacket("connect data must be an object")
    if _too_deep(data):
        raise MalformedPacket(f"data nested deeper than {MAX_DEPTH} levels")


def _too_deep(data) -> bool:
    stack = [(data, 1)]
    while stack:  # iterative, so the check itself cannot run out of stack
        value, depth = stack.pop()
        if isinstance(value, (list, dict)):
            if depth > MAX_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


def guard(server: socketio.Server) -> None:
    """Decode with ``CheckedPacket`` and close, without a trace, a connection that sends a malformed packet."""
    server.packet_class = CheckedPacket
    handle = server._handle_eio_message

    def on_message(eio_sid, data):
        try:
            handle(eio_sid, data)
        except MalformedPacket as refusal:
            log.warning("closed connection %s: malformed Socket.IO packet (%s)", eio_sid, refusal)
            server.eio.disconnect(eio_sid)

    server.eio.on("message", on_message)
