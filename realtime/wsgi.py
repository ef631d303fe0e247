"""The relay for a production WSGI server: `gunicorn -c python:realtime.gunicorn_conf realtime.wsgi:app`.

One gevent worker per instance (realtime/gunicorn_conf.py): each socket is a greenlet, not a
thread, so one process holds thousands. gunicorn's gevent worker monkey-patches the standard
library before it imports this module; gRPC (Pub/Sub, Firestore) is not covered by that, so it
is told to poll through gevent before any channel exists, and a blocking call then yields to the
other greenlets instead of stalling the loop. Served any other way (no monkey-patching), the
relay falls back to threads. At exit the pulls are closed, so Pub/Sub hands what this instance
held to the others at once (Cloud Run scales in by SIGTERM). Its logging is set up here, in the
worker (`teledesk.logs`): gunicorn's master says only how it starts and stops its worker, in
plain text on standard error, and does not load the desk's logging before gevent patches the worker.
"""

import atexit

from gevent import monkey

GEVENT = monkey.is_module_patched("socket")
if GEVENT:
    from grpc.experimental import gevent as grpc_gevent

    grpc_gevent.init_gevent()

from realtime.app import create_app  # noqa: E402  (after gRPC is told about gevent)
from realtime.relay import current_relay  # noqa: E402
from teledesk.logs import configure  # noqa: E402

configure("relay")
app, socketio = create_app(async_mode="gevent" if GEVENT else "threading")
with app.app_context():
    subscriber = current_relay().subscriber
if subscriber is not None:
    atexit.register(subscriber.stop)
