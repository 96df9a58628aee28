# Agora: a slim image that runs as an unprivileged user.
FROM python:3.11-slim AS build

# Two stages: this one installs the package (a regular, non-editable install: the migrations
# ship inside it) into a virtualenv; the final one copies only that virtualenv, so the image
# holds no sources, no build tools and no pip cache. Works with BuildKit and the classic builder.
#   docker build -t agora:latest .
#   docker run --rm agora:latest --help

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
WORKDIR /src
# Only what the package is built from (see .dockerignore): the project metadata, the README it
# names as its long description, and the package itself (code, catalogs, migrations).
COPY pyproject.toml README.md constraints.txt ./
COPY bot ./bot
RUN /opt/venv/bin/pip install -c constraints.txt . \
    && /opt/venv/bin/agora --version


FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MPLCONFIGDIR=/tmp/matplotlib

RUN groupadd --system agora \
    && useradd --system --gid agora --home-dir /app --no-create-home agora \
    && mkdir -p /app/data \
    && chown agora:agora /app/data
COPY --from=build /opt/venv /opt/venv

# The embedded SQLite default keeps its file in ./data: mount a volume there to keep it
# (docker run -v agora-data:/app/data ...). With PostgreSQL (docker-compose.yml) the bot writes
# nothing in the container.
WORKDIR /app
USER agora
# 8080: the webhook server in webhook mode (WEBHOOK_URL set), with /healthz and /metrics.
# 8081: the health server of polling mode and of `agora worker` (/healthz, /metrics); it
# listens on HEALTH_HOST, 127.0.0.1 by default, which is enough for the check below.
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % (os.environ.get('WEBHOOK_PORT', '8080') if os.environ.get('WEBHOOK_URL') else os.environ.get('HEALTH_PORT', '8081')), timeout=4)"]
ENTRYPOINT ["agora"]
CMD ["run"]
