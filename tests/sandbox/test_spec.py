"""The spec copy in the package, and request checking against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox.make_spec import extract
from bot.sandbox.server import FakeTelegram
from bot.sandbox.spec import IMPLEMENTED_METHODS, SPEC_PATH, UploadedFile, default_spec
from bot.sandbox.world import World

SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "telegram-bot-api.json"


def test_the_copy_has_exactly_the_implemented_methods() -> None:
    spec = default_spec()
    assert set(spec.methods) == set(IMPLEMENTED_METHODS)
    assert spec.version.startswith("Bot API")
    assert "sendPhoto" in spec.all_methods  # published, not implemented


def test_every_implemented_method_has_a_handler() -> None:
    server = FakeTelegram(World())
    for name in IMPLEMENTED_METHODS:
        assert callable(getattr(server, f"m_{name}"))


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason=f"published spec not at {SHARED_SPEC}")
def test_the_copy_is_up_to_date_with_the_published_spec() -> None:
    fresh = extract(json.loads(SHARED_SPEC.read_text(encoding="utf-8")))
    assert fresh == json.loads(SPEC_PATH.read_text(encoding="utf-8")), (
        "regenerate: python -m bot.sandbox.make_spec ../shared/telegram-bot-api.json"
    )


def test_form_values_are_decoded_by_declared_type() -> None:
    spec = default_spec()
    method = spec.methods["sendMessage"]
    values, problems = spec.decode_params(
        method,
        {
            "chat_id": "42",
            "text": "123",
            "disable_notification": "true",
            "reply_markup": '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}',
        },
        {},
    )
    assert problems == []
    assert values["chat_id"] == 42
    assert values["text"] == "123"
    assert values["disable_notification"] is True
    assert values["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"


def test_problems_name_the_parameter_and_the_nested_field() -> None:
    spec = default_spec()
    method = spec.methods["sendMessage"]
    _, problems = spec.decode_params(
        method,
        {
            "chat_id": "@chan",
            "colour": "red",
            "message_thread_id": "abc",
            "reply_markup": '{"inline_keyboard": [[{"callback_data": "b"}]]}',
        },
        {},
    )
    assert problems == [
        'unknown parameter "colour"',
        "parameter \"message_thread_id\" must be Integer, got 'abc'",
        'reply_markup.inline_keyboard[0][0] lacks required field "text" of InlineKeyboardButton',
        "message text is empty",
    ]


def test_union_members_are_told_apart_by_their_discriminator() -> None:
    spec = default_spec()
    assert spec.check({"type": "chat", "chat_id": 5}, "BotCommandScope", "scope") is None
    assert spec.check({"type": "chat"}, "BotCommandScope", "scope") == (
        'scope lacks required field "chat_id" of BotCommandScopeChat'
    )


def test_files_are_taken_from_attach_references() -> None:
    spec = default_spec()
    upload = UploadedFile("a.csv", "text/csv", b"x")
    values, problems = spec.decode_params(
        spec.methods["sendDocument"],
        {"chat_id": "1", "document": "attach://part1"},
        {"part1": upload},
    )
    assert problems == []
    assert values["document"] is upload
    _, problems = spec.decode_params(
        spec.methods["sendDocument"], {"chat_id": "1", "document": "attach://nope"}, {}
    )
    assert problems == ['parameter "document": no file part "nope" for attach://nope']


def test_results_may_carry_fields_newer_than_the_spec() -> None:
    spec = default_spec()
    user = {"id": 1, "is_bot": False, "first_name": "A", "brand_new_field": True}
    assert spec.check(user, "User", "user") is not None
    assert spec.check(user, "User", "user", extra_ok=True) is None
