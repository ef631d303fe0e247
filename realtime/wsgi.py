"""The relay for a production WSGI server: `gunicorn -w 1 --threads 100 realtime.wsgi:app`.

One worker (the Socket.IO rooms live in its memory), many threads (each websocket holds one),
as Flask-SocketIO documents for its threading mode with simple-websocket. (Werkzeug's own
server, tried first, took 3 s over every websocket close.) At exit the pulls are closed, so
Pub/Sub hands what this instance held to the others at once (Cloud Run scales in by SIGTERM).
"""

import atexit

from realtime.app import create_app

app, socketio = create_app()
if app.extensions["teledesk"].subscriber is not None:
    atexit.register(app.extensions["teledesk"].subscriber.stop)
