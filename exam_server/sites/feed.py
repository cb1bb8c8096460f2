"""The hub's proctor feed from what an exchange already holds: no second read of the attempts it changed.

After its commit, an exchange hands the proctor feed each changed attempt's
columns as it wrote them (``ingest.AttemptState``). The feed builds the
``candidate`` objects from those, with the same function as a snapshot
(``monitoring.view_of``), the candidate's name and seat from the process's
memory (``sites.memory``) and the connection as the site last reported it
(``site_presence``, the one query left). Attempts that ended in the batch are
not handed over: the hub's own result is frozen after the ingest, so they are
read like any other change.
"""
from __future__ import annotations

from types import SimpleNamespace

from exam_server.services import monitoring
from exam_server.sites.memory import identities, section_names, sites_of


def views(ctx, attempts) -> list[dict]:
    """The ``candidate`` objects of ``attempts`` (``AttemptState`` after their batch was written)."""
    if not attempts:
        return []
    now = ctx.now()
    with ctx.db.reading() as session:
        who = identities(ctx, session, [a.id for a in attempts])
        site_of = sites_of(ctx, session, {a.session_id for a in attempts})
        built = []
        for attempt in attempts:
            identity = who.get(attempt.id)
            if identity is None:
                continue
            columns = SimpleNamespace(id=attempt.id, **attempt.columns, **attempt.seen)
            view = monitoring.view_of(columns, identity, section_names(ctx, session, attempt.session_id), now)
            view["session_id"] = attempt.session_id
            if site_of.get(attempt.session_id):
                view["site"] = site_of[attempt.session_id]
            built.append(view)
        monitoring.site_presence(session, built, now)
    return built
