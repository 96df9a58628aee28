"""Training handlers (/add, CSV import, /export, /clear, /review, /getpair, /settings)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.game.states import Game
from bot.features.training import service
from bot.features.training.keyboards import (
    TrClearCb,
    TrGradeCb,
    TrSettingsCb,
    TrSnoozeCb,
    TrZoneCb,
    card_keyboard,
    clear_keyboard,
    settings_keyboard,
    zone_keyboard,
    zone_label,
)
from bot.features.training.messages import drop_expired, edit_quietly, resume_on_activity
from bot.features.training.models import WORD_LIMIT, TrainingSession
from bot.features.training.states import Review, TimeZone, TrainingAdd
from bot.features.training.views import (
    answered_text,
    card_text,
    graded_text,
    settings_text,
    summary_text,
)
from bot.i18n import Translator
from bot.refusals import STALE, Refused
from bot.telegram import runs
from bot.telegram.commands import CommandSpec, Where
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.flows import Ctx, declare_flow, expire_stale
from bot.telegram.forms import Done, Field, Form, Invalid
from bot.telegram.guards import guard
from bot.telegram.prompts import (
    PROMPT,
    LivePrompt,
    ask,
    finish_flow,
    reask,
    remove_buttons,
    start_flow,
)

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec("add", Where.PRIVATE),
    CommandSpec("review", Where.PRIVATE),
    CommandSpec("getpair", Where.PRIVATE),
    CommandSpec("export", Where.PRIVATE),
    CommandSpec("clear", Where.PRIVATE),
    CommandSpec("settings", Where.PRIVATE),
)

# Another flow's command or /cancel ends the review's session (a new /review starts afresh).
declare_flow(Review, "review", on_end=service.end_review)
declare_flow(TimeZone, "settings")

Clock = Callable[[], datetime]
PROGRESS_FROM_ROWS = 1000  # files with more rows show their progress
PROGRESS_EVERY_SECONDS = 1.5  # at most one progress edit this often
CLEAR_VALID_SECONDS = 600  # a /clear question older than this no longer deletes anything
LAST_ANSWER = "answered"  # FSM data of the review: the message taken as the last typed answer
ZONES = "zones"  # FSM data of the time-zone prompt: the zones its buttons offer, in order


# --- vocabulary --------------------------------------------------------------------------------


def parse_pair(t: Translator, text: str) -> list[str]:
    """A typed `word = translation` (or `word - translation`), checked; raises Invalid."""
    parsed = service.parse_pair(text)
    if parsed is None:
        raise Invalid(t("training-add-usage"))
    word, translation = parsed
    if service.too_long(word, translation):
        raise Invalid(t("training-add-too-long", limit=str(WORD_LIMIT)))
    return [word, translation]


async def add_pair(
    session: AsyncSession, user_id: int, t: Translator, pair: list[str], now: datetime
) -> str:
    """Save the pair; what to tell the user."""
    word, translation = pair
    created = await service.add_pair(session, user_id, word, translation, now)
    return t(
        "training-added" if created else "training-updated", word=word, translation=translation
    )


async def save_added(ctx: Ctx) -> Done:
    text = await add_pair(ctx.session, ctx.user.id, ctx.t, ctx.values["pair"], ctx.now())
    return Done.say(text)


# /add without a pair asks for it: a one-field form (no card), saved at once.
ADD = Form(
    prefix="tra-",
    fields=(
        Field(
            "pair",
            TrainingAdd.waiting_for_pair,
            lambda ctx: ctx.t("training-add-ask"),
            parse=lambda ctx, text: parse_pair(ctx.t, text),
        ),
    ),
    save=save_added,
    command="add",
)


async def cmd_add(
    message: Message, command: CommandObject, state: FSMContext, t: Translator, **data: Any
) -> None:
    ctx = await Ctx.of(message, state, t, data)
    if not command.args:
        await ADD.start(ctx)
        return
    try:
        pair = parse_pair(t, command.args)
    except Invalid as invalid:
        await message.answer(invalid.hint)
        return
    await message.answer(await add_pair(ctx.session, ctx.user.id, t, pair, ctx.now()))


async def on_document(
    message: Message, bot: Bot, session: AsyncSession, t: Translator, clock: Clock
) -> None:
    document = message.document
    assert document is not None
    assert message.from_user is not None
    name = (document.file_name or "").lower()
    mime = (document.mime_type or "").lower()
    if not (name.endswith(".csv") or mime in {"text/csv", "application/csv"}):
        await message.answer(t("training-import-not-csv"))
        return
    if document.file_size is not None and document.file_size > service.IMPORT_MAX_BYTES:
        size = f"{document.file_size / service.IMPORT_MAX_BYTES:.1f}"
        await message.answer(t("training-import-too-big", limit="1", size=size))
        return
    downloaded = await bot.download(document)
    data = downloaded.read() if downloaded is not None else b""
    if len(data) > service.IMPORT_MAX_BYTES:
        size = f"{len(data) / service.IMPORT_MAX_BYTES:.1f}"
        await message.answer(t("training-import-too-big", limit="1", size=size))
        return
    text = service.decode_csv(data)
    if text is None:
        await message.answer(t("training-import-not-text"))
        return
    parsed = service.parse_csv(text)
    if not parsed.rows and not parsed.skipped:
        await message.answer(t("training-import-empty"))
        return
    progress_message: Message | None = None
    progress: Callable[[int, int], Awaitable[None]] | None = None
    if len(parsed.rows) >= PROGRESS_FROM_ROWS:
        progress_message = await message.answer(
            t("training-import-progress", done="0", total=str(len(parsed.rows)))
        )
        last_edit = [time.monotonic()]

        async def show_progress(done: int, total: int) -> None:
            assert progress_message is not None
            if done < total and time.monotonic() - last_edit[0] < PROGRESS_EVERY_SECONDS:
                return
            last_edit[0] = time.monotonic()
            with contextlib.suppress(TelegramBadRequest):
                await progress_message.edit_text(
                    t("training-import-progress", done=str(done), total=str(total))
                )

        progress = show_progress
    result = await service.import_pairs(
        session, message.from_user.id, parsed.rows, clock(), progress=progress
    )
    lines = [
        t(
            "training-import-done",
            new=str(result.new),
            updated=str(result.updated),
            skipped=str(len(parsed.skipped)),
        )
    ]
    if parsed.skipped:
        shown = ", ".join(str(n) for n in parsed.skipped[: service.SKIPPED_SHOWN])
        if len(parsed.skipped) > service.SKIPPED_SHOWN:
            shown += ", …"
        lines.append(t("training-import-skipped-lines", lines=shown))
    reply = "\n".join(lines)
    if progress_message is not None:
        await progress_message.edit_text(reply)
    else:
        await message.answer(reply)


async def cmd_export(message: Message, session: AsyncSession, t: Translator) -> None:
    assert message.from_user is not None
    data, count = await service.export_csv(session, message.from_user.id)
    if count == 0:
        await message.answer(t("training-export-empty"))
        return
    await message.answer_document(
        BufferedInputFile(data, filename="vocabulary.csv"),
        caption=t("training-export-caption", count=str(count)),
    )


async def cmd_clear(message: Message, session: AsyncSession, t: Translator, clock: Clock) -> None:
    assert message.from_user is not None
    count = await service.count_pairs(session, message.from_user.id)
    if count == 0:
        await message.answer(t("training-clear-empty"))
        return
    markup = clear_keyboard(t, int(clock().timestamp()))
    await message.answer(t("training-clear-ask", count=str(count)), reply_markup=markup)


async def on_clear_pressed(
    callback: CallbackQuery,
    callback_data: TrClearCb,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    if not isinstance(callback.message, Message):
        await callback.answer(t("button-stale"), show_alert=True)
        return
    chat_id = callback.message.chat.id
    if callback_data.confirm and clock().timestamp() - callback_data.asked > CLEAR_VALID_SECONDS:
        # An old question must not delete a vocabulary built since.
        await callback.answer(t("button-stale"), show_alert=True)
        await remove_buttons(bot, chat_id, callback.message.message_id)
        return
    await callback.answer()
    if not callback_data.confirm:
        await callback.message.edit_text(t("training-clear-kept"))
        return
    count, card_messages = await service.clear_vocabulary(session, callback.from_user.id)
    if raw_state in (Review.answering.state, Game.answering.state):
        # Their sessions are gone (their cards lose their buttons below): so are their flows.
        await finish_flow(None, chat_id, state, done=True)
    for message_id in card_messages:
        await remove_buttons(bot, chat_id, message_id)
    await callback.message.edit_text(t("training-cleared", count=str(count)))


# --- review ----------------------------------------------------------------------------------
#
# A review is a flow (states.Review): while a session's card waits, the learner may type its
# answer instead of pressing a grade. The card shown is the flow's live prompt (prompts.PROMPT),
# so leaving the flow removes its buttons; leaving it unfinished ends the session
# (service.end_review). Grade buttons work in any state (a reminder's card comes without one),
# checked by the button mechanism (keyboards.card_target).


async def show_card(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    t: Translator,
    card: service.CardView,
    *,
    live: bool = True,
) -> Message:
    """Send a card; `live`: it is the review flow's live prompt (the user is in the flow)."""
    text = card_text(t, card)
    markup = card_keyboard(t, card.token, snooze=card.offer_snooze)
    sent = await bot.send_message(chat_id, text, reply_markup=markup)
    if not live:
        return sent
    await state.update_data(
        {
            PROMPT: {
                "mid": sent.message_id,
                "text": text,
                "markup": markup.model_dump(mode="json", exclude_none=True),
            }
        }
    )
    return sent


def live_card_message(data: dict[str, Any]) -> int | None:
    """The message of the review flow's live card (its prompt), if any."""
    prompt = data.get(PROMPT)
    mid = prompt.get("mid") if isinstance(prompt, dict) else None
    return mid if isinstance(mid, int) else None


async def end_review_flow(state: FSMContext, raw_state: str | None) -> None:
    """The session is over (its last card graded, snoozed, gone): so is the flow, if the user is
    in it. Its card was already edited: no request here."""
    if raw_state == Review.answering.state:
        await finish_flow(None, 0, state, done=True)


async def show_session(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
    limit: int,
) -> None:
    """Resume the open session on its current card, or start one of up to `limit` cards."""
    assert message.from_user is not None
    user_id, chat_id, now = message.from_user.id, message.chat.id, clock()
    await service.touch_activity(session, user_id, now)
    row = await service.open_session(session, chat_id, user_id, lock=True)
    if row is not None and service.is_expired(row, now):
        await drop_expired(bot, session, row, t("training-card-expired"))
        row = None
    card: service.CardView | None = None
    old_message: int | None = None
    if row is not None:
        old_message = row.message_id
        card = await service.resume_card(session, row, now)
    if card is None or row is None:
        row = await service.start_session(session, chat_id, user_id, now, limit)
        card = await service.current_card(session, row) if row is not None else None
    if row is None or card is None:
        await end_review_flow(state, raw_state)
        upcoming = await service.next_due(session, user_id)
        if upcoming is None:
            await message.answer(t("training-nothing-due"))
        else:
            when = upcoming.strftime("%Y-%m-%d %H:%M")
            await message.answer(t("training-nothing-due-until", when=when))
        return
    shown = None
    if raw_state != Review.answering.state:
        # Another flow ends first, with one line; a review going on is resumed.
        await start_flow(message, state, Review.answering, t=t)
    else:
        shown = live_card_message(await state.get_data())
    for previous in dict.fromkeys(mid for mid in (old_message, shown) if mid is not None):
        await remove_buttons(bot, chat_id, previous)  # the card is shown again below
    sent = await show_card(bot, chat_id, state, t, card)
    row.message_id = sent.message_id


async def cmd_review(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    assert message.from_user is not None
    settings = await service.ensure_settings(session, message.from_user.id)
    limit = settings.cards_per_session
    await show_session(message, bot, session, state, raw_state, t, clock, limit)


async def cmd_getpair(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    await show_session(message, bot, session, state, raw_state, t, clock, 1)


async def go_on(
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    chat_id: int,
    user_id: int,
    graded: service.Graded,
) -> None:
    """After a grade (pressed or typed; the graded card already edited): the next card, in the
    review flow, or the session's summary, the flow over."""
    if graded.next_card is None:
        await end_review_flow(state, raw_state)
        await bot.send_message(chat_id, summary_text(t, graded.grades))
        return
    if raw_state is None:
        # A card without the flow (a reminder's): its next card takes typed answers too.
        # Another flow the user is in is left alone (the buttons still grade).
        await state.set_state(Review.answering)
        await runs.flow_started(user_id, chat_id, Review.__full_group_name__)
    live = raw_state in (None, Review.answering.state)
    sent = await show_card(bot, chat_id, state, t, graded.next_card, live=live)
    await session.execute(
        update(TrainingSession)
        .where(TrainingSession.chat_id == chat_id, TrainingSession.user_id == user_id)
        .values(message_id=sent.message_id)
    )


async def on_grade(
    callback: CallbackQuery,
    callback_data: TrGradeCb,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    # The button check (keyboards.card_target) took only a press of this chat's open session's
    # current card; the service refuses one that lost a race since.
    assert callback.message is not None
    chat_id, user_id = callback.message.chat.id, callback.from_user.id
    graded = await service.grade_card(
        session, chat_id, user_id, callback_data.token, callback_data.grade, clock()
    )
    await callback.answer()
    text = graded_text(t, graded.card, graded.grade)
    await edit_quietly(bot, chat_id, callback.message.message_id, text)
    await go_on(bot, session, state, raw_state, t, chat_id, user_id, graded)


async def on_answer_typed(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    """The answer to the waiting card, typed: right grades it Good, wrong Again, as the button
    would; the card says which and shows the answer."""
    assert message.from_user is not None
    assert message.text is not None
    user_id, chat_id, now = message.from_user.id, message.chat.id, clock()
    data = await state.get_data()
    last = data.get(LAST_ANSWER)
    if isinstance(last, int) and message.message_id <= last:
        return  # delivered again (after a restart): already answered
    row = await service.open_session(session, chat_id, user_id, lock=True)
    if row is not None and service.is_expired(row, now):
        await drop_expired(bot, session, row, t("training-card-expired"))
        row = None
    card = await service.current_card(session, row) if row is not None else None
    if row is None or card is None:
        # The session ended meanwhile (expired, cleaned up, cleared, its pairs deleted): so
        # does the flow, and the text grades nothing.
        if row is not None:
            await session.delete(row)
        await finish_flow(None, chat_id, state, done=True)
        await message.answer(t("training-review-over"))
        return
    # The session's card (a reminder may have posted it); the flow's copy of it, if another
    # message (a re-ask), loses its buttons.
    shown = live_card_message(data)
    card_message = row.message_id if row.message_id is not None else shown
    answered = await service.answer_card(session, row, card, message.text, now)
    await state.update_data({LAST_ANSWER: message.message_id})
    if card_message is not None:
        text = answered_text(t, card, answered.right, message.text, answered.graded.grade)
        await edit_quietly(bot, chat_id, card_message, text)
    if shown is not None and shown != card_message:
        await remove_buttons(bot, chat_id, shown)
    await go_on(bot, session, state, raw_state, t, chat_id, user_id, answered.graded)


async def on_review_nontext(message: Message, t: Translator) -> None:
    """A photo, a sticker… while a card waits: say what it takes (the card stays as it is)."""
    await message.answer(t("training-review-type-hint"))


async def on_snooze(
    callback: CallbackQuery,
    callback_data: TrSnoozeCb,
    bot: Bot,
    session: AsyncSession,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    assert callback.message is not None
    chat_id = callback.message.chat.id
    moved = await service.snooze(
        session, chat_id, callback.from_user.id, callback_data.token, callback_data.days, clock()
    )
    await end_review_flow(state, raw_state)
    await callback.answer()
    key = "training-snoozed-day" if callback_data.days == 1 else "training-snoozed-week"
    await edit_quietly(bot, chat_id, callback.message.message_id, t(key, count=str(moved)))


# --- settings --------------------------------------------------------------------------------


async def cmd_settings(
    message: Message, session: AsyncSession, t: Translator, clock: Clock
) -> None:
    assert message.from_user is not None
    settings = await service.ensure_settings(session, message.from_user.id)
    now = clock()
    await message.answer(
        settings_text(t, settings, now), reply_markup=settings_keyboard(t, settings, now)
    )


async def on_settings_pressed(
    callback: CallbackQuery,
    callback_data: TrSettingsCb,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
    clock: Clock,
) -> None:
    if not isinstance(callback.message, Message):
        await callback.answer(t("button-stale"), show_alert=True)
        return
    settings = await service.ensure_settings(session, callback.from_user.id)
    await callback.answer()
    now = clock()
    if callback_data.what == "x":
        await callback.message.edit_text(
            f"{settings_text(t, settings, now)}\n\n{t('training-settings-saved')}"
        )
        return
    if callback_data.what == "z":
        await start_zone_choice(callback, state, t, now)
        return
    if not service.apply_setting(settings, callback_data.what, callback_data.value):
        return
    await callback.message.edit_text(
        settings_text(t, settings, now), reply_markup=settings_keyboard(t, settings, now)
    )


# --- time zone ---------------------------------------------------------------------------------


async def ask_zone(
    event: Message | CallbackQuery,
    state: FSMContext,
    t: Translator,
    text: str,
    zones: list[str],
    now: datetime,
    *,
    hint: str | None = None,
) -> None:
    """A prompt offering `zones` as buttons (they carry indexes into the list kept in FSM data);
    a typed city or zone name searches."""
    await state.update_data({ZONES: zones})
    await ask(event, state, text, zone_keyboard(t, zones, now), hint=hint)


async def start_zone_choice(
    callback: CallbackQuery, state: FSMContext, t: Translator, now: datetime
) -> None:
    await start_flow(callback, state, TimeZone.choosing, t=t)
    zones = list(service.common_zones(t.locale))
    await ask_zone(callback, state, t, t("training-zone-ask"), zones, now)


async def save_zone(
    event: Message | CallbackQuery,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
    name: str,
    now: datetime,
) -> None:
    """Keep the chosen zone, end the flow and show the settings card again."""
    assert event.from_user is not None
    settings = await service.ensure_settings(session, event.from_user.id)
    if not service.set_time_zone(settings, name):
        raise Refused(STALE)
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    await finish_flow(event.bot, chat_id, state, done=True)
    text = (
        f"{t('training-zone-saved', zone=zone_label(name, now))}\n\n"
        f"{settings_text(t, settings, now)}"
    )
    markup = settings_keyboard(t, settings, now)
    if isinstance(event, CallbackQuery) and isinstance(event.message, Message):
        await event.message.edit_text(text, reply_markup=markup)
    else:
        assert event.bot is not None
        await event.bot.send_message(chat_id, text, reply_markup=markup)


async def on_zone_pressed(
    callback: CallbackQuery,
    callback_data: TrZoneCb,
    session: AsyncSession,
    state: FSMContext,
    t: Translator,
    clock: Clock,
) -> None:
    zones = (await state.get_data()).get(ZONES) or []
    if not 0 <= callback_data.index < len(zones):
        await callback.answer(t("button-stale"), show_alert=True)
        return
    await callback.answer()
    await save_zone(callback, session, state, t, str(zones[callback_data.index]), clock())


async def on_location_shared(
    message: Message, state: FSMContext, t: Translator, clock: Clock
) -> None:
    """A shared location: the zones nearest to it are offered."""
    assert message.location is not None
    zones = service.zones_near(message.location.latitude, message.location.longitude)
    if not zones:
        await reask(message, state, t("training-zone-no-location"))
        return
    text = f"{t('training-zone-near')}\n\n{t('training-zone-ask')}"
    await ask_zone(message, state, t, text, zones, clock())


async def on_zone_typed(
    message: Message, session: AsyncSession, state: FSMContext, t: Translator, clock: Clock
) -> None:
    assert message.text is not None
    query = " ".join(message.text.split())
    now = clock()
    matches = service.search_zones(query) if len(query) <= service.ZONE_QUERY_MAX else []
    if not matches:
        shown = query if len(query) <= service.ZONE_QUERY_MAX else query[:60] + "…"
        await reask(message, state, t("training-zone-not-found", query=shown))
        return
    chosen = service.chosen_zone(query, matches)
    if chosen is not None:
        await save_zone(message, session, state, t, chosen, now)
        return
    shown_zones = matches[: service.ZONE_MATCHES_SHOWN]
    more = len(matches) - len(shown_zones)
    text = t("training-zone-matches", count=str(len(matches)))
    if more:
        text += "\n" + t("training-zone-more", count=str(more))
    await ask_zone(message, state, t, f"{text}\n\n{t('training-zone-ask')}", shown_zones, now)


async def on_idle_text(message: Message) -> None:
    """Text outside any flow is activity too (the middleware resumed paused reminders); it goes
    on to the handlers after this router (the fallback)."""
    raise SkipHandler


def build_router() -> Router:
    router = guard(Router(name="training"), where=Where.PRIVATE)
    # Inner: only an update that a training handler takes costs the extra query.
    router.message.middleware(resume_on_activity)
    router.callback_query.middleware(resume_on_activity)
    router.message.register(cmd_add, Command("add"))
    ADD.register(router)
    router.message.register(cmd_review, Command("review"))
    router.message.register(cmd_getpair, Command("getpair"))
    router.message.register(cmd_export, Command("export"))
    router.message.register(cmd_clear, Command("clear"))
    router.message.register(cmd_settings, Command("settings"))
    # Outside any flow only: a document sent in a flow is that flow's (or re-asked), never imported.
    router.message.register(on_document, F.document, F.chat.type == "private", StateFilter(None))
    router.message.register(on_answer_typed, Review.answering, TEXT_INPUT)
    router.message.register(on_review_nontext, Review.answering, ~F.text)
    router.callback_query.register(on_grade, TrGradeCb.filter())
    router.callback_query.register(on_snooze, TrSnoozeCb.filter())
    router.callback_query.register(on_clear_pressed, TrClearCb.filter())
    router.callback_query.register(on_settings_pressed, TrSettingsCb.filter())
    router.message.register(on_zone_typed, TimeZone.choosing, TEXT_INPUT)
    router.message.register(on_location_shared, TimeZone.choosing, F.location)
    router.callback_query.register(
        on_zone_pressed, TrZoneCb.filter(), TimeZone.choosing, LivePrompt()
    )
    expire_stale(router, TrZoneCb.filter())
    router.message.register(on_idle_text, TEXT_INPUT, StateFilter(None))
    return router
