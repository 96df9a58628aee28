"""The flow runs table lives with the flows that write it (bot.telegram.runs)."""

from bot.telegram.runs import FlowRun

__all__ = ["FlowRun"]
