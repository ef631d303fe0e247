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
# One worker (the Socket.IO rooms live in its memory), a thread per open websocket.
CMD exec gunicorn --workers 1 --threads 100 --graceful-timeout 5 --bind "0.0.0.0:${PORT:-8080}" realtime.wsgi:app
