"""The gunicorn entry point: patch for the async library first, then build the app.

    gunicorn -k eventlet -w 1 --worker-connections 10000 exam_server.wsgi:app   (gunicorn < 26)
    gunicorn -k gevent   -w 1 --worker-connections 10000 exam_server.wsgi:app

Settings come from the environment (EXAM_DATA_DIR, DATABASE_URL, REDIS_URL...).
The async mode follows the worker class gunicorn runs, whatever EXAM_ASYNC_MODE says.
"""
from dataclasses import replace

from exam_server.config import load_settings
from exam_server.async_mode import patch, running_mode
from exam_server.security.private_files import make_private

_settings = load_settings()
_settings = replace(_settings, async_mode=running_mode() or _settings.async_mode)
patch(_settings.async_mode)
make_private(_settings)  # keys, database, staged uploads: the server's user only

from exam_server.app import create_app  # noqa: E402  (after patching, on purpose)
from exam_server.server import quiet_library_loggers, settle_garbage_collector  # noqa: E402

quiet_library_loggers()
app = create_app(_settings)
app.extensions["exam_runtime"].start()
settle_garbage_collector()
