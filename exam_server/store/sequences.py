"""Keeping id generators ahead of rows inserted with explicit ids (a site stores its hub's sessions with the hub's ids).

PostgreSQL hands out ids from a sequence that an insert with an explicit id
does not move, so the next ordinary insert would be given an id already in
use. SQLite takes the largest id plus one and needs nothing.
"""
from __future__ import annotations

from sqlalchemy import text


def advance_past_rows(connection, tables) -> None:
    """After explicit-id inserts into ``tables`` (each with an integer ``id``): the next generated id is unused."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        name = table.name if hasattr(table, "name") else str(table)
        # GREATEST with nextval: never moves a sequence back below ids other transactions already hold.
        connection.execute(text(
            "SELECT setval(pg_get_serial_sequence(:table, 'id'),"
            f" GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{name}\"),"
            " nextval(pg_get_serial_sequence(:table, 'id'))))"), {"table": name})
