"""What every page we serve tells the browser: a strict policy, no framing, no caching, fingerprinted assets.

The kiosk, the proctor console and the admin pages differ only in what they
may connect to and whether item HTML may carry style attributes. The proctor
console imports this module and nothing else of the server, so the two stay apart.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

_BASE = (
    "default-src 'self'",
    "script-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def content_security_policy(*, sockets: bool = False, style_attributes: bool = False) -> str:
    """No inline script and no remote origin anywhere; ``sockets`` lets the page open its websocket,
    ``style_attributes`` lets sanitised item HTML keep its style attributes (never style elements)."""
    parts = list(_BASE)
    if style_attributes:
        parts += ["style-src 'self'", "style-src-elem 'self'", "style-src-attr 'unsafe-inline'", "font-src 'self'"]
    else:
        parts.append("style-src 'self'")
    if sockets:
        parts.append("connect-src 'self'")
    return "; ".join(parts)


def security_headers(policy: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def fingerprint(folder: Path, names: Iterable[str]) -> str:
    """A short hash of the named files: a browser never runs a stale script after an update."""
    digest = hashlib.sha256()
    for name in names:
        path = folder / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
