"""/forget, /export_me and the admins' Remove profile, through the fake Telegram."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.features.coffee.models import PAIRED, CoffeeAnswer, CoffeePair, CoffeeRound
from bot.features.core.models import User
from bot.features.events.models import Event
from bot.features.privacy.keyboards import PvForgetCb
from bot.features.profile.models import Profile
from bot.features.topics.models import Topic
from bot.features.topics.router import render_topics
from bot.features.training import service as training
from bot.features.training.models import LearningSettings, WordPair
from bot.features.voting.models import (
    CLOSED,
    JOINING,
    PASSED,
    Proposal,
    SessionParticipant,
    Vote,
    VotingSession,
)
from bot.features.voting.publish import author_name
from bot.i18n import get_translator
from tests.e2e.conftest import Community
from tests.e2e.onboarding import ABOUT, onboard


async def arrange(community: Community) -> dict[str, int]:
    """Mia's things besides her profile: words, a topic, votes in a closed and an open session,
    a proposal, Random Coffee history. Otto votes too (his stay)."""
    mia, otto = community.member.id, community.other.id
    now = community.clock()
    async with community.app.session_factory() as session, session.begin():
        session.add(User(id=otto, first_name="Otto"))
        await session.flush()
        await training.add_pair(session, mia, "Haus", "house", now)
        await training.add_pair(session, mia, "Baum", "tree", now)
        event = Event(name="Club call", type="club_call", starts_at=now + timedelta(days=3))
        session.add(event)
        await session.flush()
        topic = Topic(event_id=event.id, author_id=mia, text="Sharks", created_at=now)
        session.add(topic)
        closed = VotingSession(
            chat_id=community.group.id,
            title="Old",
            created_by=otto,
            status=CLOSED,
            join_closes_at=now,
        )
        live = VotingSession(
            chat_id=community.group.id + 1,
            title="Live",
            created_by=otto,
            status=JOINING,
            join_closes_at=now + timedelta(hours=1),
        )
        session.add_all([closed, live])
        await session.flush()
        # Nothing is due: no job acts on these while the test runs.
        old = Proposal(
            session_id=closed.id,
            author_id=mia,
            text="Pizza",
            status=PASSED,
            closes_at=now - timedelta(hours=1),
            closed_at=now - timedelta(hours=1),
            result=PASSED,
            yes_count=1,
            no_count=1,
        )
        later = now + timedelta(hours=1)
        new = Proposal(session_id=live.id, author_id=otto, text="Tea", closes_at=later)
        session.add_all([old, new])
        await session.flush()
        for voting in (closed, live):
            for user in (mia, otto):
                session.add(SessionParticipant(session_id=voting.id, user_id=user))
        session.add_all(
            [
                Vote(proposal_id=old.id, user_id=mia, choice="yes"),
                Vote(proposal_id=old.id, user_id=otto, choice="no"),
                Vote(proposal_id=new.id, user_id=mia, choice="yes"),
            ]
        )
        # A past round, already paired (no job takes it).
        coffee = CoffeeRound(
            chat_id=community.group.id,
            week="2026-W49",
            status=PAIRED,
            opens_at=now - timedelta(days=2),
            pairs_at=now - timedelta(days=1),
            paired_at=now - timedelta(days=1),
        )
        session.add(coffee)
        await session.flush()
        session.add_all(
            [
                CoffeeAnswer(round_id=coffee.id, user_id=mia, yes=True),
                CoffeePair(round_id=coffee.id, group_no=1, user_id=mia),
                CoffeePair(round_id=coffee.id, group_no=1, user_id=otto),
            ]
        )
        return {"topic": topic.id, "old": old.id, "closed": closed.id}


async def count(community: Community, model: type, *where: object) -> int:
    async with community.app.session_factory() as session:
        found = await session.scalar(select(func.count()).select_from(model).where(*where))
        return int(found or 0)


async def test_forget_names_what_goes_and_cancel_keeps_everything(community: Community) -> None:
    mia = community.member
    card = await onboard(community)
    await arrange(community)
    await mia.send("/forget")
    ask = mia.last_message
    assert "Delete everything the bot stores about you?" in ask.text
    assert "your profile" in ask.text
    assert "your intro card" in ask.text
    assert "your vocabulary: 2 word pairs" in ask.text
    assert "your name on the topics you proposed (1;" in ask.text
    assert "your votes (2)" in ask.text
    assert ask.buttons == [["🗑 Delete everything"], ["✖ Cancel"]]
    await mia.press("✖ Cancel")
    assert "Cancelled" in mia.last_message.text
    assert await count(community, Profile, Profile.user_id == mia.id) == 1
    assert await count(community, WordPair, WordPair.user_id == mia.id) == 2
    assert not card.deleted
    # The confirmation's button is stale now: one alert, nothing deleted.
    reply = await mia.press_data(PvForgetCb().pack(), message=ask)
    assert reply.answer is not None
    assert reply.answer.show_alert
    assert await count(community, Profile, Profile.user_id == mia.id) == 1


async def test_forget_deletes_and_anonymises(community: Community) -> None:
    mia, otto = community.member, community.other
    card = await onboard(community)
    ids = await arrange(community)
    await mia.send("/forget")
    await mia.press("🗑 Delete everything")
    assert "everything the bot stored about you is deleted" in mia.last_message.text
    assert not mia.last_message.keyboard
    assert card.deleted  # through the outbox
    me = mia.id
    assert await count(community, Profile, Profile.user_id == me) == 0
    assert await count(community, WordPair, WordPair.user_id == me) == 0
    assert await count(community, LearningSettings, LearningSettings.user_id == me) == 0
    assert await count(community, CoffeeAnswer, CoffeeAnswer.user_id == me) == 0
    assert await count(community, CoffeePair, CoffeePair.user_id == me) == 0
    assert await count(community, CoffeePair, CoffeePair.user_id == otto.id) == 1
    assert await count(community, Vote, Vote.user_id == me) == 0
    assert await count(community, SessionParticipant, SessionParticipant.user_id == me) == 0
    # The topic stays, without its author; the closed session's counts stay right.
    async with community.app.session_factory() as session:
        topic = await session.get(Topic, ids["topic"])
        assert topic is not None
        assert topic.author_id is None
        assert topic.text == "Sharks"
        proposal = await session.get(Proposal, ids["old"])
        assert proposal is not None
        assert proposal.author_id is None
        assert (proposal.yes_count, proposal.no_count) == (1, 1)
        choices = await session.execute(
            select(Vote.choice, Vote.user_id).where(Vote.proposal_id == ids["old"])
        )
        assert sorted(choices.all(), key=lambda row: row[0]) == [("no", otto.id), ("yes", None)]
        joined = SessionParticipant.session_id == ids["closed"]
        total = await session.scalar(
            select(func.count()).select_from(SessionParticipant).where(joined)
        )
        assert total == 2
        user = await session.get(User, me)
        assert user is not None
        assert (user.first_name, user.last_name, user.username) == ("", None, None)
    # Where the author was named, a former member is.
    async with community.app.session_factory() as session:
        event = await session.get(Event, topic.event_id)
        assert event is not None
        t = get_translator("en")
        text, _, _ = await render_topics(session, t, community.app.settings, event, 1, links=True)
        assert "Sharks" in text
        assert "a former member" in text
        assert await author_name(session, proposal.author_id, t) == "a former member"
    # Not in any flow: the member can start again as a newcomer.
    await mia.send("/profile")
    assert "You have no profile yet" in mia.last_message.text


async def test_export_me_sends_everything_as_json(community: Community) -> None:
    mia = community.member
    await onboard(community)
    await arrange(community)
    await mia.send("/export_me")
    sent = mia.last_message
    assert sent.document is not None
    assert sent.document.file_name == f"agora-{mia.id}.json"
    data = json.loads(sent.document.data.decode("utf-8"))
    assert data["user"]["id"] == mia.id
    assert data["profile"]["about"] == ABOUT
    assert data["profile"]["published_message_id"] is not None
    assert sorted(pair["word"] for pair in data["word_pairs"]) == ["Baum", "Haus"]
    assert [topic["text"] for topic in data["topics"]] == ["Sharks"]
    assert sorted(vote["proposal"] for vote in data["votes"]) == ["Pizza", "Tea"]
    assert [proposal["text"] for proposal in data["proposals"]] == ["Pizza"]
    assert len(data["coffee_pairs"]) == 1
    assert len(data["coffee_answers"]) == 1
    assert len(data["learning_settings"]) == 1


async def test_admin_removes_a_profile_and_its_card(community: Community) -> None:
    ada, mia = community.admin, community.member
    card = await onboard(community)
    await ada.send("/profiles")
    await ada.send(str(mia.id))
    await ada.press("🗑 Remove profile")
    ask = ada.last_message
    assert "Remove the profile of Mia Wallace" in ask.text
    await ada.press("◀ Back")
    assert not card.deleted
    assert await count(community, Profile, Profile.user_id == mia.id) == 1
    await ada.press("🗑 Remove profile")
    await ada.press("🗑 Remove")
    assert "Profile removed" in ada.last_message.text
    assert card.deleted
    assert await count(community, Profile, Profile.user_id == mia.id) == 0
