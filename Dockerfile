# The relay's image for Cloud Run: the agent API, Socket.IO and the built console.
FROM node:20-slim AS console
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml pipeline.yaml ./
COPY teledesk/ teledesk/
COPY realtime/ realtime/
# Editable, so teledesk.settings.ROOT stays /app and pipeline.yaml is found beside it.
RUN pip install --no-cache-dir -e .
COPY --from=console /src/frontend/dist frontend/dist
# One gevent worker, a greenlet per open websocket; binds $PORT (realtime/gunicorn_conf.py).
CMD ["gunicorn", "-c", "python:realtime.gunicorn_conf", "realtime.wsgi:app"]
