"""The bare stack: Flask-SocketIO with nothing of ours, to measure the stack's own limit.

Its ``answer`` handler in /candidate acknowledges at once and emits one event
to a proctor room; nothing else. ``start`` and ``form`` answer with constant
payloads of the same shape and size as the real ones, and the HTTP login
accepts anyone without hashing, so the start storm has a bare figure too.
Any auth is accepted.

    gunicorn -k eventlet -w 1 --worker-connections 10000 bench.baseline_server:app   (or -k gevent)
    python -m bench.baseline_server --port 5001 --mode threading

The async mode follows the worker gunicorn runs (like exam_server/wsgi.py);
without gunicorn it is --mode (default threading).
"""
from __future__ import annotations

import argparse
import sys


def _running_mode() -> str | None:
    if "eventlet" in sys.modules:
        from eventlet import patcher

        if patcher.is_monkey_patched("socket"):
            return "eventlet"
    if "gevent" in sys.modules:
        from gevent import monkey

        if monkey.is_module_patched("socket"):
            return "gevent"
    return None


# One item as a candidate receives it (about the size of the sample exam's items).
_STEM = ("Dalam penyelenggaraan pemerintahan, seorang pegawai menerima laporan masyarakat tentang pelayanan "
         "yang lambat. Tindakan yang paling tepat menurut ketentuan yang berlaku adalah ....")
_OPTIONS = ("menindaklanjuti laporan sesuai prosedur dan memberi tahu pelapor", "menunggu perintah atasan",
            "meminta pelapor datang kembali minggu depan", "meneruskan laporan tanpa memeriksanya",
            "mengabaikan laporan yang tidak disertai bukti")
FORM = {"ok": True, "items": [
    {"position": p, "section": ("TWK", "TPU", "TSI")[(p - 1) // 20], "stem": _STEM,
     "options": [{"key": k, "text": t} for k, t in zip("ABCDE", _OPTIONS)]}
    for p in range(1, 61)]}


def create_app(mode: str):
    from flask import Flask, jsonify, request
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=mode, ping_interval=10, ping_timeout=10, max_http_buffer_size=64 * 1024)

    @app.get("/api/v1/health")
    def health():
        return jsonify({"ok": True, "node": "baseline"})

    @app.post("/api/v1/candidate/login")
    def login():
        body = request.get_json(silent=True) or {}
        number = str(body.get("participant_number", "0"))
        digits = "".join(c for c in number if c.isdigit()) or "0"
        return jsonify({"token": "baseline-" + number, "attempt_id": int(digits)})

    @socketio.on("connect", namespace="/candidate")
    def candidate_connect(auth=None):
        return True

    @socketio.on("answer", namespace="/candidate")
    def answer(data):
        socketio.emit("candidate", data, namespace="/proctor", to="proctors")
        return {"ok": True, "position": data.get("position"), "seq": data.get("seq"), "saved": True}

    @socketio.on("start", namespace="/candidate")
    def start(data=None):
        return {"ok": True, "remaining_ms": 3_600_000}

    @socketio.on("form", namespace="/candidate")
    def form(data=None):
        return FORM

    @socketio.on("state", namespace="/candidate")
    def state(data=None):
        return {"ok": True, "status": "in_progress", "answers": {}, "flags": []}

    @socketio.on("connect", namespace="/proctor")
    def proctor_connect(auth=None):
        return True

    @socketio.on("watch", namespace="/proctor")
    def watch(data=None):
        join_room("proctors")
        return {"ok": True, "session": {}, "candidates": []}

    app.extensions["bench_socketio"] = socketio
    return app


_mode = _running_mode()
app = create_app(_mode) if _mode else None  # gunicorn imports this module after patching


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--mode", choices=("threading", "eventlet", "gevent"), default="threading")
    args = parser.parse_args()
    if args.mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    elif args.mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    application = create_app(args.mode)
    options = {"allow_unsafe_werkzeug": True} if args.mode == "threading" else {}
    if args.mode == "eventlet":
        options["max_size"] = 10_000
    application.extensions["bench_socketio"].run(application, host=args.host, port=args.port, log_output=False,
                                                  **options)


if __name__ == "__main__":
    main()
