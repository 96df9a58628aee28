"""The flow_runs table (bot.db.flow_runs), written through bot.telegram.runs."""

from bot.db.flow_runs import FlowRun

__all__ = ["FlowRun"]
