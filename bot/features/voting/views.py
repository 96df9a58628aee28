"""Texts of the voting cards and posts, rendered from the catalogs (no Telegram calls here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.features.voting.models import PASSED, Proposal, VotingSession
from bot.features.voting.service import (
    LiveCounts,
    Overview,
    Person,
    SessionSummary,
    Tally,
    minutes_left,
)
from bot.i18n import Html, Translator
from bot.telegram.text import escape


def clock_time(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def names(t: Translator, people: Sequence[Person]) -> str:
    """Names joined with commas, escaped (HTML). Lists are never passed to the catalogs as an
    argument: Fluent refuses placeables longer than 1000 characters."""
    if not people:
        return t("voting-nobody")
    return escape(", ".join(person.name for person in people))


def people_line(t: Translator, key: str, people: Sequence[Person]) -> str:
    return f"{t(key, count=len(people))} {names(t, people)}"


def verdict(t: Translator, result: str | None) -> str:
    return t("voting-verdict-passed") if result == PASSED else t("voting-verdict-rejected")


def session_card(t: Translator, voting: VotingSession, count: int, now: datetime) -> str:
    return t(
        "voting-session-card",
        title=voting.title,
        count=count,
        minutes=str(minutes_left(voting.join_closes_at, now)),
        time=clock_time(voting.join_closes_at),
    )


def session_card_final(t: Translator, voting: VotingSession, count: int) -> str:
    return t("voting-session-card-closed", title=voting.title, count=count)


def session_started(t: Translator, voting: VotingSession, people: Sequence[Person]) -> str:
    return "\n".join(
        [
            t("voting-session-started", title=voting.title),
            people_line(t, "voting-participants", people),
            t("voting-how-to-propose"),
        ]
    )


def proposal_card(
    t: Translator, proposal: Proposal, author: str, counts: LiveCounts, now: datetime
) -> str:
    return t(
        "voting-proposal-card",
        author=author,
        text=proposal.text,
        yes=counts.yes,
        no=counts.no,
        pending=counts.not_voted,
        minutes=str(minutes_left(proposal.closes_at, now)),
        time=clock_time(proposal.closes_at),
    )


def proposal_card_final(t: Translator, proposal: Proposal, author: str) -> str:
    return t(
        "voting-proposal-card-final",
        author=author,
        text=proposal.text,
        verdict=verdict(t, proposal.result),
        yes=proposal.yes_count,
        no=proposal.no_count,
        abstained=proposal.abstained_count,
    )


def result_post(t: Translator, proposal: Proposal, counted: Tally) -> str:
    return "\n".join(
        [
            t("voting-result", verdict=verdict(t, counted.result), text=proposal.text),
            people_line(t, "voting-result-yes", counted.yes),
            people_line(t, "voting-result-no", counted.no),
            people_line(t, "voting-result-abstained", counted.abstained),
        ]
    )


def result_line(t: Translator, number: int, proposal: Proposal) -> str:
    return t(
        "voting-result-line",
        number=str(number),
        text=proposal.text,
        verdict=verdict(t, proposal.result),
        yes=proposal.yes_count,
        no=proposal.no_count,
        abstained=proposal.abstained_count,
    )


def results(t: Translator, proposals: Sequence[Proposal]) -> str:
    return "\n".join(result_line(t, n, p) for n, p in enumerate(proposals, start=1))


def summary_post(t: Translator, summary: SessionSummary) -> str:
    head = t(
        "voting-summary",
        title=summary.voting.title,
        participants=summary.participants,
        proposals=len(summary.proposals),
    )
    lines = results(t, summary.proposals) if summary.proposals else t("voting-summary-none")
    return f"{head}\n{lines}"


def overview_text(t: Translator, view: Overview, now: datetime) -> str:
    voting = view.voting
    if voting.status == "joining":
        status = Html(
            t("voting-overview-joining", minutes=str(minutes_left(voting.join_closes_at, now)))
        )
    else:
        status = Html(t("voting-overview-started"))
    parts = [
        t("voting-overview", title=voting.title, status=status)
        + "\n"
        + people_line(t, "voting-participants", view.participants)
    ]
    if view.proposal is not None and view.counts is not None:
        parts.append(
            t(
                "voting-overview-proposal",
                text=view.proposal.text,
                yes=view.counts.yes,
                no=view.counts.no,
                pending=view.counts.not_voted,
                minutes=str(minutes_left(view.proposal.closes_at, now)),
            )
        )
    else:
        parts.append(t("voting-overview-no-proposal"))
    if view.results:
        parts.append(t("voting-overview-results") + "\n" + results(t, view.results))
    else:
        parts.append(t("voting-overview-no-results"))
    return "\n\n".join(parts)
