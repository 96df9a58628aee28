"""Voting domain logic: sessions, participants, proposals, votes, tallies and deadlines.

Concurrency: a join locks its session row and a vote locks its proposal row (PostgreSQL
`FOR UPDATE`; the embedded SQLite default serialises every writer anyway), so a vote either
lands before the proposal closes and is counted, or sees it closed and is refused. Jobs claim
due rows with `for_claim` (SKIP LOCKED) and act on each row exactly once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import flow_runs
from bot.db.base import utcnow
from bot.db.dialect import insert
from bot.features.core.models import User
from bot.features.voting.models import (
    CLOSED,
    JOINING,
    NO,
    OPEN,
    PASSED,
    REJECTED,
    STARTED,
    YES,
    Proposal,
    SessionParticipant,
    Vote,
    VotingSession,
)
from bot.jobs.claim import for_claim
from bot.jobs.runner import wake_on_commit
from bot.outbox.service import sent_hook
from bot.refusals import STALE, Refused

# A voting session's run in flow_runs (bot.db.flow_runs: a durable session, ended by its close).
FLOW_KIND = "VotingSession"

JOIN_MINUTES = (1, 60, 2)  # min, max, default
PROPOSAL_MINUTES = (1, 10, 5)
TITLE_LIMIT = 200
PROPOSAL_LIMIT = 500
# The live cards are edited at most once per this many seconds, however many press.
CARD_EDIT_GAP = timedelta(seconds=3)
# A queued live edit that never reports back (refused, lost) holds the next one this long.
CARD_EDIT_LOST = timedelta(seconds=60)
CHOICES = (YES, NO)

# The jobs (bot.features.voting.jobs) that act on these deadlines and cards: a write here
# wakes the one concerned once it commits (see bot.jobs.runner.wake_on_commit).
JOIN_WINDOWS_JOB = "voting-join-windows"
PROPOSAL_DEADLINES_JOB = "voting-proposal-deadlines"
LIVE_CARDS_JOB = "voting-live-cards"


# --- argument parsing ------------------------------------------------------------------------

_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“", "'": "'"}
_INTEGER = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class TextAndNumber:
    text: str
    number: str | None  # as typed; None when absent


def parse_text_and_number(args: str | None) -> TextAndNumber:
    """`"text" 5`, `"text"`, `text 5` or `text` (quotes are optional without a number)."""
    raw = (args or "").strip()
    if not raw:
        return TextAndNumber("", None)
    close = _QUOTES.get(raw[0])
    if close is not None:
        end = raw.rfind(close, 1)
        if end > 0:
            rest = raw[end + 1 :].strip()
            return TextAndNumber(raw[1:end].strip(), rest or None)
    head, _, last = raw.rpartition(" ")
    if head.strip() and _INTEGER.fullmatch(last):
        return TextAndNumber(head.strip(), last)
    return TextAndNumber(raw, None)


def parse_minutes(raw: str | None, bounds: tuple[int, int, int]) -> int | None:
    """The number of minutes within bounds (the default when absent), or None when invalid."""
    low, high, default = bounds
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def minutes_left(deadline: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up (0 once the deadline has passed)."""
    seconds = (deadline - now).total_seconds()
    return max(0, math.ceil(seconds / 60))


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str


@dataclass
class Tally:
    yes: list[Person] = field(default_factory=list)
    no: list[Person] = field(default_factory=list)
    abstained: list[Person] = field(default_factory=list)

    @property
    def result(self) -> str:
        return PASSED if len(self.yes) > len(self.no) else REJECTED


def _locked(session: AsyncSession, stmt: Select[Any]) -> Select[Any]:
    """Wait for and hold the rows' lock (on SQLite: the write lock, see bot.db.engine); re-read
    them, not the identity map."""
    return stmt.execution_options(populate_existing=True).with_for_update()


def _full_name(user: User) -> str:
    return user.full_name


async def open_session(
    session: AsyncSession, chat_id: int, *, lock: bool = False
) -> VotingSession | None:
    stmt = select(VotingSession).where(
        VotingSession.chat_id == chat_id, VotingSession.status != CLOSED
    )
    if lock:
        stmt = _locked(session, stmt)
    return (await session.scalars(stmt)).first()


async def participants(session: AsyncSession, session_id: int) -> list[Person]:
    rows = await session.execute(
        select(User)
        .join(SessionParticipant, SessionParticipant.user_id == User.id)
        .where(SessionParticipant.session_id == session_id)
        .order_by(SessionParticipant.id)
    )
    return [Person(user.id, _full_name(user)) for user in rows.scalars()]


async def participant_count(session: AsyncSession, session_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(SessionParticipant)
        .where(SessionParticipant.session_id == session_id)
    )
    return int(count or 0)


async def is_participant(session: AsyncSession, session_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(SessionParticipant.id).where(
            SessionParticipant.session_id == session_id, SessionParticipant.user_id == user_id
        )
    )
    return found is not None


async def open_proposal(
    session: AsyncSession, session_id: int, *, lock: bool = False
) -> Proposal | None:
    stmt = select(Proposal).where(Proposal.session_id == session_id, Proposal.status == OPEN)
    if lock:
        stmt = _locked(session, stmt)
    return (await session.scalars(stmt)).first()


async def closed_proposals(session: AsyncSession, session_id: int) -> list[Proposal]:
    rows = await session.scalars(
        select(Proposal)
        .where(Proposal.session_id == session_id, Proposal.status != OPEN)
        .order_by(Proposal.id)
    )
    return list(rows)


async def tally(session: AsyncSession, proposal: Proposal) -> Tally:
    """Who voted yes, who no, and which participants did not vote (names in joining order)."""
    rows = await session.execute(
        select(User, Vote.choice)
        .join(SessionParticipant, SessionParticipant.user_id == User.id)
        .outerjoin(Vote, (Vote.user_id == User.id) & (Vote.proposal_id == proposal.id))
        .where(SessionParticipant.session_id == proposal.session_id)
        .order_by(SessionParticipant.id)
    )
    result = Tally()
    for user, choice in rows:
        person = Person(user.id, _full_name(user))
        if choice == YES:
            result.yes.append(person)
        elif choice == NO:
            result.no.append(person)
        else:
            result.abstained.append(person)
    return result


@dataclass(frozen=True)
class LiveCounts:
    participants: int
    yes: int
    no: int

    @property
    def not_voted(self) -> int:
        return max(0, self.participants - self.yes - self.no)


async def live_counts(session: AsyncSession, proposal: Proposal) -> LiveCounts:
    rows = await session.execute(
        select(Vote.choice, func.count())
        .where(Vote.proposal_id == proposal.id)
        .group_by(Vote.choice)
    )
    counts = {choice: int(n) for choice, n in rows}
    total = await participant_count(session, proposal.session_id)
    return LiveCounts(total, counts.get(YES, 0), counts.get(NO, 0))


# --- sessions --------------------------------------------------------------------------------


async def create_session(
    session: AsyncSession,
    *,
    chat_id: int,
    thread_id: int | None,
    title: str,
    created_by: int,
    locale: str,
    join_minutes: int,
    now: datetime,
) -> VotingSession:
    """A new session in its join window; refused while the chat has one that is not closed."""
    existing = await open_session(session, chat_id)
    if existing is not None:
        raise Refused("voting-session-exists", title=existing.title)
    created = VotingSession(
        chat_id=chat_id,
        thread_id=thread_id,
        title=title,
        created_by=created_by,
        locale=locale,
        status=JOINING,
        join_closes_at=now + timedelta(minutes=join_minutes),
    )
    try:
        # Two admins at once: the partial unique index lets only one of them in.
        async with session.begin_nested():
            session.add(created)
            await session.flush()
    except IntegrityError:
        existing = await open_session(session, chat_id)
        raise Refused(
            "voting-session-exists", title=existing.title if existing else title
        ) from None
    await flow_runs.durable_started(session, created_by, chat_id, FLOW_KIND, now)
    wake_on_commit(session, JOIN_WINDOWS_JOB)
    return created


async def join(session: AsyncSession, *, session_id: int, user_id: int, now: datetime) -> None:
    """Add a member to a session while it takes joins (a second press is refused)."""
    stmt = _locked(session, select(VotingSession).where(VotingSession.id == session_id))
    voting = (await session.scalars(stmt)).first()
    if voting is None or voting.status != JOINING or now >= voting.join_closes_at:
        raise Refused(STALE)  # closed since the button check
    result = await session.execute(
        insert(session, SessionParticipant)
        .values(session_id=session_id, user_id=user_id, joined_at=now)
        .on_conflict_do_nothing(index_elements=["session_id", "user_id"])
    )
    if getattr(result, "rowcount", 0) == 0:
        raise Refused("voting-already-joined")
    voting.card_dirty = True
    # An open proposal's "not voted yet" counts the newcomer too.
    await session.execute(
        update(Proposal)
        .where(Proposal.session_id == session_id, Proposal.status == OPEN)
        .values(card_dirty=True)
    )
    wake_on_commit(session, LIVE_CARDS_JOB)


# Outbox keys of the cards, and the hooks that record a posted card's message id.
SESSION_CARD = "voting-session"
SESSION_CARD_POSTED = "voting.session-card-posted"
PROPOSAL_CARD = "proposal"
PROPOSAL_CARD_POSTED = "voting.proposal-card-posted"


@sent_hook(SESSION_CARD_POSTED)
async def record_session_card(
    session: AsyncSession, voting_id: int | None, chat_id: int, message_id: int
) -> None:
    voting = await session.get(VotingSession, voting_id) if voting_id is not None else None
    if voting is not None and voting.chat_id == chat_id:
        voting.card_message_id = message_id
        if voting.card_dirty:  # joins came before the card was out: it can show them now
            wake_on_commit(session, LIVE_CARDS_JOB)


async def claim_due_join_window(
    session: AsyncSession, now: datetime, skip: Collection[int] = ()
) -> VotingSession | None:
    """One session whose join window has passed, locked for this process (None: no more)."""
    stmt = (
        select(VotingSession)
        .where(
            VotingSession.status == JOINING,
            VotingSession.join_closes_at <= now,
            VotingSession.id.not_in(skip),
        )
        .order_by(VotingSession.join_closes_at, VotingSession.id)
        .limit(1)
    )
    return (await session.scalars(for_claim(session, stmt))).first()


async def next_join_window_close(session: AsyncSession) -> datetime | None:
    """When the earliest join window still open closes (None: no session is joining)."""
    return await session.scalar(
        select(func.min(VotingSession.join_closes_at)).where(VotingSession.status == JOINING)
    )


async def start_session(session: AsyncSession, voting: VotingSession) -> None:
    voting.status = STARTED
    voting.card_dirty = False


@dataclass
class ClosedProposal:
    proposal: Proposal
    tally: Tally


async def close_proposal(session: AsyncSession, proposal: Proposal, now: datetime) -> Tally:
    """Tally the votes and mark the proposal closed with its result (the caller holds its lock)."""
    counted = await tally(session, proposal)
    proposal.status = CLOSED
    proposal.closed_at = now
    proposal.result = counted.result
    proposal.yes_count = len(counted.yes)
    proposal.no_count = len(counted.no)
    proposal.abstained_count = len(counted.abstained)
    proposal.card_dirty = False
    await session.flush()
    return counted


async def claim_due_proposal(
    session: AsyncSession, now: datetime, skip: Collection[int] = ()
) -> Proposal | None:
    """One open proposal past its deadline, locked for this process (None: no more)."""
    stmt = (
        select(Proposal)
        .where(Proposal.status == OPEN, Proposal.closes_at <= now, Proposal.id.not_in(skip))
        .order_by(Proposal.closes_at, Proposal.id)
        .limit(1)
    )
    return (await session.scalars(for_claim(session, stmt))).first()


async def next_proposal_close(session: AsyncSession) -> datetime | None:
    """The earliest deadline of an open proposal (None: no proposal is open)."""
    return await session.scalar(select(func.min(Proposal.closes_at)).where(Proposal.status == OPEN))


@dataclass
class SessionSummary:
    voting: VotingSession
    participants: int
    proposals: list[Proposal]
    closed_now: ClosedProposal | None
    was_joining: bool


async def close_session(session: AsyncSession, *, chat_id: int, now: datetime) -> SessionSummary:
    voting = await open_session(session, chat_id, lock=True)
    if voting is None:
        raise Refused("voting-no-session")
    closed_now: ClosedProposal | None = None
    proposal = await open_proposal(session, voting.id, lock=True)
    if proposal is not None:
        closed_now = ClosedProposal(proposal, await close_proposal(session, proposal, now))
    was_joining = voting.status == JOINING
    voting.status = CLOSED
    voting.closed_at = now
    voting.card_dirty = False
    await session.flush()
    await flow_runs.durable_ended(session, voting.chat_id, FLOW_KIND, flow_runs.COMPLETED, now)
    return SessionSummary(
        voting=voting,
        participants=await participant_count(session, voting.id),
        proposals=await closed_proposals(session, voting.id),
        closed_now=closed_now,
        was_joining=was_joining,
    )


@dataclass
class Overview:
    voting: VotingSession
    participants: list[Person]
    proposal: Proposal | None
    counts: LiveCounts | None
    results: list[Proposal]


async def overview(session: AsyncSession, chat_id: int) -> Overview | None:
    voting = await open_session(session, chat_id)
    if voting is None:
        return None
    proposal = await open_proposal(session, voting.id)
    return Overview(
        voting=voting,
        participants=await participants(session, voting.id),
        proposal=proposal,
        counts=await live_counts(session, proposal) if proposal else None,
        results=await closed_proposals(session, voting.id),
    )


async def migrate_chat(
    session: AsyncSession, *, old_chat_id: int, new_chat_id: int
) -> VotingSession | None:
    """Move the chat's open session to the supergroup the chat became (None: nothing moved).

    The cards stay in the old chat, which can no longer be edited: they are forgotten, and
    the caller posts fresh ones in the new chat.
    """
    voting = await open_session(session, old_chat_id, lock=True)
    if voting is None:
        return None
    voting.chat_id = new_chat_id
    await flow_runs.durable_moved(session, old_chat_id, new_chat_id, FLOW_KIND)
    voting.thread_id = None
    voting.card_message_id = None
    await session.execute(
        update(Proposal)
        .where(Proposal.session_id == voting.id)
        .values(card_message_id=None, card_dirty=False)
    )
    await session.flush()
    return voting


# --- proposals and votes ---------------------------------------------------------------------


async def create_proposal(
    session: AsyncSession,
    *,
    chat_id: int,
    author_id: int,
    text: str,
    minutes: int,
    now: datetime,
) -> tuple[VotingSession, Proposal]:
    voting = await open_session(session, chat_id, lock=True)
    if voting is None:
        raise Refused("voting-no-session")
    if not await is_participant(session, voting.id, author_id):
        raise Refused("voting-propose-not-participant")
    current = await open_proposal(session, voting.id)
    if current is not None:
        raise Refused("voting-proposal-exists", minutes=minutes_left(current.closes_at, now))
    proposal = Proposal(
        session_id=voting.id,
        author_id=author_id,
        text=text,
        status=OPEN,
        closes_at=now + timedelta(minutes=minutes),
    )
    try:
        async with session.begin_nested():
            session.add(proposal)
            await session.flush()
    except IntegrityError:
        raise Refused("voting-proposal-exists", minutes=minutes) from None
    wake_on_commit(session, PROPOSAL_DEADLINES_JOB)
    return voting, proposal


@sent_hook(PROPOSAL_CARD_POSTED)
async def record_proposal_card(
    session: AsyncSession, proposal_id: int | None, chat_id: int, message_id: int
) -> None:
    proposal = await session.get(Proposal, proposal_id) if proposal_id is not None else None
    if proposal is not None:
        proposal.card_message_id = message_id
        if proposal.card_dirty:  # votes came before the card was out: it can show them now
            wake_on_commit(session, LIVE_CARDS_JOB)


class VoteOutcome(StrEnum):
    CAST = "cast"
    CHANGED = "changed"
    SAME = "same"


async def cast_vote(
    session: AsyncSession,
    *,
    user_id: int,
    choice: str,
    now: datetime,
    proposal_id: int | None = None,
    chat_id: int | None = None,
) -> VoteOutcome:
    """Record a participant's vote on a proposal (by id, or the chat's open one).

    The last choice counts: an upsert, so a double click never makes two votes.
    """
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    if proposal_id is None:
        if chat_id is None:
            raise ValueError("a proposal id or a chat id is needed")
        open_one = await open_session(session, chat_id)
        current = await open_proposal(session, open_one.id) if open_one else None
        if current is None:
            raise Refused("voting-no-open-proposal")
        proposal_id = current.id
    # What needs no lock is read first (no transaction yet): a burst of votes holds the
    # proposal's lock (the database's write lock on SQLite) only for the check and the write.
    # On PostgreSQL the votes of a burst hold it together (a key share), not one by one.
    previous = await session.scalar(
        select(Vote.choice).where(Vote.proposal_id == proposal_id, Vote.user_id == user_id)
    )
    joined = (
        select(SessionParticipant.id)
        .where(
            SessionParticipant.session_id == Proposal.session_id,
            SessionParticipant.user_id == user_id,
        )
        .exists()
    )
    # FOR KEY SHARE waits only for FOR UPDATE (the closing job), neither for the other votes
    # nor for the card job's or a flag's FOR NO KEY UPDATE. On SQLite: the write lock.
    stmt = (
        select(Proposal, joined)
        .where(Proposal.id == proposal_id)
        .execution_options(populate_existing=True)
        .with_for_update(of=Proposal, read=True, key_share=True)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        raise Refused("voting-proposal-gone")
    proposal, participant = row
    if proposal.status != OPEN or now >= proposal.closes_at:
        raise Refused("voting-proposal-closed")
    if not participant:
        voting = await session.get(VotingSession, proposal.session_id)
        joining = voting is not None and voting.status == JOINING and now < voting.join_closes_at
        raise Refused("voting-join-first" if joining else "voting-only-participants")
    stmt_upsert = insert(session, Vote).values(
        proposal_id=proposal.id, user_id=user_id, choice=choice, created_at=now, updated_at=now
    )
    await session.execute(
        stmt_upsert.on_conflict_do_update(
            index_elements=["proposal_id", "user_id"],
            set_={"choice": stmt_upsert.excluded.choice, "updated_at": now},
        )
    )
    if previous == choice:
        return VoteOutcome.SAME
    if not proposal.card_dirty:  # no write to the proposal's row for every vote
        proposal.card_dirty = True
        wake_on_commit(session, LIVE_CARDS_JOB)  # already dirty: the job knows of it
    return VoteOutcome.CHANGED if previous is not None else VoteOutcome.CAST


# --- live cards ------------------------------------------------------------------------------


# A card waiting for its live edit: dirty, shown (posted), its object still open.
_DIRTY_SESSION_CARD = (
    VotingSession.card_dirty.is_(True),
    VotingSession.status == JOINING,
    VotingSession.card_message_id.is_not(None),
)
_DIRTY_PROPOSAL_CARD = (
    Proposal.card_dirty.is_(True),
    Proposal.status == OPEN,
    Proposal.card_message_id.is_not(None),
)


async def claim_dirty_session_card(
    session: AsyncSession, edited_before: datetime, skip: Collection[int] = ()
) -> VotingSession | None:
    stmt = (
        select(VotingSession)
        .where(
            VotingSession.id.not_in(skip),
            *_DIRTY_SESSION_CARD,
            (VotingSession.card_edited_at.is_(None))
            | (VotingSession.card_edited_at <= edited_before),
        )
        .order_by(VotingSession.id)
        .limit(1)
    )
    return (await session.scalars(for_claim(session, stmt))).first()


async def claim_dirty_proposal_card(
    session: AsyncSession, edited_before: datetime, skip: Collection[int] = ()
) -> Proposal | None:
    stmt = (
        select(Proposal)
        .where(
            Proposal.id.not_in(skip),
            *_DIRTY_PROPOSAL_CARD,
            (Proposal.card_edited_at.is_(None)) | (Proposal.card_edited_at <= edited_before),
        )
        .order_by(Proposal.id)
        .limit(1)
    )
    # Beside the voters' key shares: a burst of votes never hides the card from its edit.
    return (await session.scalars(for_claim(session, stmt, no_key=True))).first()


async def next_card_edit(session: AsyncSession, now: datetime) -> datetime | None:
    """When the first waiting live edit may go out (real time, as CARD_EDIT_GAP is): `now`
    for a card never edited, CARD_EDIT_GAP after the latest edit of a card otherwise (None:
    no card waits)."""
    soonest: datetime | None = None
    for model, waiting in (
        (VotingSession, _DIRTY_SESSION_CARD),
        (Proposal, _DIRTY_PROPOSAL_CARD),
    ):
        edited = model.card_edited_at
        count, unedited, last = (
            await session.execute(
                select(func.count(), func.count() - func.count(edited), func.min(edited)).where(
                    *waiting
                )
            )
        ).one()
        if not count:
            continue
        moment = now if unedited or last is None else last + CARD_EDIT_GAP
        soonest = moment if soonest is None else min(soonest, moment)
    return soonest


def mark_card_edit_queued(row: VotingSession | Proposal, now: datetime) -> None:
    """A live edit is on its way: the next one waits until this one went out (the hook below
    sets the real time), or CARD_EDIT_LOST after a lost one."""
    row.card_dirty = False
    row.card_edited_at = now + CARD_EDIT_LOST


# Hooks of delivered live edits: the pause before the next edit counts from here.
SESSION_CARD_EDITED = "voting.session-card-edited"
PROPOSAL_CARD_EDITED = "voting.proposal-card-edited"


@sent_hook(SESSION_CARD_EDITED)
async def record_session_card_edit(
    session: AsyncSession, voting_id: int | None, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(VotingSession).where(VotingSession.id == voting_id).values(card_edited_at=utcnow())
    )
    # The next edit may follow CARD_EDIT_GAP from now, not CARD_EDIT_LOST after the queueing.
    wake_on_commit(session, LIVE_CARDS_JOB)


@sent_hook(PROPOSAL_CARD_EDITED)
async def record_proposal_card_edit(
    session: AsyncSession, proposal_id: int | None, chat_id: int, message_id: int
) -> None:
    await session.execute(
        update(Proposal).where(Proposal.id == proposal_id).values(card_edited_at=utcnow())
    )
    wake_on_commit(session, LIVE_CARDS_JOB)
