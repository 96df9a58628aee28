# Agora: a slim image that runs as an unprivileged user.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
RUN groupadd --system agora && useradd --system --gid agora --home-dir /app agora

COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY migrations ./migrations
RUN pip install . && mkdir -p /app/data && chown agora:agora /app/data

USER agora
EXPOSE 8080
ENTRYPOINT ["agora"]
CMD ["run"]
