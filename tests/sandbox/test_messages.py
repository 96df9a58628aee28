"""The fake server's message methods through a real aiogram Bot: results, limits and errors."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.sandbox import World
from bot.sandbox.client import UserActor

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def keyboard(*labels: str, data: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data or label) for label in labels]
        ]
    )


@pytest.fixture
def alice(world: World) -> UserActor:
    user = world.user("Alice", username="alice")
    user.record.started = True
    return user


async def test_send_message_parses_html_and_keeps_the_message(bot: Bot, alice: UserActor) -> None:
    sent = await bot.send_message(
        alice.id, "<b>Hi</b> &lt;you&gt;", parse_mode="HTML", reply_markup=keyboard("Yes", "No")
    )
    assert sent.text == "Hi <you>"
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    assert sent.from_user is not None
    assert sent.from_user.username == "agora_test_bot"
    assert alice.last_message.message_id == sent.message_id
    assert alice.last_message.html == "<b>Hi</b> &lt;you&gt;"
    assert alice.last_message.buttons == [["Yes", "No"]]


async def test_text_length_is_counted_after_parsing_in_utf16_units(
    bot: Bot, alice: UserActor
) -> None:
    await bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(alice.id, "😀" * 2048)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(alice.id, "😀" * 2048 + "a")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(alice.id, "a" * 4097)
    assert len(alice.messages) == 2


async def test_empty_text(bot: Bot, alice: UserActor, world: World) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(alice.id, "  \n ")
    assert world.violations == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(alice.id, "")  # aiogram leaves the empty text out entirely
    assert [v.problem for v in world.violations] == ["message text is empty"]


async def test_invalid_html_is_refused(bot: Bot, alice: UserActor) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(alice.id, "<b>bold", parse_mode="HTML")
    assert caught.value.message == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br" at byte offset 2'):
        await bot.send_message(alice.id, "a <br> b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="parse_mode HTML only"):
        await bot.send_message(alice.id, "*a*", parse_mode="MarkdownV2")
    assert alice.messages == []


async def test_callback_data_is_at_most_64_bytes(bot: Bot, alice: UserActor) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=keyboard("A", data="x" * 64))
    for data in ("x" * 65, "я" * 33):  # 65 and 66 bytes
        with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
            await bot.send_message(alice.id, "no", reply_markup=keyboard("A", data=data))
    assert len(alice.messages) == 1


async def test_empty_callback_data_is_refused(bot: Bot, alice: UserActor) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="")]]
    )
    with pytest.raises(TelegramBadRequest, match="Bad Request: BUTTON_DATA_INVALID"):
        await bot.send_message(alice.id, "no", reply_markup=markup)


async def test_at_most_100_buttons(bot: Bot, alice: UserActor) -> None:
    labels = [str(i) for i in range(100)]
    await bot.send_message(alice.id, "ok", reply_markup=keyboard(*labels))
    with pytest.raises(TelegramBadRequest, match="Bad Request: reply markup is too long"):
        await bot.send_message(alice.id, "no", reply_markup=keyboard(*labels, "100"))


async def test_url_buttons_need_a_web_or_tg_url(bot: Bot, alice: UserActor) -> None:
    for url in ("https://example.org/x", "http://t.me/agora", "tg://resolve?domain=x"):
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="L", url=url)]])
        await bot.send_message(alice.id, "ok", reply_markup=markup)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="L", url="ftp://example.org")]]
    )
    with pytest.raises(TelegramBadRequest, match="Unsupported URL protocol"):
        await bot.send_message(alice.id, "no", reply_markup=markup)


async def test_reply_keyboards_show_and_go(bot: Bot, alice: UserActor) -> None:
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Yes"), KeyboardButton(text="No")]])
    await bot.send_message(alice.id, "Pick", reply_markup=markup)
    assert alice.reply_keyboard == [["Yes", "No"]]
    assert alice.last_message.keyboard is None  # not an inline keyboard
    await bot.send_message(alice.id, "Done", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard is None


async def test_edit_not_modified_and_keyboard_rules(bot: Bot, alice: UserActor) -> None:
    sent = await bot.send_message(
        alice.id, "<i>v1</i>", parse_mode="HTML", reply_markup=keyboard("A")
    )
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.edit_message_text(
            text="<i>v1</i>",
            chat_id=alice.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard("A"),
        )
    assert caught.value.message == NOT_MODIFIED
    # Same text, other formatting: modified.
    edited = await bot.edit_message_text(
        text="v1", chat_id=alice.id, message_id=sent.message_id, reply_markup=keyboard("A")
    )
    assert not isinstance(edited, bool)
    assert edited.edit_date is not None
    # Without reply_markup the keyboard goes away, as on Telegram.
    await bot.edit_message_text(text="v1", chat_id=alice.id, message_id=sent.message_id)
    assert alice.last_message.keyboard is None
    assert alice.last_message.edited
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id)
    await bot.edit_message_reply_markup(
        chat_id=alice.id, message_id=sent.message_id, reply_markup=keyboard("B")
    )
    assert alice.last_message.buttons == [["B"]]


async def test_edit_and_delete_after_delete(bot: Bot, alice: UserActor) -> None:
    sent = await bot.send_message(alice.id, "bye")
    assert await bot.delete_message(alice.id, sent.message_id) is True
    assert alice.messages == []
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=alice.id, message_id=999)


async def test_only_text_messages_get_text_edits(bot: Bot, alice: UserActor) -> None:
    doc = await bot.send_document(alice.id, BufferedInputFile(b"x", "a.txt"), caption="c")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text(text="x", chat_id=alice.id, message_id=doc.message_id)
    await bot.edit_message_caption(chat_id=alice.id, message_id=doc.message_id, caption="d")
    assert alice.last_message.caption == "d"


async def test_private_chats_need_a_start_and_no_block(bot: Bot, world: World) -> None:
    bob = world.user("Bob")
    with pytest.raises(TelegramForbiddenError) as caught:
        await bot.send_message(bob.id, "hello")
    assert caught.value.message == "Forbidden: bot can't initiate conversation with a user"
    bob.record.started = True
    await bot.send_message(bob.id, "hello")
    bob.block_bot()
    with pytest.raises(TelegramForbiddenError) as caught:
        await bot.send_message(bob.id, "hello?")
    assert caught.value.message == "Forbidden: bot was blocked by the user"
    bob.unblock_bot()
    await bot.send_message(bob.id, "welcome back")
    assert [m.text for m in bob.messages] == ["hello", "welcome back"]


async def test_unknown_chat(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(123, "x")
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message("@nobody_here", "x")


async def test_caption_is_at_most_1024_after_parsing(bot: Bot, alice: UserActor) -> None:
    file = BufferedInputFile(b"data", "a.txt")
    await bot.send_document(alice.id, file, caption="<b>" + "c" * 1024 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message caption is too long"):
        await bot.send_document(alice.id, file, caption="c" * 1025)


async def test_documents_upload_resend_get_file_and_download(
    bot: Bot, alice: UserActor, world: World
) -> None:
    sent = await bot.send_document(
        alice.id, BufferedInputFile(b"word,translation\n", "words.csv"), caption="list"
    )
    assert sent.document is not None
    assert sent.document.file_name == "words.csv"
    assert sent.document.mime_type == "text/csv"
    assert sent.document.file_size == 17
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == b"word,translation\n"
    assert alice.last_message.document is not None
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(alice.id, "no-such-file")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file")
    upload = world.calls("sendDocument")[0]
    assert upload.params["document"].filename == "words.csv"


async def test_answer_callback_query(
    bot: Bot, alice: UserActor, world: World, no_wait: World
) -> None:
    await bot.send_message(alice.id, "Pick", reply_markup=keyboard("A"))
    reply = await alice.press("A")
    assert reply.answer is not None
    assert not reply.answer.answered
    query_id = reply.answer.query_id
    with pytest.raises(TelegramBadRequest, match="Bad Request: MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id, text="x" * 200, show_alert=True)
    assert alice.last_alert == "x" * 200
    assert alice.last_answer is not None
    assert alice.last_answer.show_alert
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query(query_id)
    callback = world.updates[-1].payload["callback_query"]
    assert callback["data"] == "A"
    assert callback["message"]["message_id"] == alice.last_message.message_id


async def test_pressing_a_missing_label_lists_the_buttons(
    bot: Bot, alice: UserActor, no_wait: World
) -> None:
    await bot.send_message(alice.id, "Pick", reply_markup=keyboard("Yes", "No"))
    with pytest.raises(AssertionError, match=r"no button \"Maybe\".*\[\['Yes', 'No'\]\]"):
        await alice.press("Maybe")


async def test_forward_and_copy(bot: Bot, alice: UserActor, world: World) -> None:
    bob = world.user("Bob")
    bob.record.started = True
    original = await bot.send_message(alice.id, "<b>news</b>", parse_mode="HTML")
    forwarded = await bot.forward_message(bob.id, alice.id, original.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.type == "user"
    assert forwarded.text == "news"
    copied = await bot.copy_message(bob.id, alice.id, original.message_id)
    assert [m.message_id for m in bob.messages] == [forwarded.message_id, copied.message_id]
    assert bob.messages[-1].html == "<b>news</b>"
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(bob.id, alice.id, 999)


async def test_reply_parameters(bot: Bot, alice: UserActor) -> None:
    first = await bot.send_message(alice.id, "first")
    second = await bot.send_message(
        alice.id, "second", reply_parameters=ReplyParameters(message_id=first.message_id)
    )
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == first.message_id
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(message_id=99))
    await bot.send_message(
        alice.id,
        "x",
        reply_parameters=ReplyParameters(message_id=99, allow_sending_without_reply=True),
    )


async def test_pins(bot: Bot, world: World) -> None:
    group = world.group("Club")
    sent = await bot.send_message(group.id, "rules")
    await bot.pin_chat_message(group.id, sent.message_id)
    assert [m.message_id for m in group.pinned] == [sent.message_id]
    chat = await bot.get_chat(group.id)
    assert chat.pinned_message is not None
    assert chat.pinned_message.text == "rules"
    await bot.unpin_chat_message(group.id)
    assert group.pinned == []
    group.set_bot_status("member")
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.pin_chat_message(group.id, sent.message_id)


async def test_groups_forums_and_membership_errors(bot: Bot, world: World) -> None:
    forum = world.group("Forum", forum=True, username="agora_forum")
    alice = world.user("Alice")
    forum.add(alice)
    intros = forum.topic("Intros")
    sent = await bot.send_message("@agora_forum", "welcome", message_thread_id=intros)
    assert sent.message_thread_id == intros
    assert sent.is_topic_message
    assert [m.text for m in forum.messages_in(intros)] == ["welcome"]
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(forum.id, "x", message_thread_id=9999)
    forum.set_bot_status("kicked")
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.send_message(forum.id, "x")


async def test_migrated_group_points_to_the_supergroup(
    bot: Bot, world: World, no_wait: World
) -> None:
    group = world.group("Old", supergroup=False)
    alice = world.user("Alice")
    group.add(alice, creator=True)
    old_id = group.id
    await group.migrate_to_supergroup()
    assert group.id != old_id
    assert group.record.type == "supergroup"
    with pytest.raises(TelegramMigrateToChat) as caught:
        await bot.send_message(old_id, "x")
    assert caught.value.migrate_to_chat_id == group.id
    kinds = [next(k for k in u.payload if k != "update_id") for u in world.updates]
    assert kinds == ["message", "message"]
    assert world.updates[0].payload["message"]["migrate_to_chat_id"] == group.id
    assert world.updates[1].payload["message"]["migrate_from_chat_id"] == old_id


async def test_chat_members_and_admins(bot: Bot, world: World) -> None:
    group = world.group("Club")
    alice, bob, carol = world.user("Alice"), world.user("Bob"), world.user("Carol")
    group.add(alice, creator=True)
    group.add(bob, admin=True)
    group.add(carol)
    assert (await bot.get_chat_member(group.id, alice.id)).status == "creator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, carol.id)).status == "member"
    group.remove(carol, banned=True)
    assert (await bot.get_chat_member(group.id, carol.id)).status == "kicked"
    outsider = world.user("Dan")
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    admins = await bot.get_chat_administrators(group.id)
    assert {member.user.id for member in admins} == {alice.id, bob.id, world.bot_user.id}
    assert await bot.get_chat_member_count(group.id) == 3  # Alice, Bob and the bot
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(group.id, 5)
    with pytest.raises(TelegramBadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(alice.id)


async def test_get_chat(bot: Bot, world: World) -> None:
    alice = world.user("Alice", username="alice", last_name="Liddell")
    chat = await bot.get_chat(alice.id)
    assert (chat.type, chat.first_name, chat.last_name, chat.username) == (
        "private",
        "Alice",
        "Liddell",
        "alice",
    )
    forum = world.group("Forum", forum=True)
    chat = await bot.get_chat(forum.id)
    assert (chat.type, chat.title, chat.is_forum) == ("supergroup", "Forum", True)


async def test_chat_actions(bot: Bot, alice: UserActor) -> None:
    assert await bot.send_chat_action(alice.id, "typing") is True
    assert alice.chat.last_action == "typing"
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")
