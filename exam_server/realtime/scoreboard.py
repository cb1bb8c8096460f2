"""Namespace /scoreboard: the public live score board of a session whose exam allows it.

No sign-in: it shows what a testing office chose to show the public (the
BKN-style board in the waiting room), rebuilt from the database on watch.
"""
from __future__ import annotations

from flask_socketio import join_room

from exam_server.current import services as _services
from exam_server.realtime import rooms
from exam_server.realtime.acks import GuardedNamespace, acknowledge, payload
from exam_server.realtime.fields import whole_number
from exam_server.services import scoreboard


class ScoreboardNamespace(GuardedNamespace):
    events_per_second, event_burst = 1, 5

    def on_watch(self, data=None):
        def call():
            body = payload(data)
            board = scoreboard.board(_services(), whole_number(body, "session_id"))
            join_room(rooms.scoreboard(board["session"]["session_id"]))
            return board

        return acknowledge("watch", call)
