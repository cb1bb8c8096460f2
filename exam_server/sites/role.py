"""A server's role (hub, site or standalone), chosen once by ``init`` and kept in the data folder."""
from __future__ import annotations

from pathlib import Path

from exam_server.errors import BadInput

ROLES = ("standalone", "hub", "site")
_FILE = "role"


def read_role(data_dir: Path) -> str:
    try:
        value = (Path(data_dir) / _FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return "standalone"
    return value if value in ROLES else "standalone"


def choose_role(data_dir: Path, wanted: str | None) -> str:
    """Store ``wanted`` the first time; afterwards the stored role stays whatever is asked."""
    if wanted is not None and wanted not in ROLES:
        raise BadInput(f"--role {wanted}: one of {', '.join(ROLES)}")
    path = Path(data_dir) / _FILE
    if path.exists():
        return read_role(data_dir)
    role = wanted or "standalone"
    path.write_text(role + "\n", encoding="utf-8")
    return role
