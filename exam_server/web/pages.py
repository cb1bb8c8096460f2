"""Pages served to browsers: the kiosk, the proctor console, the admin pages, the score board."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("pages", __name__)
