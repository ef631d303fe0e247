"""How gunicorn serves the relay, locally (`make run`) and on Cloud Run alike.

One worker: a Socket.IO client keeps talking to the process that took its handshake (with
several relays, Redis carries the events between them, and Cloud Run's session affinity keeps a
client on its instance). The gevent worker serves each connection on a greenlet, up to
`worker_connections` at once; simple-websocket does the websockets (no gevent-websocket needed).
"""

import os

worker_class = "gevent"
workers = 1
worker_connections = 10_000
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
graceful_timeout = 5
timeout = 120  # the worker's heartbeat to the arbiter; a blocked loop this long is restarted
# Which proxies' X-Forwarded-* the relay believes is DESK_TRUSTED_PROXIES's to say (realtime/origins.py),
# not gunicorn's (by default it believes X-Forwarded-Proto from 127.0.0.1).
forwarded_allow_ips = ""
