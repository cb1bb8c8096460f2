"""Static files shared by the pages (scripts, styles, the vendored Socket.IO client)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint

STATIC = Path(__file__).with_name("static")

blueprint = Blueprint("pages", __name__, static_folder=str(STATIC), static_url_path="/static")
