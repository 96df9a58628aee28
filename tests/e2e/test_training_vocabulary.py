"""Vocabulary through the sandbox: CSV import, /export round trip, /add, /clear."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.features.training.models import TrainingSession, WordPair
from tests.e2e.conftest import Community


async def pairs_of(community: Community, user_id: int) -> dict[str, str]:
    async with community.app.session_factory() as session:
        rows = await session.execute(
            select(WordPair.word, WordPair.translation).where(WordPair.user_id == user_id)
        )
        return dict(rows.all())


async def test_import_delimiters_bom_header_bad_rows_and_updates(community: Community) -> None:
    mia = community.member
    comma = "\ufeffword,translation\ncat,кошка\n\ndog,собака\n".encode()
    reply = await mia.send_document("words.csv", comma)
    assert reply.last.text == "Imported 2 new, updated 0, skipped 0."

    semicolon = "Cat;кот\nhouse;дом\nlonely\n;пусто\nsun;\n".encode()
    reply = await mia.send_document("more.csv", semicolon)
    assert reply.last.text == ("Imported 1 new, updated 1, skipped 3.\nSkipped lines: 3, 4, 5")

    tab = "tree\tдерево\ndog\tпёс\n".encode()
    reply = await mia.send_document("tabs.csv", tab)
    assert reply.last.text == "Imported 1 new, updated 1, skipped 0."

    assert await pairs_of(community, mia.id) == {
        "cat": "кот",
        "dog": "пёс",
        "house": "дом",
        "tree": "дерево",
    }
    # another user's vocabulary is theirs alone
    assert await pairs_of(community, community.other.id) == {}


async def test_import_refuses_what_is_not_csv(community: Community) -> None:
    mia = community.member
    reply = await mia.send_document("photo.png", b"\x89PNG\r\n\x1a\n")
    assert reply.last.text.startswith("That is not a CSV file.")
    reply = await mia.send_document("big.csv", b"a,b\n" * 300_000)
    assert reply.last.text == "That file is too big: at most 1 MB, and it has 1.1 MB."
    reply = await mia.send_document("utf16.csv", "cat,кошка\n".encode("utf-16"))
    assert reply.last.text.startswith("I cannot read that file as UTF-8 text.")
    assert await pairs_of(community, mia.id) == {}
    # only the UTF-16 file was downloaded: the others are refused by name and size first
    assert len(community.world.calls("getFile")) == 1


async def test_big_import_shows_progress_in_one_message(community: Community) -> None:
    mia = community.member
    data = "".join(f"word{i},слово{i}\n" for i in range(3000)).encode()
    reply = await mia.send_document("big.csv", data)
    assert len(reply) == 1, "progress and result share one message"
    assert reply.last.text == "Imported 3000 new, updated 0, skipped 0."
    assert reply.last.edited
    assert len(await pairs_of(community, mia.id)) == 3000


async def test_export_round_trip(community: Community) -> None:
    mia = community.member
    await mia.send("/add Zebra — зебра")
    await mia.send("/add apple = яблоко, плод")
    await mia.send('/add say "hi"; сказать «привет»')
    reply = await mia.send("/export")
    document = reply.last.document
    assert document is not None
    assert document.file_name == "vocabulary.csv"
    assert document.data.startswith(b"\xef\xbb\xbf")
    lines = document.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "word,translation"
    assert [line.split(",")[0] for line in lines[1:]] == ["apple", '"say ""hi"""', "Zebra"]
    before = await pairs_of(community, mia.id)

    other = community.other
    reply = await other.send_document("vocabulary.csv", document.data)
    assert reply.last.text == "Imported 3 new, updated 0, skipped 0."
    assert await pairs_of(community, other.id) == before
    reply = await mia.send_document("vocabulary.csv", document.data)
    assert reply.last.text == "Imported 0 new, updated 0, skipped 0."
    assert await pairs_of(community, mia.id) == before


async def test_export_of_an_empty_vocabulary(community: Community) -> None:
    reply = await community.member.send("/export")
    assert reply.last.text.startswith("Your vocabulary is empty.")
    assert community.world.calls("sendDocument") == []


async def test_add_forms_update_and_bad_input(community: Community) -> None:
    mia = community.member
    assert (await mia.send("/add cat — кошка")).last.text == "Added: cat — кошка"
    assert (await mia.send("/add dog = собака")).last.text == "Added: dog — собака"
    assert (await mia.send("/add ice cream; мороженое")).last.text == (
        "Added: ice cream — мороженое"
    )
    assert (await mia.send("/add CAT — кот")).last.text == "Updated: CAT — кот"
    reply = await mia.send("/add just words")
    assert reply.last.text.startswith("I could not find a pair there.")
    reply = await mia.send("/add <b>x</b> = y")
    assert "&lt;b&gt;x&lt;/b&gt;" in reply.last.html
    assert await pairs_of(community, mia.id) == {
        "cat": "кот",
        "dog": "собака",
        "ice cream": "мороженое",
        "<b>x</b>": "y",
    }
    long = "w" * 256
    reply = await mia.send(f"/add {long} = y")
    assert "at most 255 characters" in reply.last.text


async def test_add_without_a_pair_asks_for_it(community: Community) -> None:
    mia = community.member
    prompt = (await mia.send("/add")).last
    assert prompt.buttons == [["✖ Cancel"]]
    await mia.send("nothing here")
    assert mia.last_message.text.startswith("I could not find a pair there.")
    assert mia.last_message.buttons == [["✖ Cancel"]]
    assert prompt.buttons == [], "one live prompt"
    await mia.send("sun — солнце")
    assert mia.last_message.text == "Added: sun — солнце"
    assert [m for m in mia.messages if m.buttons] == []
    assert await pairs_of(community, mia.id) == {"sun": "солнце"}
    # the flow is over: text is no longer taken as a pair
    await mia.send("moon — луна")
    assert await pairs_of(community, mia.id) == {"sun": "солнце"}


async def test_a_document_sent_in_a_flow_is_not_imported(community: Community) -> None:
    mia = community.member
    await mia.send("/add")
    await mia.send_document("words.csv", "cat,кошка\n".encode())
    assert await pairs_of(community, mia.id) == {}
    assert mia.last_message.buttons == [["✖ Cancel"]], "the flow's question, asked again"
    await mia.send("/cancel")
    await mia.send_document("words.csv", "cat,кошка\n".encode())
    assert await pairs_of(community, mia.id) == {"cat": "кошка"}


async def test_clear_keep_and_delete(community: Community) -> None:
    mia, otto = community.member, community.other
    await mia.send_document("w.csv", b"a,b\nc,d\n")
    await otto.send("/add x = y")
    await mia.send("/review")
    card = mia.last_message
    ask = (await mia.send("/clear")).last
    assert ask.buttons == [["Delete everything", "Keep"]]
    reply = await mia.press("Keep", message=ask)
    assert reply.last.text == "Nothing was deleted."
    assert ask.buttons == []
    assert len(await pairs_of(community, mia.id)) == 2

    ask = (await mia.send("/clear")).last
    reply = await mia.press("Delete everything", message=ask)
    assert reply.last.text == "Deleted 2 word pairs."
    assert await pairs_of(community, mia.id) == {}
    assert await pairs_of(community, otto.id) == {"x": "y"}
    assert card.buttons == [], "the open session's card lost its buttons"
    async with community.app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingSession)) == 0
    assert (await mia.send("/clear")).last.text == "Your vocabulary is already empty."


async def test_an_old_clear_question_deletes_nothing(community: Community) -> None:
    mia = community.member
    await mia.send("/add a = b")
    ask = (await mia.send("/clear")).last
    community.clock.advance(timedelta(minutes=11))
    reply = await mia.press("Delete everything", message=ask)
    assert reply.alert == "This button is no longer active."
    assert ask.buttons == []
    assert await pairs_of(community, mia.id) == {"a": "b"}


async def test_commands_in_a_group_are_refused(community: Community) -> None:
    reply = await community.member.say_in(
        community.group, "/review", thread_id=community.topics["Content"]
    )
    assert reply.last.text == "This command works in a private chat with me."
