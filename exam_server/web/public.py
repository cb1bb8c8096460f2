"""Public pages: checking a result's authenticity at /verify/<result_id>."""
from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("public", __name__)
