"""Prometheus metrics of one bot process: updates, Bot API calls, the database, the outbox and
the jobs.

The series live in one registry of their own (several apps in one process, as in the tests,
share it) and are served as text on the health server's `/metrics`. This module imports no
aiogram (services and the database layer count here too); the middlewares that count updates
and Bot API calls are in bot.telegram.metrics.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "agora_updates",
    "Updates taken by a handler, by handler and outcome (handled, failed).",
    ["handler", "outcome"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "agora_update_seconds",
    "Time to handle one update, from the dispatcher taking it to its end.",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
API_CALLS = Counter(
    "agora_bot_api_calls",
    "Bot API requests, by method and outcome (ok, error, flood = a 429).",
    ["method", "outcome"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "agora_outbox_pending", "Outbox rows waiting to be delivered.", registry=REGISTRY
)
OUTBOX_OLDEST = Gauge(
    "agora_outbox_oldest_age_seconds",
    "Age of the oldest outbox row still waiting (0 when none waits).",
    registry=REGISTRY,
)
DB_STATEMENTS = Counter(
    "agora_db_statements",
    "Round trips to the database: statements, BEGIN, COMMIT and ROLLBACK, by kind.",
    ["kind"],
    registry=REGISTRY,
)
JOB_RUNS = Counter(
    "agora_job_runs",
    "Rounds of the periodic jobs, by job and outcome (ok, failed).",
    ["job", "outcome"],
    registry=REGISTRY,
)
JOB_LAG = Gauge(
    "agora_job_lag_seconds",
    "How late the job's latest round started, against its interval.",
    ["job"],
    registry=REGISTRY,
)
JOB_SECONDS = Histogram(
    "agora_job_seconds",
    "Duration of one round of a job.",
    ["job"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type, for `/metrics`."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
