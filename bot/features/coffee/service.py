"""Random Coffee: the weekly schedule, rounds, answers, exclusions and the pairing (no Telegram).

A round is one week's poll in the community chat. The weekly job opens it (the row is created
once per chat and week, whoever tries: a unique constraint), members answer in the poll, and at
`pairs_at` the pairing job claims the round, pairs the "yes" voters (avoiding the pairs of the
last weeks where it can) and keeps who met whom.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings, WeeklyTime
from bot.db.base import utcnow
from bot.db.dialect import insert
from bot.features.coffee.models import (
    OPEN,
    PAIRED,
    CoffeeAnswer,
    CoffeeExclusion,
    CoffeePair,
    CoffeeRound,
)
from bot.features.core.models import User
from bot.features.profile.models import Profile
from bot.jobs.claim import for_claim
from bot.jobs.runner import wake_on_commit
from bot.outbox.service import sent_hook, sent_result
from bot.refusals import Refused

POLLS_JOB = "coffee-polls"
PAIRS_JOB = "coffee-pairs"
# The outbox key of a round's poll (its stop finds the poll by it) and the hook that records it.
POLL_KEY = "coffee-poll"
POLL_POSTED = "coffee-poll-posted"
# The poll's options, in this order.
YES_OPTION = 0
NO_OPTION = 1
WEEK = timedelta(days=7)

# Above this many people the pairing is a randomised greedy search with restarts; up to it, an
# exhaustive one (10 people: 945 ways to pair them).
EXACT_LIMIT = 10
GREEDY_TRIES = 300

Group = tuple[int, ...]


# --- the weekly schedule ---------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When the weekly poll opens and when its pairs are made, in the community's time zone."""

    poll: WeeklyTime
    pairs: WeeklyTime
    tz: ZoneInfo

    @classmethod
    def of(cls, settings: Settings) -> Schedule | None:
        """None when Random Coffee is off (no COFFEE_POLL_AT, or no community chat)."""
        poll, pairs = settings.coffee_poll_time, settings.coffee_pairs_time
        if poll is None or pairs is None or settings.community_chat_id is None:
            return None
        return cls(poll, pairs, settings.timezone)

    def _at(self, day: date, when: WeeklyTime) -> datetime:
        return datetime.combine(day, time(when.hour, when.minute), tzinfo=self.tz).astimezone(UTC)

    def latest(self, when: WeeklyTime, now: datetime) -> datetime:
        """The last moment `when` happened, at or before `now`."""
        local = now.astimezone(self.tz).date()
        day = local - timedelta(days=(local.weekday() - when.weekday) % 7)
        moment = self._at(day, when)
        return moment if moment <= now else self._at(day - WEEK, when)

    def following(self, when: WeeklyTime, after: datetime) -> datetime:
        """The first moment `when` happens strictly after `after`."""
        day = self.latest(when, after).astimezone(self.tz).date() + WEEK
        return self._at(day, when)

    def week_of(self, moment: datetime) -> str:
        year, week, _ = moment.astimezone(self.tz).isocalendar()
        return f"{year}-W{week:02d}"

    def scheduled(self, now: datetime) -> Week:
        """The week of the latest scheduled poll (its round may not exist yet)."""
        opens = self.latest(self.poll, now)
        return Week(self.week_of(opens), opens, self.following(self.pairs, opens))

    def now(self, now: datetime) -> Week:
        """This week, opened now by an admin (/coffee_now): paired at the next pairing time."""
        return Week(self.week_of(now), now, self.following(self.pairs, now))


@dataclass(frozen=True)
class Week:
    key: str
    opens_at: datetime
    pairs_at: datetime


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


# --- rounds ----------------------------------------------------------------------------------


async def create_round(
    session: AsyncSession, *, chat_id: int, thread_id: int | None, week: Week, locale: str
) -> CoffeeRound | None:
    """The week's round, or None when the chat has it already or another round is open (also
    when another process created it at the same moment: the unique constraints decide)."""
    new_id = await session.scalar(
        insert(session, CoffeeRound)
        .values(
            chat_id=chat_id,
            thread_id=thread_id,
            week=week.key,
            locale=locale,
            status=OPEN,
            opens_at=week.opens_at,
            pairs_at=week.pairs_at,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(CoffeeRound.id)
    )
    if new_id is None:
        return None
    wake_on_commit(session, PAIRS_JOB)  # its deadline is new
    return await session.get(CoffeeRound, new_id)


async def needs_round(session: AsyncSession, chat_id: int, week: str) -> bool:
    """Whether the weekly job has a round to open: none for this week, and none open."""
    found = await session.scalar(
        select(CoffeeRound.id)
        .where(
            CoffeeRound.chat_id == chat_id,
            or_(CoffeeRound.week == week, CoffeeRound.status == OPEN),
        )
        .limit(1)
    )
    return found is None


async def open_now(
    session: AsyncSession, *, chat_id: int, thread_id: int | None, week: Week, locale: str
) -> CoffeeRound:
    """/coffee_now: this week's round, refused while one is open or when the week has had one."""
    if await open_round(session, chat_id) is not None:
        raise Refused("coffee-already-open")
    done = await session.scalar(
        select(CoffeeRound.id).where(CoffeeRound.chat_id == chat_id, CoffeeRound.week == week.key)
    )
    if done is not None:
        raise Refused("coffee-week-done")
    created = await create_round(
        session, chat_id=chat_id, thread_id=thread_id, week=week, locale=locale
    )
    if created is None:  # opened by the weekly job at this very moment
        raise Refused("coffee-already-open")
    return created


async def open_round(
    session: AsyncSession, chat_id: int, *, lock: bool = False
) -> CoffeeRound | None:
    stmt = select(CoffeeRound).where(CoffeeRound.chat_id == chat_id, CoffeeRound.status == OPEN)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def round_by_poll(session: AsyncSession, poll_id: str) -> CoffeeRound | None:
    return await session.scalar(select(CoffeeRound).where(CoffeeRound.poll_id == poll_id))


@sent_hook(POLL_POSTED)
async def record_poll(
    session: AsyncSession, round_id: int | None, chat_id: int, message_id: int
) -> None:
    """The poll is out: keep its message (to stop it) and its poll id (answers name it)."""
    coffee = await session.get(CoffeeRound, round_id) if round_id is not None else None
    if coffee is None:
        return
    coffee.poll_message_id = message_id
    coffee.poll_id = (await sent_result(session, chat_id, message_id)).get("poll_id")


async def claim_due_round(
    session: AsyncSession, now: datetime, skip: Collection[int] = ()
) -> CoffeeRound | None:
    """An open round whose pairing time has come, locked for this transaction (a second process
    skips it, and finds it paired once this one commits)."""
    stmt = select(CoffeeRound).where(CoffeeRound.status == OPEN, CoffeeRound.pairs_at <= now)
    if skip:
        stmt = stmt.where(CoffeeRound.id.not_in(skip))
    claimed: CoffeeRound | None = await session.scalar(
        for_claim(session, stmt.order_by(CoffeeRound.pairs_at, CoffeeRound.id).limit(1))
    )
    return claimed


async def next_pairs_at(session: AsyncSession) -> datetime | None:
    moment: datetime | None = await session.scalar(
        select(func.min(CoffeeRound.pairs_at)).where(CoffeeRound.status == OPEN)
    )
    return moment


# --- answers and exclusions ------------------------------------------------------------------


async def record_answer(
    session: AsyncSession, coffee: CoffeeRound, user_id: int, option_ids: Sequence[int]
) -> None:
    """The member's answer now: yes, no, or none (a withdrawn vote)."""
    if not option_ids:
        await session.execute(
            delete(CoffeeAnswer).where(
                CoffeeAnswer.round_id == coffee.id, CoffeeAnswer.user_id == user_id
            )
        )
        return
    yes = YES_OPTION in option_ids
    stmt = insert(session, CoffeeAnswer).values(
        round_id=coffee.id, user_id=user_id, yes=yes, updated_at=utcnow()
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["round_id", "user_id"], set_={"yes": yes, "updated_at": utcnow()}
        )
    )


async def answers(session: AsyncSession, round_id: int) -> dict[int, bool]:
    rows = await session.execute(
        select(CoffeeAnswer.user_id, CoffeeAnswer.yes).where(CoffeeAnswer.round_id == round_id)
    )
    return {int(row[0]): bool(row[1]) for row in rows.all()}


async def is_excluded(session: AsyncSession, user_id: int) -> bool:
    return await session.get(CoffeeExclusion, user_id) is not None


async def exclude(session: AsyncSession, user_id: int, by: int) -> bool:
    """Exclude a member (False: they were already); their answer in the open round is dropped."""
    if await is_excluded(session, user_id):
        return False
    session.add(CoffeeExclusion(user_id=user_id, excluded_by=by, created_at=utcnow()))
    open_ids = select(CoffeeRound.id).where(CoffeeRound.status == OPEN).scalar_subquery()
    await session.execute(
        delete(CoffeeAnswer).where(
            CoffeeAnswer.user_id == user_id, CoffeeAnswer.round_id.in_(open_ids)
        )
    )
    return True


async def include(session: AsyncSession, user_id: int) -> bool:
    """Take a member back (False: they were not excluded)."""
    result = await session.execute(
        delete(CoffeeExclusion).where(CoffeeExclusion.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def excluded_ids(session: AsyncSession) -> list[int]:
    rows = await session.scalars(select(CoffeeExclusion.user_id).order_by(CoffeeExclusion.user_id))
    return list(rows.all())


# --- people ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A member as a pairing shows them: their names, language and profile (if any)."""

    user_id: int
    name: str
    username: str | None
    language: str | None
    language_code: str | None
    reachable: bool  # the bot has seen them and they have not blocked it
    profile: Profile | None


async def people(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, Person]:
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(ids)))).all()}
    profiles = {
        p.user_id: p
        for p in (await session.scalars(select(Profile).where(Profile.user_id.in_(ids)))).all()
    }
    found: dict[int, Person] = {}
    for user_id in ids:
        user, profile = users.get(user_id), profiles.get(user_id)
        name = (profile.full_name if profile else "") or (user.full_name if user else "")
        found[user_id] = Person(
            user_id=user_id,
            name=name or str(user_id),
            username=(user.username if user else None) or (profile.username if profile else None),
            language=user.language if user else None,
            language_code=user.language_code if user else None,
            reachable=user is not None and not user.is_blocked,
            profile=profile,
        )
    return found


# --- pairing ---------------------------------------------------------------------------------


def pairs_in(group: Group) -> list[frozenset[int]]:
    return [frozenset(pair) for pair in itertools.combinations(group, 2)]


def repeats(groups: Iterable[Group], recent: Mapping[frozenset[int], int]) -> int:
    """How many times the pairs in these groups met in the recent rounds."""
    return sum(recent.get(pair, 0) for group in groups for pair in pairs_in(group))


def make_groups(
    people_ids: Sequence[int],
    recent: Mapping[frozenset[int], int],
    rng: random.Random,
    *,
    exact_limit: int = EXACT_LIMIT,
    tries: int = GREEDY_TRIES,
) -> list[Group]:
    """Pairs of these people (an odd one out joins the pair where it repeats least), with as few
    recent pairs as possible; among equally good pairings, a random one.

    Up to `exact_limit` people the best pairing is searched exhaustively; beyond, a randomised
    greedy pairing is tried `tries` times and the best kept.
    """
    order = list(dict.fromkeys(people_ids))
    if len(order) < 2:
        return []
    rng.shuffle(order)
    if len(order) <= exact_limit + 1:
        return _exact(order, recent)
    return _greedy(order, recent, rng, tries)


def _cost(a: int, b: int, recent: Mapping[frozenset[int], int]) -> int:
    return recent.get(frozenset((a, b)), 0)


def _with_odd_one(
    pairs: list[Group], odd: int, recent: Mapping[frozenset[int], int]
) -> tuple[int, list[Group]]:
    """The odd one out joins the pair where they add the fewest repeats."""
    best_at, best_extra = 0, None
    for index, (a, b) in enumerate(pairs):
        extra = _cost(odd, a, recent) + _cost(odd, b, recent)
        if best_extra is None or extra < best_extra:
            best_at, best_extra = index, extra
    groups = list(pairs)
    groups[best_at] = (*groups[best_at], odd)
    return best_extra or 0, groups


def _exact(order: list[int], recent: Mapping[frozenset[int], int]) -> list[Group]:
    best: list[tuple[int, list[Group]]] = []

    def search(rest: list[int], chosen: list[Group], cost: int, odd: int | None) -> None:
        if best and cost >= best[0][0]:
            return  # no better than what we have
        if not rest:
            total, groups = cost, list(chosen)
            if odd is not None:
                extra, groups = _with_odd_one(groups, odd, recent)
                total += extra
            if not best or total < best[0][0]:
                best[:] = [(total, groups)]
            return
        first, others = rest[0], rest[1:]
        for index, partner in enumerate(others):
            chosen.append((first, partner))
            search(
                others[:index] + others[index + 1 :],
                chosen,
                cost + _cost(first, partner, recent),
                odd,
            )
            chosen.pop()
            if best and best[0][0] == 0:
                return

    if len(order) % 2:
        for index, odd in enumerate(order):
            search(order[:index] + order[index + 1 :], [], 0, odd)
            if best and best[0][0] == 0:
                break
    else:
        search(order, [], 0, None)
    return best[0][1]


def _greedy(
    order: list[int], recent: Mapping[frozenset[int], int], rng: random.Random, tries: int
) -> list[Group]:
    best_cost, best_groups = -1, []
    for attempt in range(tries):
        people_now = list(order)
        if attempt:
            rng.shuffle(people_now)
        pairs: list[Group] = []
        cost = 0
        while len(people_now) >= 2:
            first = people_now.pop(0)
            partner = min(people_now, key=lambda other: _cost(first, other, recent))
            people_now.remove(partner)
            pairs.append((first, partner))
            cost += _cost(first, partner, recent)
        groups: list[Group] = pairs
        if people_now:
            extra, groups = _with_odd_one(pairs, people_now[0], recent)
            cost += extra
        if best_cost < 0 or cost < best_cost:
            best_cost, best_groups = cost, groups
            if cost == 0:
                break
    return best_groups


async def recent_pairs(
    session: AsyncSession, chat_id: int, since: datetime, *, before_round: int
) -> Counter[frozenset[int]]:
    """Who met whom in this chat's rounds opened since `since` (pairs of each pair and trio)."""
    rows = await session.execute(
        select(CoffeePair.round_id, CoffeePair.group_no, CoffeePair.user_id)
        .join(CoffeeRound, CoffeeRound.id == CoffeePair.round_id)
        .where(
            CoffeeRound.chat_id == chat_id,
            CoffeeRound.opens_at >= since,
            CoffeeRound.id != before_round,
        )
        .order_by(CoffeePair.round_id, CoffeePair.group_no, CoffeePair.user_id)
    )
    met: Counter[frozenset[int]] = Counter()
    for _key, members in itertools.groupby(rows.all(), key=lambda row: (row[0], row[1])):
        met.update(pairs_in(tuple(row[2] for row in members)))
    return met


@dataclass(frozen=True)
class Pairing:
    """What a round's pairing made: the groups, and the lone "yes" voter when there was one."""

    coffee: CoffeeRound
    groups: list[Group]
    alone: int | None
    voters: int


async def pair_round(
    session: AsyncSession,
    coffee: CoffeeRound,
    now: datetime,
    *,
    avoid_weeks: int,
    rng: random.Random | None = None,
) -> Pairing:
    """Pair the round's "yes" voters (excluded members left out) and keep the pairs; the round
    is paired from now on. The caller holds the round (claimed or locked)."""
    excluded = set(await excluded_ids(session))
    voters = [
        user_id
        for user_id, yes in sorted((await answers(session, coffee.id)).items())
        if yes and user_id not in excluded
    ]
    recent = await recent_pairs(
        session, coffee.chat_id, coffee.opens_at - avoid_weeks * WEEK, before_round=coffee.id
    )
    groups = make_groups(voters, recent if avoid_weeks else {}, rng or random.Random())
    for number, group in enumerate(groups, start=1):
        for user_id in group:
            session.add(CoffeePair(round_id=coffee.id, group_no=number, user_id=user_id))
    coffee.status = PAIRED
    coffee.paired_at = now
    return Pairing(
        coffee=coffee,
        groups=groups,
        alone=voters[0] if len(voters) == 1 else None,
        voters=len(voters),
    )


async def history(session: AsyncSession, chat_id: int) -> list[tuple[str, list[Group]]]:
    """Every paired round of the chat, oldest first: (week, its groups)."""
    rows = await session.execute(
        select(CoffeeRound.week, CoffeePair.group_no, CoffeePair.user_id)
        .join(CoffeePair, CoffeePair.round_id == CoffeeRound.id)
        .where(CoffeeRound.chat_id == chat_id, CoffeeRound.status == PAIRED)
        .order_by(CoffeeRound.opens_at, CoffeeRound.id, CoffeePair.group_no, CoffeePair.user_id)
    )
    weeks: dict[str, list[Group]] = {}
    for (week, _number), members in itertools.groupby(rows.all(), key=lambda r: (r[0], r[1])):
        weeks.setdefault(week, []).append(tuple(row[2] for row in members))
    return list(weeks.items())
