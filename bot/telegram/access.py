"""Who may do what: admins and members of the community, checked in one place.

admin  = ADMIN_IDS ∪ administrators of COMMUNITY_CHAT_ID (cached for a few minutes)
member = present in COMMUNITY_CHAT_ID (everyone when no community chat is configured)

Both caches are bounded: memberships for a minute, of the most recent MEMBER_CACHE_SIZE users
(a user seen once costs nothing after that), administrators of the most recent
ADMIN_CACHE_CHATS chats.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from cachetools import LRUCache, TTLCache

log = logging.getLogger(__name__)

ADMIN_CACHE_SECONDS = 300.0
ADMIN_CACHE_CHATS = 1000
MEMBER_CACHE_SECONDS = 60.0
MEMBER_CACHE_SIZE = 10_000
_PRESENT = {
    ChatMemberStatus.CREATOR,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.RESTRICTED,
}


class Access:
    def __init__(
        self,
        bot: Bot,
        *,
        admin_ids: Iterable[int],
        community_chat_id: int | None,
        clock: Callable[[], float] = time.monotonic,
        member_cache_size: int = MEMBER_CACHE_SIZE,
    ) -> None:
        self.bot = bot
        self.admin_ids = frozenset(admin_ids)
        self.community_chat_id = community_chat_id
        self.clock = clock
        # chat -> (valid until, its administrators); an expired entry is the fallback when
        # Telegram cannot be asked.
        self._chat_admins: LRUCache[int, tuple[float, frozenset[int]]] = LRUCache(
            maxsize=ADMIN_CACHE_CHATS
        )
        # user -> present in the community chat
        self._members: TTLCache[int, bool] = TTLCache(
            maxsize=member_cache_size, ttl=MEMBER_CACHE_SECONDS, timer=clock
        )

    async def chat_admins(self, chat_id: int) -> frozenset[int]:
        cached = self._chat_admins.get(chat_id)
        now = self.clock()
        if cached and cached[0] > now:
            return cached[1]
        try:
            admins = await self.bot.get_chat_administrators(chat_id)
            # Bots (this one included) are no admins of ours: no commands, no admin menu.
            ids = frozenset(member.user.id for member in admins if not member.user.is_bot)
        except TelegramAPIError as exc:
            log.warning("cannot read administrators of chat %s: %s", chat_id, exc)
            ids = cached[1] if cached else frozenset()
        self._chat_admins[chat_id] = (now + ADMIN_CACHE_SECONDS, ids)
        return ids

    async def is_admin(self, user_id: int) -> bool:
        """An admin of the community: listed in ADMIN_IDS or an administrator of its chat."""
        if user_id in self.admin_ids:
            return True
        if self.community_chat_id is None:
            return False
        return user_id in await self.chat_admins(self.community_chat_id)

    async def is_group_admin(self, chat_id: int, user_id: int) -> bool:
        """An admin of a given group (for group commands): its administrators or ADMIN_IDS."""
        return user_id in self.admin_ids or user_id in await self.chat_admins(chat_id)

    async def is_member(self, user_id: int) -> bool:
        if self.community_chat_id is None or user_id in self.admin_ids:
            return True
        cached = self._members.get(user_id)
        if cached is not None:
            return cached
        try:
            member = await self.bot.get_chat_member(self.community_chat_id, user_id)
            present = member.status in _PRESENT
        except TelegramAPIError as exc:
            log.warning("cannot read membership of %s: %s", user_id, exc)
            present = False
        self._members[user_id] = present
        return present

    def member_changed(self, user_id: int) -> None:
        """Drop a user's cached membership (they left or were removed: read it anew)."""
        self._members.pop(user_id, None)

    def forget(self, chat_id: int) -> None:
        """Drop cached admins of a chat (after a chat_member update, a migration…)."""
        self._chat_admins.pop(chat_id, None)
