"""The content archive (post, edit, admin delete) and /content search, through the fake Telegram."""

from __future__ import annotations

from sqlalchemy import select

from bot.features.content.models import ContentMessage
from tests.e2e.conftest import Community


async def archive_rows(community: Community) -> list[ContentMessage]:
    async with community.app.session_factory() as session:
        rows = await session.scalars(select(ContentMessage).order_by(ContentMessage.message_id))
        return list(rows.all())


async def test_posts_in_the_content_topic_are_archived_and_edits_update_them(
    community: Community,
) -> None:
    group, topic = community.group, community.topics["Content"]
    await community.member.say_in(group, "Great talk about Rust async runtimes", thread_id=topic)
    await community.other.send_photo(
        caption="Slides of the Python meetup", group=group, thread_id=topic
    )
    # Elsewhere: not archived, and not swallowed (other features still see group messages).
    await community.member.say_in(
        group, "Rust in the intro topic", thread_id=community.topics["Intros"]
    )
    await community.member.say_in(group, "Rust in general chat")
    rows = await archive_rows(community)
    assert [row.text for row in rows] == [
        "Great talk about Rust async runtimes",
        "Slides of the Python meetup",
    ]
    first = rows[0]
    assert first.author_id == community.member.id
    assert first.author_name == "Mia Wallace"
    internal = str(group.id).removeprefix("-100")
    assert first.link == f"https://t.me/c/{internal}/{topic}/{first.message_id}"

    posted = next(m for m in community.member.sent if m.text and "async runtimes" in m.text)
    await community.member.edit(posted, "Great talk about Go schedulers")
    rows = await archive_rows(community)
    assert rows[0].text == "Great talk about Go schedulers"
    assert len(rows) == 2


async def test_admin_delete_reply_removes_from_archive_and_chat(community: Community) -> None:
    group, topic = community.group, community.topics["Content"]
    await community.member.say_in(group, "Spam link here", thread_id=topic)
    spam = community.member.last_sent
    # A member's "delete" does nothing to the archive.
    await community.other.say_in(group, "delete", reply_to=spam)
    assert next(row.message_id for row in await archive_rows(community)) == spam.message_id
    assert not spam.deleted
    await community.moderator.say_in(group, "delete", reply_to=spam)
    order = community.moderator.last_sent
    assert spam.message_id not in [row.message_id for row in await archive_rows(community)]
    assert spam.deleted
    assert order.deleted


async def test_content_search_paginates_refines_and_starts_over(community: Community) -> None:
    group, topic = community.group, community.topics["Content"]
    for index in range(7):
        kind = "video" if index % 2 else "article"
        await community.member.say_in(group, f"Kotlin {kind} number {index}", thread_id=topic)
    await community.other.say_in(group, "Книга про Котлин и корутины", thread_id=topic)
    mia = community.member
    await mia.send("/content")
    assert "What are you looking for?" in mia.last_message.text
    await mia.send("KOTLIN")
    results = mia.last_message
    assert "Found 7" in results.text
    assert "Kotlin video number 5" in results.text
    assert results.buttons[0] == ["1/2", "Next ▶"]
    assert "https://t.me/c/" in results.html
    await mia.press("Next ▶")
    assert "Kotlin article number 0" in results.text
    await mia.press("🔎 Refine")
    await mia.send("video")
    # Any word matches, ranked: the three videos (both words) come before the articles.
    refined = mia.last_message
    assert "Found 7" in refined.text
    lines = [line for line in refined.text.splitlines() if "number" in line]
    assert ["video" in line for line in lines] == [True, True, True, False, False]
    assert "↳ matched: kotlin, video" in refined.text
    await mia.press("↩ Start over")
    await mia.send("котлин")
    assert "Книга про Котлин" in mia.last_message.text
    assert "Found 1" in mia.last_message.text
    await mia.send("nothing like this")
    assert "Nothing found" in mia.last_message.text


async def test_content_search_is_for_members_in_private(community: Community) -> None:
    await community.stranger.send("/content")
    assert community.stranger.last_message.text.startswith("This is for community members only.")
    await community.member.say_in(community.group, "/content")
    assert community.group.last_message.text == "This command works in a private chat with me."
