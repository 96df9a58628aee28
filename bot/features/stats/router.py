"""/stats (admins, private): the community's figures, and a chart of the last 7 days."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.stats import chart, service
from bot.features.stats.service import Stats
from bot.i18n import Translator
from bot.telegram.commands import CommandSpec, Where, Who
from bot.telegram.guards import guard
from bot.telegram.text import visible_len

Clock = Callable[[], datetime]

COMMANDS = (CommandSpec("stats", Where.PRIVATE, Who.ADMIN),)

CAPTION_LIMIT = 1024


def duration(seconds: float | None) -> str:
    """A short duration: 45s, 2m 5s, 3h 10m, 2d 4h ("–" for none)."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def stats_text(t: Translator, stats: Stats) -> str:
    lines = [
        t("stats-title"),
        t(
            "stats-people",
            members=str(stats.members),
            profiles=str(stats.profiles),
            published=str(stats.published),
        ),
        "",
    ]
    if stats.active:
        active = ", ".join(f"{kind} {count}" for kind, count in stats.active.items())
        lines.append(t("stats-active", flows=active))
    else:
        lines.append(t("stats-active-none"))
    lines.append(t("stats-week-header"))
    if not stats.week:
        lines.append(t("stats-week-none"))
    for kind, row in stats.week.items():
        lines.append(
            t(
                "stats-week-row",
                kind=kind,
                started=str(row.started),
                completed=str(row.completed),
                cancelled=str(row.cancelled),
                expired=str(row.expired),
                median=duration(row.median_seconds),
            )
        )
    oldest = duration(stats.outbox_oldest_seconds)
    lines += [
        "",
        t("stats-events", ahead=str(stats.events_ahead), voting=str(stats.voting_open)),
        t("stats-learning", learners=str(stats.learners), cards=str(stats.cards_reviewed)),
        t("stats-outbox", depth=str(stats.outbox_depth), oldest=oldest),
        t(
            "stats-reminders",
            events=str(stats.reminders_sent),
            reviews=str(stats.review_reminders_sent),
        ),
    ]
    return "\n".join(lines)


async def cmd_stats(message: Message, session: AsyncSession, t: Translator, clock: Clock) -> None:
    stats = await service.compute(session, clock())
    text = stats_text(t, stats)
    png = await asyncio.to_thread(
        chart.render,
        stats.days,
        stats.started_by_day,
        stats.completed_by_day,
        (t("stats-chart-started"), t("stats-chart-completed")),
    )
    # One message: the chart as a photo, the figures as its caption (a longer text follows it).
    fits = visible_len(text) <= CAPTION_LIMIT
    await message.answer_photo(
        BufferedInputFile(png, filename="stats.png"), caption=text if fits else None
    )
    if not fits:
        await message.answer(text)


def build_router() -> Router:
    router = guard(Router(name=__name__), where=Where.PRIVATE, who=Who.ADMIN)
    router.message.register(cmd_stats, Command("stats"))
    return router
