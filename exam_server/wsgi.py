"""The gunicorn entry point: patch for the async library first, then build the app.

    gunicorn -k eventlet -w 1 --worker-connections 10000 exam_server.wsgi:app   (gunicorn < 26)
    gunicorn -k gevent   -w 1 --worker-connections 10000 exam_server.wsgi:app
"""
from exam_server.config import load_settings
from exam_server.async_mode import patch

_settings = load_settings()
patch(_settings.async_mode)

from exam_server.app import create_app  # noqa: E402  (after patching, on purpose)
from exam_server.server import settle_garbage_collector  # noqa: E402

app = create_app(_settings)
app.extensions["exam_runtime"].start()
settle_garbage_collector()
