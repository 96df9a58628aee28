"""The /stats chart: flows started and completed per day of the last 7 days, as a PNG."""

from __future__ import annotations

import io
from datetime import date


def render(
    days: list[date], started: list[int], completed: list[int], labels: tuple[str, str]
) -> bytes:
    """A grouped bar chart, 6x3 in at 100 dpi, as PNG bytes (CPU-bound: run it in a thread)."""
    # Imported here: the bot does not carry matplotlib until an admin asks for /stats. A bare
    # Figure (no pyplot) draws with the Agg canvas: no display, no global state.
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 3), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(days)))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], started, width, label=labels[0], color="#8fb3de")
    axes.bar([p + width / 2 for p in positions], completed, width, label=labels[1], color="#3d7d3d")
    axes.set_xticks(positions, [day.strftime("%d.%m") for day in days])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", fontsize="small")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
