"""Extension objects, created unbound and initialised by the application factory."""
from flask_socketio import SocketIO

socketio = SocketIO()
