"""Forms: a multi-step flow declared as its fields, its card and what saving does.

A `Form` gets, by construction: one prompt per field (typed text checked for its length and
parsed, or a choice of buttons), exactly one hint above a question asked again, Back to the
previous field or to the card, a confirmation card with Confirm and Edit a field, Cancel (core's
/cancel and button), a paste split by Telegram taken once, a stale or foreign button answered by
one alert, and the object the form works on loaded again at every step. Two kinds:

- a draft (`save`): the answers are kept in FSM data, then the card; Confirm saves them all;
- an edit (`save_field`): each answer is saved at once; the card lists the fields to edit.

`save` / `save_field` run in the update's transaction, before the reply (they never commit:
the update commits before its first Bot API request), and say what comes next: `Done` (the
flow ends, then its messages are sent) or `Stay` (back to the card, with a note).
"""

from __future__ import annotations

import types
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiogram import F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from bot.refusals import STALE
from bot.telegram.filters import TEXT_INPUT
from bot.telegram.flows import Ctx, declare_flow
from bot.telegram.inputs import length_error
from bot.telegram.keyboards import BackCb, button, keyboard
from bot.telegram.prompts import PROMPT, LivePrompt, ask, finish_flow, resume_flow, start_flow

EDITING = "editing"  # a draft's field is being changed from the card: its answer leads back there
ANSWER = "_answer"  # the last typed answer (date and id): see PasteTail


class Invalid(Exception):
    """A typed answer a field refuses; `hint` is shown once above its question."""

    def __init__(self, hint: str) -> None:
        super().__init__(hint)
        self.hint = hint


class Reask(Exception):
    """Raised by a draft's `save`: the field must be answered again (from the card)."""

    def __init__(self, field: str, hint: str | None = None) -> None:
        super().__init__(field)
        self.field = field
        self.hint = hint


@dataclass(frozen=True)
class Done:
    """What a save leads to: the flow ends, then these messages (text, buttons) are sent."""

    messages: tuple[tuple[str, InlineKeyboardMarkup | None], ...]

    @classmethod
    def say(cls, text: str, markup: InlineKeyboardMarkup | None = None) -> Done:
        return cls(((text, markup),))

    def then(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Done:
        return Done((*self.messages, (text, markup)))


@dataclass(frozen=True)
class Stay:
    """What a save leads to: the form goes on at its card, with a note above it."""

    note: str | None = None


Question = Callable[[Ctx], str]
Parse = Callable[[Ctx, str], Any]
Choices = Callable[[Ctx], Sequence[tuple[str, str]]]  # (value, button label)


@dataclass(frozen=True)
class Field:
    """One question of a form; its answer is kept in FSM data under `name`."""

    name: str
    state: State  # the state that waits for it (fields may share one: see Form.field_key)
    question: Question  # the question (with the current value, if the form shows one)
    label: str = ""  # catalog key of its button in the Edit menu / on the card
    limit: int | None = None  # typed text: at most this many characters, as Telegram counts
    parse: Parse | None = None  # typed text -> the value kept (JSON); raises Invalid
    choices: Choices | None = None  # answered with a button instead (or as well, with parse)
    per_row: int = 2  # choice buttons in a row
    key: str = ""  # its name in the callback data of its choices (default: name)

    @property
    def typed(self) -> bool:
        return self.choices is None or self.parse is not None


Load = Callable[[Ctx], Awaitable[Any]]
Step = Callable[[Ctx], Awaitable[None]]
Rows = Callable[[Ctx], Sequence[Sequence[InlineKeyboardButton]]]


# The kinds of a form's buttons; each form makes them with its own prefixes (see `_callback`).
class _ConfirmCb(CallbackData, prefix="-form-ok"):
    pass


class _EditCb(CallbackData, prefix="-form-edit"):
    pass


class _FieldCb(CallbackData, prefix="-form-field"):
    field: str


class _ChoiceCb(CallbackData, prefix="-form-choice"):
    value: str


Cb = TypeVar("Cb", bound=CallbackData)
_CALLBACKS: dict[str, type[CallbackData]] = {}


def _callback(kind: type[Cb], prefix: str) -> type[Cb]:
    """The button class of `kind` with `prefix`: one class per prefix, so forms that share a
    prefix (the events admin flows: "evok", "evtype", ...) share their classes."""
    found = _CALLBACKS.get(prefix)
    if found is None:
        found = types.new_class(kind.__name__.lstrip("_"), (kind,), {"prefix": prefix})
        _CALLBACKS[prefix] = found
    if not issubclass(found, kind):
        raise ValueError(f"callback prefix {prefix!r} is used for two kinds of buttons")
    return found


class Form:
    """A declared multi-step flow (see the module docstring); `register` adds its handlers.

    Callback data: `<prefix>ok` (Confirm), `<prefix>edit` (Edit), `<prefix>field:<name>` (a field
    chosen to edit), `<prefix><field key>:<value>` (a choice).
    """

    def __init__(
        self,
        *,
        prefix: str,
        fields: Sequence[Field] = (),
        card: State | None = None,
        render_card: Callable[[Ctx], Awaitable[str]] | None = None,
        choosing: State | None = None,
        choose_text: str = "",
        save: Callable[[Ctx], Awaitable[Done]] | None = None,
        save_field: Callable[[Ctx, str, Any], Awaitable[Done | Stay]] | None = None,
        load: Load | None = None,
        gone: str = STALE,
        back_out: Step | None = None,
        edit_button: bool = True,
        field_label: Callable[[Translator, Field], str] | None = None,
        fields_per_row: int = 1,
        card_rows: Rows | None = None,
        command: str | None = None,
        resumable: bool = False,
        continue_hint: str | None = None,
        field_key: str = "_field",
    ) -> None:
        """
        prefix: of its callback data (short: it counts against the 64 bytes).
        card: the state of its card; render_card: its text. A draft's card has Confirm (and Edit,
            leading to `choosing`, titled `choose_text`); an edit's card lists the fields.
        save (a draft) / save_field (an edit): see the module docstring.
        load: the object the form works on, loaded at every step (`ctx.subject`); None means it
            is gone: an alert (a button) or the flow ends (typed text), saying `gone`.
        back_out: where Back leads out of the form (e.g. back to a picker's list).
        card_rows: more buttons on the card (under the fields of an edit).
        command / resumable / continue_hint: how the user returns (flows.declare_flow); a
            resumed form asks its step again with `continue_hint` above it.
        field_key: FSM data key of the field being asked, when several share one state.
        """
        if (save is None) == (save_field is None):
            raise ValueError("a form has either save (a draft) or save_field (an edit)")
        if card is not None and render_card is None:
            raise ValueError("a form with a card renders it")
        anchor = fields[0].state if fields else card
        if anchor is None:
            raise ValueError("a form has fields or a card")
        self.group: type[StatesGroup] = anchor.group
        self.fields = tuple(fields)
        self.card, self.render_card = card, render_card
        self.choosing, self.choose_text = choosing, choose_text
        self.save, self.save_field = save, save_field
        self.load, self.gone, self.back_out = load, gone, back_out
        self.edit_button = edit_button
        self.field_label = field_label or (lambda t, f: t(f.label))
        self.fields_per_row, self.card_rows = fields_per_row, card_rows
        self.continue_hint, self.field_key = continue_hint, field_key
        if command is not None:
            declare_flow(self.group, command, resumable=resumable)

        self.confirm_cb = _callback(_ConfirmCb, f"{prefix}ok")
        self.edit_cb = _callback(_EditCb, f"{prefix}edit")
        self.field_cb = _callback(_FieldCb, f"{prefix}field")
        self.choice_cbs = {
            item.name: _callback(_ChoiceCb, f"{prefix}{item.key or item.name}")
            for item in self.fields
            if item.choices is not None
        }

    @property
    def draft(self) -> bool:
        return self.save is not None

    @property
    def states(self) -> tuple[State, ...]:
        found = [item.state for item in self.fields] + [self.card, self.choosing]
        return tuple(dict.fromkeys(s for s in found if s is not None))

    @property
    def buttons(self) -> list[Any]:
        """Filters of its own buttons (for flows.expire_stale, last in the router)."""
        cbs: list[type[CallbackData]] = [self.confirm_cb, self.edit_cb, self.field_cb]
        return [cb.filter() for cb in [*cbs, *self.choice_cbs.values()]]

    # --- entering ------------------------------------------------------------------------------

    async def start(
        self,
        ctx: Ctx,
        *,
        values: dict[str, Any] | None = None,
        subject: Any = None,
        at: str | None = None,
        lead: str | None = None,
    ) -> None:
        """Enter the form from a command or a button (the current flow is paused or left):
        `values` prefill it, `at` is the field to ask first, `lead` a message sent before."""
        first = self._field(at).state if at else self._first_state()
        await start_flow(ctx.event, ctx.state, first, t=ctx.t)
        ctx.values = await ctx.state.get_data()
        if lead:
            await ctx.say(lead)
        await self.open(ctx, values=values, subject=subject, at=at)

    async def open(
        self,
        ctx: Ctx,
        *,
        values: dict[str, Any] | None = None,
        subject: Any = None,
        at: str | None = None,
        note: str | None = None,
    ) -> None:
        """Go to the form's first step within the current flow (e.g. after a picker's choice);
        `subject` is the object it works on when the caller has it, `note` goes above."""
        if values:
            await ctx.update(**values)
        ctx.subject = subject
        if ctx.subject is None and not await self._load(ctx):
            return
        await ctx.ack()
        if at is not None:
            await self._ask_field(ctx, self._field(at), hint=note)
        elif self.fields and (self.draft or self.card is None):
            await self._ask_field(ctx, self.fields[0], hint=note)
        else:
            await self._show_card(ctx, note=note)

    async def resume(self, ctx: Ctx) -> bool:
        """Go on with this form where the user stopped (active, or paused by another flow):
        its step is asked again with `continue_hint` above it. False: there is none."""
        if not await resume_flow(ctx.event, ctx.state, self.group, t=ctx.t):
            return False
        ctx.values = await ctx.state.get_data()
        if not await self._load(ctx):
            return True
        hint = ctx.t(self.continue_hint) if self.continue_hint else None
        raw = await ctx.state.get_state()
        current = self._field_at(raw, ctx.values)
        if current is not None:
            await self._ask_field(ctx, current, hint=hint)
        elif self.choosing is not None and raw == self.choosing.state:
            await self._show_choosing(ctx, hint=hint)
        elif self.card is not None and raw == self.card.state:
            await self._show_card(ctx, note=hint)
        else:
            await self.open(ctx, subject=ctx.subject)
        return True

    # --- steps ---------------------------------------------------------------------------------

    def _first_state(self) -> State:
        if self.fields and (self.draft or self.card is None):
            return self.fields[0].state
        assert self.card is not None
        return self.card

    def _field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def _field_at(self, raw_state: str | None, values: dict[str, Any]) -> Field | None:
        waiting = [item for item in self.fields if item.state.state == raw_state]
        if len(waiting) > 1:
            name = values.get(self.field_key)
            return next((item for item in waiting if item.name == name), None)
        return waiting[0] if waiting else None

    def _has_back(self, ctx: Ctx, item: Field) -> bool:
        if not self.draft:
            return self.card is not None or self.back_out is not None
        if ctx.values.get(EDITING) or self.back_out is not None:
            return True
        return self.fields.index(item) > 0

    async def _ask_field(self, ctx: Ctx, item: Field, *, hint: str | None = None) -> None:
        await ctx.state.set_state(item.state)
        await ctx.update(**{self.field_key: item.name})
        rows: list[list[InlineKeyboardButton]] = []
        if item.choices is not None:
            options = [
                button(label, self.choice_cbs[item.name](value=value))
                for value, label in item.choices(ctx)
            ]
            rows = [options[i : i + item.per_row] for i in range(0, len(options), item.per_row)]
        markup = keyboard(rows, t=ctx.t, back=self._has_back(ctx, item))
        edit = isinstance(ctx.event, CallbackQuery)
        await ask(ctx.event, ctx.state, item.question(ctx), markup, edit=edit, hint=hint)

    def _field_rows(self, t: Translator) -> list[list[InlineKeyboardButton]]:
        per_row = self.fields_per_row
        buttons = [
            button(self.field_label(t, item), self.field_cb(field=item.name))
            for item in self.fields
        ]
        return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]

    async def _show_card(self, ctx: Ctx, *, note: str | None = None) -> None:
        assert self.card is not None
        assert self.render_card is not None
        await ctx.state.set_state(self.card)
        rows: list[list[InlineKeyboardButton]] = []
        if self.draft:
            await ctx.update(**{EDITING: False})
            row = [button(ctx.t("btn-confirm"), self.confirm_cb())]
            if self.edit_button and self.fields:
                row.append(button(ctx.t("btn-edit"), self.edit_cb()))
            rows.append(row)
            back = bool(self.fields) or self.back_out is not None
        else:
            rows += self._field_rows(ctx.t)
            back = self.back_out is not None
        if self.card_rows is not None:
            rows += [list(row) for row in self.card_rows(ctx)]
        text = await self.render_card(ctx)
        edit = isinstance(ctx.event, CallbackQuery)
        markup = keyboard(rows, t=ctx.t, back=back)
        await ask(ctx.event, ctx.state, text, markup, edit=edit, hint=note)

    async def _show_choosing(self, ctx: Ctx, *, hint: str | None = None) -> None:
        assert self.choosing is not None
        await ctx.state.set_state(self.choosing)
        markup = keyboard(self._field_rows(ctx.t), t=ctx.t, back=True)
        edit = isinstance(ctx.event, CallbackQuery)
        await ask(ctx.event, ctx.state, ctx.t(self.choose_text), markup, edit=edit, hint=hint)

    async def _answered(self, ctx: Ctx, item: Field, value: Any) -> None:
        if self.save_field is not None:
            await self._outcome(ctx, await self.save_field(ctx, item.name, value))
            return
        await ctx.update(**{item.name: value})
        await ctx.ack()
        if ctx.values.get(EDITING) or item is self.fields[-1]:
            await self._after_fields(ctx)
        else:
            await self._ask_field(ctx, self.fields[self.fields.index(item) + 1])

    async def _after_fields(self, ctx: Ctx) -> None:
        if self.card is not None:
            await self._show_card(ctx)
        else:
            await self._save(ctx)

    async def _save(self, ctx: Ctx) -> None:
        assert self.save is not None
        try:
            done = await self.save(ctx)
        except Reask as again:
            await ctx.update(**{EDITING: self.card is not None})
            await ctx.ack()
            await self._ask_field(ctx, self._field(again.field), hint=again.hint)
            return
        await self._outcome(ctx, done)

    async def _outcome(self, ctx: Ctx, outcome: Done | Stay) -> None:
        if isinstance(outcome, Stay):
            await ctx.ack()
            await self._show_card(ctx, note=outcome.note)
            return
        await finish_flow(ctx.event.bot, ctx.chat_id, ctx.state, status="completed")
        await ctx.ack()
        for text, markup in outcome.messages:
            await ctx.say(text, markup)

    async def _load(self, ctx: Ctx) -> bool:
        """The form's object into ctx.subject; when it is gone, say so (True: it is there)."""
        if self.load is None:
            return True
        ctx.subject = await self.load(ctx)
        if ctx.subject is not None:
            return True
        if isinstance(ctx.event, CallbackQuery):
            await ctx.ack(ctx.t(self.gone), alert=True)
        else:
            await finish_flow(ctx.event.bot, ctx.chat_id, ctx.state)
            await ctx.say(ctx.t(self.gone))
        return False

    # --- handlers ------------------------------------------------------------------------------

    async def _ctx(
        self, event: Message | CallbackQuery, state: FSMContext, t: Translator, data: Any
    ) -> Ctx | None:
        ctx = await Ctx.of(event, state, t, data)
        return ctx if await self._load(ctx) else None

    async def _on_text(
        self, message: Message, state: FSMContext, raw_state: str, t: Translator, **data: Any
    ) -> None:
        ctx = await self._ctx(message, state, t, data)
        if ctx is None:
            return
        item = self._field_at(raw_state, ctx.values)
        assert message.text is not None
        await remember_answer(message, state)
        if item is None:  # several fields wait in this state, and none is named: start again
            await self.open(ctx, subject=ctx.subject)
            return
        text = message.text.strip()
        value: Any = text
        hint = length_error(t, text, limit=item.limit) if item.limit else None
        if hint is None and item.parse is not None:
            try:
                value = item.parse(ctx, text)
            except Invalid as invalid:
                hint = invalid.hint
        if hint is not None:
            await self._ask_field(ctx, item, hint=hint)
            return
        await self._answered(ctx, item, value)

    async def _on_choice(
        self,
        callback: CallbackQuery,
        callback_data: _ChoiceCb,
        state: FSMContext,
        raw_state: str,
        t: Translator,
        **data: Any,
    ) -> None:
        ctx = await self._ctx(callback, state, t, data)
        if ctx is None:
            return
        item = self._field_at(raw_state, ctx.values)
        offered = {value for value, _ in item.choices(ctx)} if item and item.choices else set()
        if item is None or callback_data.value not in offered:
            await ctx.expire()
            return
        await self._answered(ctx, item, callback_data.value)

    async def _on_back(
        self, callback: CallbackQuery, state: FSMContext, raw_state: str, t: Translator, **data: Any
    ) -> None:
        ctx = await self._ctx(callback, state, t, data)
        if ctx is None:
            return
        item = self._field_at(raw_state, ctx.values)
        if self.choosing is not None and raw_state == self.choosing.state:
            await ctx.ack()
            await self._show_card(ctx)
        elif item is None:  # the card
            if self.draft and self.fields:
                await ctx.ack()
                await self._ask_field(ctx, self.fields[-1])
            elif self.back_out is not None:
                await self.back_out(ctx)
        elif (self.draft and ctx.values.get(EDITING)) or (not self.draft and self.card):
            await ctx.ack()
            await self._show_card(ctx)
        elif self.draft and self.fields.index(item) > 0:
            await ctx.ack()
            await self._ask_field(ctx, self.fields[self.fields.index(item) - 1])
        elif self.back_out is not None:
            await self.back_out(ctx)
        await ctx.ack()

    async def _on_edit(
        self, callback: CallbackQuery, state: FSMContext, t: Translator, **data: Any
    ) -> None:
        ctx = await self._ctx(callback, state, t, data)
        if ctx is not None:
            await ctx.ack()
            await self._show_choosing(ctx)

    async def _on_field(
        self,
        callback: CallbackQuery,
        callback_data: _FieldCb,
        state: FSMContext,
        t: Translator,
        **data: Any,
    ) -> None:
        ctx = await self._ctx(callback, state, t, data)
        if ctx is None:
            return
        if callback_data.field not in {item.name for item in self.fields}:
            await ctx.expire()
            return
        if self.draft:
            await ctx.update(**{EDITING: True})
        await ctx.ack()
        await self._ask_field(ctx, self._field(callback_data.field))

    async def _on_confirm(
        self, callback: CallbackQuery, state: FSMContext, t: Translator, **data: Any
    ) -> None:
        ctx = await self._ctx(callback, state, t, data)
        if ctx is not None:
            await self._save(ctx)
            await ctx.ack()

    def register(self, router: Router) -> None:
        """Add the form's handlers to `router` (then, last, flows.expire_stale(form.buttons))."""
        msg, cb = router.message, router.callback_query
        typed = tuple(dict.fromkeys(item.state for item in self.fields if item.typed))
        if typed:
            # The rest of a paste may arrive after its first part moved the form on.
            msg.register(on_paste_tail, StateFilter(*self.states), F.text, PasteTail())
            msg.register(self._on_text, StateFilter(*typed), TEXT_INPUT)
        for item in self.fields:
            if item.name in self.choice_cbs:
                choice = self.choice_cbs[item.name].filter()
                cb.register(self._on_choice, StateFilter(item.state), LivePrompt(), choice)
        if self.card is not None and self.draft:
            cb.register(self._on_confirm, self.card, LivePrompt(), self.confirm_cb.filter())
            cb.register(self._on_edit, self.card, LivePrompt(), self.edit_cb.filter())
        chooser = self.choosing if self.draft else self.card
        if chooser is not None:
            cb.register(self._on_field, chooser, LivePrompt(), self.field_cb.filter())
        cb.register(self._on_back, StateFilter(*self.states), LivePrompt(), BackCb.filter())


# --- one long paste split by Telegram counts once ---------------------------------------------
#
# Telegram delivers a long paste as several messages from the same sender with the same `date`,
# one right after the other, before the bot could answer the first. An answer is remembered with
# its date and id; a later message with the same date that arrived before the prompt that
# followed the answer (a lower message id) is the tail of that paste and is ignored, with one
# notice.


def _date(message: Message) -> int:
    return int(message.date.timestamp())


async def remember_answer(message: Message, state: FSMContext) -> None:
    """Call for every typed answer taken (or refused) before asking the next prompt."""
    await state.update_data({ANSWER: {"date": _date(message), "mid": message.message_id}})


class PasteTail(Filter):
    """A message that is the continuation of the previous answer's paste."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        data = await state.get_data()
        answer: Any = data.get(ANSWER)
        if not isinstance(answer, dict) or message.date is None:
            return False
        prompt: Any = data.get(PROMPT)
        before_prompt = not isinstance(prompt, dict) or message.message_id < prompt.get("mid", 0)
        return bool(
            answer.get("date") == _date(message)
            and message.message_id > answer.get("mid", 0)
            and before_prompt
        )


async def on_paste_tail(message: Message, state: FSMContext, t: Translator) -> None:
    data = await state.get_data()
    answer = dict(data[ANSWER])
    if answer.get("noticed"):
        return
    answer["noticed"] = True
    await state.update_data({ANSWER: answer})
    await message.answer(t("form-paste-ignored"))


__all__ = [
    "EDITING",
    "Done",
    "Field",
    "Form",
    "Invalid",
    "PasteTail",
    "Reask",
    "Stay",
    "on_paste_tail",
    "remember_answer",
]
