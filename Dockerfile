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
ENV DESK_HOST=0.0.0.0
CMD ["python", "-m", "realtime"]
