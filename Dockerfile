# The relay's image for Cloud Run: the agent API, Socket.IO and the built console.
FROM node:20-slim AS console
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim
WORKDIR /app
# The runtime dependencies exactly as uv.lock pins them (with their hashes), then the desk itself.
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv export --frozen --no-dev --no-emit-project --quiet -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && pip uninstall --yes uv && rm /tmp/requirements.txt
COPY pipeline.yaml ./
COPY teledesk/ teledesk/
COPY realtime/ realtime/
# Editable, so teledesk.settings.ROOT stays /app and pipeline.yaml is found beside it.
RUN pip install --no-cache-dir --no-deps -e .
COPY --from=console /src/frontend/dist frontend/dist
# One gevent worker, a greenlet per open websocket; binds $PORT (realtime/gunicorn_conf.py).
CMD ["gunicorn", "-c", "python:realtime.gunicorn_conf", "realtime.wsgi:app"]
