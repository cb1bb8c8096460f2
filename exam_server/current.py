"""The one accessor for what the composition root attached to the running app.

Handlers, pages and loops ask here for the service context and the runtime
instead of each reading ``current_app.extensions`` under its own key.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from exam_server.realtime.runtime import Runtime
    from exam_server.security.login_guard import LoginGuard
    from exam_server.services.context import ServiceContext

SERVICES_KEY = "exam_services"
RUNTIME_KEY = "exam_runtime"


def services() -> ServiceContext:
    """The service context of the app handling the current request or event."""
    return current_app.extensions[SERVICES_KEY]


def runtime() -> Runtime:
    """The runtime (sockets, loops, writer, metrics) of the app handling the current request or event."""
    return current_app.extensions[RUNTIME_KEY]


def login_guard() -> LoginGuard:
    """The sign-in rate limit and lockout of this process."""
    return runtime().login_guard
