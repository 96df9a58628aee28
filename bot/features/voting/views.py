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


def clock_time(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def names(t: Translator, people: Sequence[Person]) -> str:
    """Names joined with commas (plain text: the Translator escapes it)."""
    if not people:
        return t("voting-nobody")
    return ", ".join(person.name for person in people)


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
    return t(
        "voting-session-started",
        title=voting.title,
        count=len(people),
        names=names(t, people),
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
    return t(
        "voting-result",
        verdict=verdict(t, counted.result),
        text=proposal.text,
        yes=len(counted.yes),
        no=len(counted.no),
        abstained=len(counted.abstained),
        yes_names=names(t, counted.yes),
        no_names=names(t, counted.no),
        abstained_names=names(t, counted.abstained),
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


def results(t: Translator, proposals: Sequence[Proposal]) -> Html:
    return Html("\n".join(result_line(t, n, p) for n, p in enumerate(proposals, start=1)))


def summary_post(t: Translator, summary: SessionSummary) -> str:
    lines = results(t, summary.proposals) if summary.proposals else t("voting-summary-none")
    return t(
        "voting-summary",
        title=summary.voting.title,
        participants=summary.participants,
        proposals=len(summary.proposals),
        results=Html(lines),
    )


def overview_text(t: Translator, view: Overview, now: datetime) -> str:
    voting = view.voting
    if voting.status == "joining":
        status = Html(
            t("voting-overview-joining", minutes=str(minutes_left(voting.join_closes_at, now)))
        )
    else:
        status = Html(t("voting-overview-started"))
    parts = [
        t(
            "voting-overview",
            title=voting.title,
            status=status,
            count=len(view.participants),
            names=names(t, view.participants),
        )
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
        parts.append(t("voting-overview-results", results=results(t, view.results)))
    else:
        parts.append(t("voting-overview-no-results"))
    return "\n\n".join(parts)
