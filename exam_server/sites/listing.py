"""At a hub: the sites a staff member's session list is grouped under, with each site's link state."""
from __future__ import annotations

from exam_server.sites.hub import site_views
from exam_server.sites.role import read_role


def sites_for(ctx, listed: list[dict], *, everyone: bool) -> list[dict] | None:
    """None away from a hub; an admin sees every site, a proctor the sites of the sessions listed for them."""
    if read_role(ctx.settings.data_dir) != "hub":
        return None
    theirs = {s.get("site") for s in listed if s.get("site")}
    return [{k: view[k] for k in ("site", "name", "online", "last_seen", "backlog")}
            for view in site_views(ctx) if everyone or view["site"] in theirs]
