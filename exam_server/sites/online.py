"""When the hub counts a site as on line: its last accepted exchange is recent."""
from __future__ import annotations

ONLINE_MS = 3000  # a site exchanges several times a second while its link is up


def is_online(site, now: int) -> bool:
    """``site``: a ``models.Site`` row (or anything with its enrollment, revocation and last seen)."""
    return bool(site.public_key) and not site.revoked_at and site.last_seen_at is not None \
        and now - site.last_seen_at < ONLINE_MS
