"""Administration pages at /admin."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("admin", __name__, url_prefix="/admin")
