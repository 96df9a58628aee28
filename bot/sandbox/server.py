"""The fake Telegram Bot API: an aiohttp server that answers like api.telegram.org from a World."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.sandbox.html import EntityParseError, parse_html, trim, utf16_len
from bot.sandbox.models import (
    PRESENT,
    ChatRecord,
    PollRecord,
    RequestRecord,
    StoredFile,
    StoredMessage,
    Violation,
    WebhookConfig,
)
from bot.sandbox.spec import IMPLEMENTED_METHODS, UploadedFile
from bot.sandbox.world import World, scope_key

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.client.telegram import TelegramAPIServer

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BUTTON_LIMIT = 100
ANSWER_TEXT_LIMIT = 200
POLL_OPTIONS_LIMIT = 12

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CONFLICT_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            data["parameters"] = self.parameters
        return data


def bad(reason: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}", parameters)


class Params:
    """Typed access to decoded parameters; raw strings (strict=False) are converted here."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def int_or_none(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            raise bad(f"{name} must be an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad(f"{name} must be an integer") from None

    def integer(self, name: str) -> int:
        value = self.int_or_none(name)
        if value is None:
            raise bad(f"{name} is empty")
        return value

    def str_or_none(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def string(self, name: str) -> str:
        value = self.str_or_none(name)
        if not value:
            raise bad(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad(f"can't parse {name} JSON object") from None
        return value

    def obj(self, name: str) -> dict[str, Any] | None:
        value = self.json(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise bad(f"{name} must be a JSON object")
        return value

    def array(self, name: str) -> list[Any] | None:
        value = self.json(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise bad(f"{name} must be a JSON array")
        return value


Handler = Callable[[Params], Awaitable[Any]]


class FakeTelegram:
    """An HTTP Bot API server over a World. `await start()`, point aiogram at `base_url`."""

    def __init__(self, world: World, *, webhook_retry_delay: float = 0.05) -> None:
        self.world = world
        self.webhook_retry_delay = webhook_retry_delay
        self.base_url = ""
        self.app = web.Application(client_max_size=60 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, getattr(self, f"m_{name}")) for name in IMPLEMENTED_METHODS
        }
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closing = False

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._closing = False
        # handler_cancellation: a long poll whose client went away stops waiting at once.
        self._runner = web.AppRunner(
            self.app, access_log=None, shutdown_timeout=1, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_port = self._runner.addresses[0][1]
        self.base_url = f"http://{host}:{bound_port}"
        self._session = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_loop(), name="sandbox-webhook")
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        self.world.updates_pulse.fire()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def api(self) -> TelegramAPIServer:
        """aiogram's server description for this sandbox."""
        from aiogram.client.telegram import TelegramAPIServer

        return TelegramAPIServer.from_base(self.base_url)

    def bot(self, **kwargs: Any) -> Bot:
        """An aiogram Bot with the world's token, talking to this server.

        Its session closes without aiogram's 250 ms pause for TLS connections (there are none):
        `await bot.session.close()`.
        """
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession

        class LocalSession(AiohttpSession):
            async def close(self) -> None:
                if self._session is not None and not self._session.closed:
                    await self._session.close()

        return Bot(self.world.token, session=LocalSession(api=self.api()), **kwargs)

    # -- HTTP ------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            error = ApiError(401, "Unauthorized")
            return web.json_response(error.payload(), status=401)
        try:
            raw, files = await _read_request(request)
        except ValueError as exc:
            error = bad(f"can't parse request: {exc}")
            return web.json_response(error.payload(), status=400)
        status, payload = await self.call(request.match_info["method"], raw, files)
        return web.json_response(payload, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.world.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    async def call(
        self,
        method: str,
        raw: dict[str, Any],
        files: dict[str, UploadedFile] | None = None,
        *,
        via_webhook_reply: bool = False,
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API method; (HTTP status, response body). Every call is recorded."""
        world = self.world
        files = files or {}
        spec = world.spec.method(method)
        entry = self._handlers.get(method.lower())
        if spec is None or entry is None:
            published = world.spec.published_name(method)
            if world.strict:
                problem = (
                    f"{published} is in the Bot API but the sandbox does not implement it"
                    if published
                    else f"unknown method {method}"
                )
                world.violations.append(Violation(published or method, problem, dict(raw)))
            error = ApiError(404, "Not Found")
            return self._finish(published or method, dict(raw), error, None, via_webhook_reply)
        name, handler = entry
        values, problems = world.spec.decode_params(spec, raw, files)
        if problems and world.strict:
            for problem in problems:
                world.violations.append(Violation(name, problem, values))
            return self._finish(name, values, bad(problems[0]), None, via_webhook_reply)
        try:
            result = await handler(Params(values))
        except ApiError as refused:
            return self._finish(name, values, refused, None, via_webhook_reply)
        except Exception as exc:
            log.exception("sandbox failed on %s", name)
            world.violations.append(Violation(name, f"sandbox internal error: {exc!r}", values))
            crash = ApiError(500, "Internal Server Error")
            return self._finish(name, values, crash, None, via_webhook_reply)
        return self._finish(name, values, None, result, via_webhook_reply)

    def _finish(
        self,
        method: str,
        params: dict[str, Any],
        error: ApiError | None,
        result: Any,
        via_webhook_reply: bool,
    ) -> tuple[int, dict[str, Any]]:
        self.world.record(
            RequestRecord(
                method=method,
                params=params,
                ok=error is None,
                error_code=error.code if error else None,
                description=error.description if error else None,
                time=self.world.clock(),
                result=result,
                via_webhook_reply=via_webhook_reply,
            )
        )
        if error is not None:
            return error.code, error.payload()
        return 200, {"ok": True, "result": result}

    # -- shared checks ---------------------------------------------------------------------------

    def _chat(self, p: Params, name: str = "chat_id") -> ChatRecord:
        value = p.get(name)
        if value is None or value == "":
            raise bad(f"{name} is empty")
        chat: ChatRecord | None
        if isinstance(value, str) and value.startswith("@"):
            chat = self.world.chat_by_username(value)
        else:
            try:
                chat = self.world.chats.get(int(value))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise bad("chat not found")
        return chat

    def _writable(self, chat: ChatRecord) -> None:
        """Raise what Telegram answers when the bot may not write to this chat."""
        if chat.migrated_to is not None:
            raise bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            user = chat.user
            assert user is not None
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        status = chat.status_of(self.world.bot_user.id)
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if status not in PRESENT:
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _thread(self, chat: ChatRecord, p: Params) -> int | None:
        thread_id = p.int_or_none("message_thread_id")
        if thread_id is None or not chat.is_forum:
            return None
        if thread_id not in chat.topics:
            raise bad("message thread not found")
        return thread_id

    def _reply_target(
        self, chat: ChatRecord, p: Params, thread_id: int | None
    ) -> tuple[StoredMessage | None, int | None]:
        params = p.obj("reply_parameters")
        if params is None:
            return None, thread_id
        target_chat = chat
        if params.get("chat_id") is not None:
            target_chat = self._chat(Params(params))
        message_id = params.get("message_id")
        target = target_chat.messages.get(message_id) if isinstance(message_id, int) else None
        if target is None or target.deleted:
            if params.get("allow_sending_without_reply"):
                return None, thread_id
            raise bad("message to be replied not found")
        if thread_id is None and target_chat is chat:
            thread_id = target.thread_id
        return target, thread_id

    def _format(
        self, text: str, parse_mode: str | None, entities: list[Any] | None
    ) -> tuple[str, list[dict[str, Any]]]:
        if parse_mode:
            mode = parse_mode.lower()
            if mode != "html":
                if mode in ("markdown", "markdownv2"):
                    raise bad(f"the sandbox implements parse_mode HTML only, not {parse_mode}")
                raise bad("unsupported parse_mode")
            try:
                text, parsed = parse_html(text, self.world.resolve_user)
            except EntityParseError as exc:
                raise bad(f"can't parse entities: {exc}") from None
            return trim(text, parsed)
        given = [dict(entity) for entity in entities or [] if isinstance(entity, dict)]
        return trim(text, given)

    def _text(self, p: Params) -> tuple[str, list[dict[str, Any]]]:
        text, entities = self._format(
            p.str_or_none("text") or "", p.str_or_none("parse_mode"), p.array("entities")
        )
        if not text:
            raise bad("message text is empty")
        if utf16_len(text) > TEXT_LIMIT:
            raise bad("message is too long")
        return text, entities

    def _caption(self, p: Params) -> dict[str, Any]:
        caption = p.str_or_none("caption")
        if caption is None:
            return {}
        text, entities = self._format(
            caption, p.str_or_none("parse_mode"), p.array("caption_entities")
        )
        if utf16_len(text) > CAPTION_LIMIT:
            raise bad("message caption is too long")
        content: dict[str, Any] = {}
        if text:
            content["caption"] = text
            if entities:
                content["caption_entities"] = entities
        return content

    def _markup(self, p: Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(inline keyboard, other markup) from reply_markup, checked like Telegram does."""
        markup = p.obj("reply_markup")
        if markup is None:
            return None, None
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad("can't parse inline keyboard button: InlineKeyboardMarkup expected")
            if sum(len(row) for row in rows) > BUTTON_LIMIT:
                raise bad("reply markup is too long")
            for row in rows:
                for button in row:
                    _check_button(button)
            return markup, None
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or sum(len(row) for row in rows) > 300:
                raise bad("reply markup is too long")
        return None, markup

    def _spend(self, chat: ChatRecord) -> None:
        """Take a rate-limit token for a message to `chat`, or answer 429."""
        wait = self.world.rate_limiter.acquire(chat.type, chat.id)
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _message(self, chat: ChatRecord, p: Params, missing: str) -> StoredMessage:
        message = chat.messages.get(p.integer("message_id"))
        if message is None or message.deleted:
            raise bad(missing)
        return message

    def _bot_message(self, p: Params, missing: str) -> tuple[ChatRecord, StoredMessage]:
        if p.get("inline_message_id") is not None:
            raise bad("the sandbox does not support inline messages (MESSAGE_ID_INVALID)")
        chat = self._chat(p)
        self._writable(chat)
        message = self._message(chat, p, missing)
        if not message.sender.is_bot:
            raise bad("message can't be edited")
        return chat, message

    def _show_keyboard(self, chat: ChatRecord, other: dict[str, Any] | None) -> None:
        if other is None:
            return
        if "keyboard" in other:
            chat.reply_keyboard = other
        elif other.get("remove_keyboard"):
            chat.reply_keyboard = None

    def _send(
        self,
        chat: ChatRecord,
        content: dict[str, Any],
        thread_id: int | None,
        reply_to: StoredMessage | None,
        inline: dict[str, Any] | None,
        other: dict[str, Any] | None,
        **extra: Any,
    ) -> dict[str, Any]:
        self._spend(chat)
        message = self.world.add_message(
            chat,
            self.world.bot_user,
            content,
            thread_id=thread_id,
            reply_to=reply_to,
            inline_markup=inline,
            **extra,
        )
        self._show_keyboard(chat, other)
        return message.to_api()

    # -- bot and updates -------------------------------------------------------------------------

    async def m_getMe(self, p: Params) -> Any:
        data = self.world.bot_user.to_api()
        data.update(
            can_join_groups=True,
            can_read_all_group_messages=True,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return data

    async def m_logOut(self, p: Params) -> Any:
        return True

    async def m_close(self, p: Params) -> Any:
        return True

    async def m_getUpdates(self, p: Params) -> Any:
        world = self.world
        if world.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        allowed = p.array("allowed_updates")
        if allowed is not None:
            world.allowed_updates = [str(kind) for kind in allowed] or None
        offset = p.int_or_none("offset")
        if offset is not None and offset > 0:
            world.confirm_below(offset)
        elif offset is not None and offset < 0:
            world.keep_last(-offset)
        limit = min(max(p.int_or_none("limit") or 100, 1), 100)
        timeout = max(p.int_or_none("timeout") or 0, 0)
        generation = world.begin_poll()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        world.set_active_polls(world.active_polls + 1)
        try:
            while True:
                if world.poll_generation != generation:
                    raise ApiError(409, CONFLICT_POLLER)
                if world.webhook is not None:
                    raise ApiError(409, CONFLICT_WEBHOOK)
                batch = world.deliverable(limit)
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closing:
                    for update in batch:
                        update.delivered = True
                    return [update.payload for update in batch]
                await world.updates_pulse.wait(remaining)
        finally:
            world.set_active_polls(world.active_polls - 1)

    async def m_setWebhook(self, p: Params) -> Any:
        url = p.str_or_none("url") or ""
        if not url:
            self.world.webhook = None
            self.world.updates_pulse.fire()
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.str_or_none("secret_token")
        if secret is not None and not _SECRET.match(secret):
            raise bad("secret token contains unallowed characters")
        max_connections = p.int_or_none("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = p.array("allowed_updates")
        if allowed is not None:
            self.world.allowed_updates = [str(kind) for kind in allowed] or None
        if p.flag("drop_pending_updates"):
            self.world.drop_pending()
        self.world.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=p.str_or_none("ip_address"),
        )
        self.world.updates_pulse.fire()
        return True

    async def m_deleteWebhook(self, p: Params) -> Any:
        self.world.webhook = None
        if p.flag("drop_pending_updates"):
            self.world.drop_pending()
        self.world.updates_pulse.fire()
        return True

    async def m_getWebhookInfo(self, p: Params) -> Any:
        hook = self.world.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message or ""
        if self.world.allowed_updates:
            info["allowed_updates"] = list(self.world.allowed_updates)
        return info

    # -- commands, names, menu -------------------------------------------------------------------

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.obj("scope")
        if scope is not None and "chat_id" in scope:
            chat = self._chat(Params(scope))
            scope = {**scope, "chat_id": chat.id}
            if scope.get("type") == "chat_member" and chat.type == "private":
                raise bad("can't use chat_member scope in private chats")
        language = p.str_or_none("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad("invalid language code specified")
        return scope_key(scope), language

    async def m_setMyCommands(self, p: Params) -> Any:
        commands = p.array("commands") or []
        if len(commands) > 100:
            raise bad("too many commands specified")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            description = str(item.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p)
        if commands:
            self.world.commands[key] = [
                {"command": item["command"], "description": item["description"]}
                for item in commands
            ]
        else:
            self.world.commands.pop(key, None)
        return True

    async def m_getMyCommands(self, p: Params) -> Any:
        return list(self.world.commands.get(self._commands_key(p), []))

    async def m_deleteMyCommands(self, p: Params) -> Any:
        self.world.commands.pop(self._commands_key(p), None)
        return True

    def _set_bot_text(self, p: Params, kind: str, limit: int) -> bool:
        value = p.str_or_none(kind) or ""
        if utf16_len(value) > limit:
            raise bad(f"{kind} is too long")
        self.world.bot_texts[(kind, p.str_or_none("language_code") or "")] = value
        return True

    def _get_bot_text(self, p: Params, kind: str) -> dict[str, Any]:
        language = p.str_or_none("language_code") or ""
        value = self.world.bot_texts.get((kind, language))
        if value is None and kind == "name":
            value = self.world.bot_user.first_name
        return {kind: value or ""}

    async def m_setMyName(self, p: Params) -> Any:
        return self._set_bot_text(p, "name", 64)

    async def m_getMyName(self, p: Params) -> Any:
        return self._get_bot_text(p, "name")

    async def m_setMyDescription(self, p: Params) -> Any:
        return self._set_bot_text(p, "description", 512)

    async def m_getMyDescription(self, p: Params) -> Any:
        return self._get_bot_text(p, "description")

    async def m_setMyShortDescription(self, p: Params) -> Any:
        return self._set_bot_text(p, "short_description", 120)

    async def m_getMyShortDescription(self, p: Params) -> Any:
        return self._get_bot_text(p, "short_description")

    async def m_setChatMenuButton(self, p: Params) -> Any:
        chat_id = self._chat(p).id if p.get("chat_id") is not None else 0
        button = p.obj("menu_button") or {"type": "default"}
        self.world.menu_buttons[chat_id] = button
        return True

    async def m_getChatMenuButton(self, p: Params) -> Any:
        chat_id = self._chat(p).id if p.get("chat_id") is not None else 0
        default = self.world.menu_buttons.get(0, {"type": "default"})
        return self.world.menu_buttons.get(chat_id, default)

    # -- messages --------------------------------------------------------------------------------

    async def m_sendMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        text, entities = self._text(p)
        inline, other = self._markup(p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send(chat, content, thread_id, reply_to, inline, other)

    def _known_file(self, p: Params, name: str) -> StoredFile:
        """A file sent again by its file_id (a URL cannot be fetched here)."""
        file_id = p.string(name)
        if "://" in file_id:
            raise bad("failed to get HTTP URL content (the sandbox has no network)")
        found = self.world.files.get(file_id)
        if found is None:
            raise bad("wrong file identifier/HTTP URL specified")
        return found

    async def m_sendPhoto(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        photo = p.get("photo")
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise bad("file must be non-empty")
            if len(photo.data) > PHOTO_MAX_BYTES:
                raise bad("PHOTO_INVALID_DIMENSIONS")
            stored = self.world.store_file(photo.data, kind="photo")
        else:
            stored = self._known_file(p, "photo")
        size = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 1280,
            "height": 720,
            "file_size": stored.file_size,
        }
        caption = self._caption(p)
        inline, other = self._markup(p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        content: dict[str, Any] = {"photo": [size], **caption}
        return self._send(chat, content, thread_id, reply_to, inline, other, file=stored)

    async def m_sendDocument(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        document = p.get("document")
        if isinstance(document, UploadedFile):
            if not document.data:
                raise bad("file must be non-empty")
            mime = document.content_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(document.filename)[0] or mime
            stored = self.world.store_file(
                document.data, kind="document", file_name=document.filename, mime_type=mime
            )
        else:
            stored = self._known_file(p, "document")
        caption = self._caption(p)
        inline, other = self._markup(p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        content: dict[str, Any] = {"document": stored.to_api(), **caption}
        return self._send(chat, content, thread_id, reply_to, inline, other, file=stored)

    async def m_forwardMessage(self, p: Params) -> Any:
        source = self._chat(p, "from_chat_id")
        original = self._message(source, p, "message to forward not found")
        if _is_service(original):
            raise bad("message can't be forwarded")
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        origin = original.forward_origin or {
            "type": "user",
            "date": original.date,
            "sender_user": original.sender.to_api(),
        }
        sent = self._send(
            chat,
            dict(original.content),
            thread_id,
            None,
            None,
            None,
            forward_origin=origin,
            file=original.file,
        )
        if original.poll is not None:  # a forwarded poll is the same poll
            return self._with_poll(chat, sent, original.poll)
        return sent

    async def m_copyMessage(self, p: Params) -> Any:
        source = self._chat(p, "from_chat_id")
        original = self._message(source, p, "message to copy not found")
        if _is_service(original):
            raise bad("message can't be copied")
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        content = dict(original.content)
        if "caption" in p and "text" not in content:  # a text message has no caption to replace
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(p))
        inline, other = self._markup(p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        sent = self._send(chat, content, thread_id, reply_to, inline, other, file=original.file)
        return {"message_id": sent["message_id"]}

    async def m_editMessageText(self, p: Params) -> Any:
        chat, message = self._bot_message(p, "message to edit not found")
        if message.text is None:
            raise bad("there is no text in the message to edit")
        text, entities = self._text(p)
        inline, _ = self._markup(p)
        if (
            text == message.text
            and entities == message.entities
            and inline == message.inline_markup
        ):
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._spend(chat)
        message.content = {"text": text, **({"entities": entities} if entities else {})}
        return self._edited(message, inline)

    async def m_editMessageCaption(self, p: Params) -> Any:
        chat, message = self._bot_message(p, "message to edit not found")
        if message.text is not None or message.file is None:
            raise bad("there is no caption in the message to edit")
        caption = self._caption(p)
        inline, _ = self._markup(p)
        old = {k: v for k, v in message.content.items() if k in ("caption", "caption_entities")}
        if caption == old and inline == message.inline_markup:
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._spend(chat)
        kept = {
            k: v for k, v in message.content.items() if k not in ("caption", "caption_entities")
        }
        message.content = {**kept, **caption}
        return self._edited(message, inline)

    async def m_editMessageReplyMarkup(self, p: Params) -> Any:
        chat, message = self._bot_message(p, "message to edit not found")
        inline, _ = self._markup(p)
        if inline == message.inline_markup:
            raise bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._spend(chat)
        return self._edited(message, inline)

    def _edited(self, message: StoredMessage, inline: dict[str, Any] | None) -> dict[str, Any]:
        message.inline_markup = inline
        message.edit_date = self.world.now()
        self.world.emit("edited", message)
        return message.to_api()

    def _delete(self, chat: ChatRecord, message: StoredMessage) -> None:
        if not self.world.bot_may_delete(chat, message):
            raise bad("message can't be deleted")
        message.deleted = True
        if message.message_id in chat.pinned:
            chat.pinned.remove(message.message_id)
        self.world.emit("deleted", message)

    async def m_deleteMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        self._delete(chat, self._message(chat, p, "message to delete not found"))
        return True

    async def m_deleteMessages(self, p: Params) -> Any:
        chat = self._chat(p)
        ids = p.array("message_ids") or []
        if not 1 <= len(ids) <= 100:
            raise bad("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            message = chat.messages.get(message_id) if isinstance(message_id, int) else None
            if message is not None and not message.deleted:
                self._delete(chat, message)
        return True

    async def m_answerCallbackQuery(self, p: Params) -> Any:
        query = self.world.callback_queries.get(p.string("callback_query_id"))
        if query is None or query.answered:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        text = p.str_or_none("text")
        if text is not None and utf16_len(text) > ANSWER_TEXT_LIMIT:
            raise bad("MESSAGE_TOO_LONG")
        query.answered = True
        query.text = text or None
        query.show_alert = p.flag("show_alert")
        query.url = p.str_or_none("url")
        self.world.emit("answer", answer=query)
        return True

    async def m_pinChatMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        message = self._message(chat, p, "message to pin not found")
        if chat.is_group and not self.world.bot_can(chat, "can_pin_messages"):
            raise bad("not enough rights to manage pinned messages in the chat")
        if message.message_id in chat.pinned:
            chat.pinned.remove(message.message_id)
        chat.pinned.append(message.message_id)
        return True

    async def m_unpinChatMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        if chat.is_group and chat.status_of(self.world.bot_user.id) != "administrator":
            raise bad("not enough rights to manage pinned messages in the chat")
        message_id = p.int_or_none("message_id")
        if message_id is None:
            if chat.pinned:
                chat.pinned.pop()
        elif message_id in chat.pinned:
            chat.pinned.remove(message_id)
        return True

    async def m_unpinAllChatMessages(self, p: Params) -> Any:
        chat = self._chat(p)
        if chat.is_group and chat.status_of(self.world.bot_user.id) != "administrator":
            raise bad("not enough rights to manage pinned messages in the chat")
        chat.pinned.clear()
        return True

    async def m_sendChatAction(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        action = p.string("action")
        if action not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        chat.last_action = action
        return True

    async def m_getFile(self, p: Params) -> Any:
        stored = self.world.files.get(p.string("file_id"))
        if stored is None:
            raise bad("invalid file_id")
        return stored.file_api()

    # -- polls -----------------------------------------------------------------------------------

    def _poll_text(self, text: str | None, parse_mode: str | None, what: str, limit: int) -> str:
        """A question or an option: entities parsed away (only custom emoji would stay)."""
        plain, _ = self._format(text or "", parse_mode, None)
        if not plain.strip():
            raise bad(f"poll {what} must be non-empty")
        if utf16_len(plain) > limit:
            raise bad(f"poll {what} length must not exceed {limit}")
        return plain

    async def m_sendPoll(self, p: Params) -> Any:
        chat = self._chat(p)
        self._writable(chat)
        thread_id = self._thread(chat, p)
        question = self._poll_text(
            p.str_or_none("question"), p.str_or_none("question_parse_mode"), "question", 300
        )
        raw_options = p.array("options") or []
        if not 1 <= len(raw_options) <= POLL_OPTIONS_LIMIT:
            raise bad(f"poll must have 1-{POLL_OPTIONS_LIMIT} options")
        options = []
        for raw in raw_options:
            if not isinstance(raw, dict):
                raise bad("can't parse InputPollOption: an object expected")
            option = self._poll_text(raw.get("text"), raw.get("text_parse_mode"), "option", 100)
            options.append(option)
        if len(set(options)) != len(options):
            raise bad("POLL_OPTION_DUPLICATE")
        kind = p.str_or_none("type") or "regular"
        if kind not in ("regular", "quiz"):
            raise bad("wrong poll type specified")
        correct = [int(i) for i in p.array("correct_option_ids") or []]
        if kind == "quiz" and not correct:
            raise bad("correct_option_ids must be specified for quiz polls")
        if any(not 0 <= i < len(options) for i in correct):
            raise bad("wrong correct option ids specified")
        anonymous = p.flag("is_anonymous") if "is_anonymous" in p else True
        revoting = p.flag("allows_revoting") if "allows_revoting" in p else kind == "regular"
        inline, other = self._markup(p)
        reply_to, thread_id = self._reply_target(chat, p, thread_id)
        poll = self.world.new_poll(
            question,
            options,
            is_anonymous=anonymous,
            type=kind,
            allows_multiple_answers=p.flag("allows_multiple_answers"),
            allows_revoting=revoting,
            is_closed=p.flag("is_closed"),
            correct_option_ids=correct,
        )
        sent = self._send(chat, {}, thread_id, reply_to, inline, other)
        return self._with_poll(chat, sent, poll)

    def _with_poll(
        self, chat: ChatRecord, sent: dict[str, Any], poll: PollRecord
    ) -> dict[str, Any]:
        message = chat.messages[sent["message_id"]]
        message.poll = poll
        return message.to_api()

    async def m_stopPoll(self, p: Params) -> Any:
        chat, message = self._bot_message(p, "message with poll to stop not found")
        poll = message.poll
        if poll is None:
            raise bad("message with poll to stop not found")
        if poll.is_closed:
            raise bad("poll has already been closed")
        inline, _ = self._markup(p)
        self._spend(chat)
        poll.is_closed = True
        self._edited(message, inline)
        return poll.to_api()

    # -- chats and members -----------------------------------------------------------------------

    async def m_getChat(self, p: Params) -> Any:
        chat = self._chat(p)
        info = chat.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.pinned:
            info["pinned_message"] = chat.messages[chat.pinned[-1]].to_api(nested=True)
        return info

    def _member(self, chat: ChatRecord, user_id: int) -> dict[str, Any]:
        if self.world.resolve_user(user_id) is None:
            raise bad("user not found")
        if chat.type == "private":
            status = "member" if user_id in (chat.id, self.world.bot_user.id) else "left"
        elif user_id == self.world.bot_user.id:
            return self.world.bot_member(chat)  # with the rights a test gave it
        else:
            status = chat.status_of(user_id)
        return self.world.member_api(user_id, status, forum=chat.is_forum)

    async def m_getChatMember(self, p: Params) -> Any:
        return self._member(self._chat(p), p.integer("user_id"))

    async def m_getChatAdministrators(self, p: Params) -> Any:
        chat = self._chat(p)
        if chat.type == "private":
            raise bad("there are no administrators in the private chat")
        return [
            self._member(chat, user_id)
            for user_id, status in chat.members.items()
            if status in ("creator", "administrator")
        ]

    async def m_getChatMemberCount(self, p: Params) -> Any:
        chat = self._chat(p)
        if chat.type == "private":
            return 2
        return sum(1 for status in chat.members.values() if status in PRESENT)

    # -- webhook delivery ------------------------------------------------------------------------

    async def _webhook_loop(self) -> None:
        world = self.world
        delay = self.webhook_retry_delay
        while not self._closing:
            hook = world.webhook
            batch = world.deliverable(1) if hook is not None else []
            if hook is None or not batch:
                await world.updates_pulse.wait(None)
                continue
            update = batch[0]
            update.delivered = True
            reply = await self._post_update(hook, update.payload)
            if world.webhook is not hook:
                continue
            if reply is None:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            delay = self.webhook_retry_delay
            world.acknowledge(update)
            values, files = reply
            method = values.pop("method", None)
            if isinstance(method, str):
                await self.call(method, values, files, via_webhook_reply=True)

    async def _post_update(
        self, hook: WebhookConfig, payload: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, UploadedFile]] | None:
        """POST one update; the webhook's reply (maybe a method to call), None on failure."""
        assert self._session is not None
        headers = {}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with self._session.post(
                hook.url, json=payload, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
            ) as resp:
                if not 200 <= resp.status < 300:
                    hook.last_error_date = self.world.now()
                    hook.last_error_message = f"Wrong response from the webhook: {resp.status}"
                    hook.last_error_message += f" {resp.reason}" if resp.reason else ""
                    return None
                return await _read_webhook_reply(resp)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            hook.last_error_date = self.world.now()
            hook.last_error_message = f"Connection failed: {type(exc).__name__}"
            return None


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton expected")
    if not isinstance(button.get("text"), str) or not button["text"]:
        raise bad("can't parse inline keyboard button: Text buttons are unallowed")
    actions = [name for name in _BUTTON_ACTIONS if name in button]
    if not actions:
        raise bad("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad("BUTTON_DATA_INVALID")
    if "url" in button:
        url = str(button["url"])
        parts = urlsplit(url if "://" in url or url.startswith("tg:") else f"http://{url}")
        if parts.scheme not in ("http", "https", "tg"):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
        if parts.scheme != "tg" and "." not in (parts.hostname or ""):
            raise bad(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


# What makes a message a user's content (copyable, forwardable) rather than a service message.
_CONTENT_KEYS = frozenset(
    {
        "text",
        "caption",
        "document",
        "photo",
        "sticker",
        "voice",
        "audio",
        "video",
        "video_note",
        "animation",
        "contact",
        "location",
        "venue",
        "dice",
    }
)


# Telegram takes photos of up to 10 MB through the Bot API.
PHOTO_MAX_BYTES = 10 * 1024 * 1024


def _is_service(message: StoredMessage) -> bool:
    if message.poll is not None:
        return False
    return not _CONTENT_KEYS & set(message.content)


async def _read_parts(
    reader: aiohttp.MultipartReader, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> None:
    while True:
        part = await reader.next()
        if part is None:
            return
        if isinstance(part, aiohttp.MultipartReader):
            await _read_parts(part, raw, files)
            continue
        name = part.name or ""
        if part.filename is not None:
            content_type = part.headers.get(aiohttp.hdrs.CONTENT_TYPE, "application/octet-stream")
            files[name] = UploadedFile(part.filename, content_type, bytes(await part.read()))
        else:
            raw[name] = await part.text()


async def _read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ValueError("a JSON object expected")
        raw.update(body)
    elif content_type.startswith("multipart/"):
        await _read_parts(await request.multipart(), raw, files)
    else:
        form = await request.post()
        raw.update({key: value for key, value in form.items() if isinstance(value, str)})
    return raw, files


async def _read_webhook_reply(
    resp: aiohttp.ClientResponse,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The webhook's answer: nothing, or a method call (JSON or a multipart form, as aiogram)."""
    raw: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    if resp.content_type == "application/json":
        body = await resp.json(content_type=None)
        if isinstance(body, dict):
            raw.update(body)
    elif resp.content_type.startswith("multipart/"):
        await _read_parts(aiohttp.MultipartReader(resp.headers, resp.content), raw, files)
    else:
        await resp.read()
    return raw, files
