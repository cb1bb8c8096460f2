"""The web console served at /proctor and the public score board page."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("proctor_console", __name__)
