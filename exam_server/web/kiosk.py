"""The candidate's kiosk page at /."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("kiosk", __name__)
