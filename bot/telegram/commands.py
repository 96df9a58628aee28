"""The command registry: what each command is for, where it works and who may use it.

One list feeds the command menus (set_my_commands per scope and language), /help, and the
answers to a command used in the wrong chat or by someone not allowed to use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Where(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    ANYWHERE = "anywhere"


class Who(StrEnum):
    EVERYONE = "everyone"
    MEMBER = "member"
    ADMIN = "admin"  # community admins (ADMIN_IDS ∪ community chat administrators)
    GROUP_ADMIN = "group_admin"  # administrators of the group the command is used in


@dataclass(frozen=True)
class CommandSpec:
    name: str
    where: Where
    who: Who = Who.EVERYONE
    menu: bool = True  # shown in the command menu and /help

    @property
    def description_key(self) -> str:
        return f"cmd-{self.name.replace('_', '-')}"

    def works_in(self, chat_type: str) -> bool:
        if self.where is Where.ANYWHERE:
            return True
        is_private = chat_type == "private"
        return is_private if self.where is Where.PRIVATE else not is_private


@dataclass(frozen=True)
class CommandRegistry:
    commands: tuple[CommandSpec, ...]

    @classmethod
    def of(cls, groups: Iterable[Sequence[CommandSpec]]) -> CommandRegistry:
        seen: dict[str, CommandSpec] = {}
        for group in groups:
            for spec in group:
                if spec.name in seen:
                    raise ValueError(f"command /{spec.name} registered twice")
                seen[spec.name] = spec
        return cls(tuple(seen.values()))

    def get(self, name: str) -> CommandSpec | None:
        for spec in self.commands:
            if spec.name == name:
                return spec
        return None

    def visible(self, chat_type: str, *, is_admin: bool) -> list[CommandSpec]:
        """Commands a user can use in this kind of chat (for /help)."""
        return [
            spec
            for spec in self.commands
            if spec.menu and spec.works_in(chat_type) and (is_admin or spec.who is not Who.ADMIN)
        ]

    def menu(self, where: Where, *, admin: bool) -> list[CommandSpec]:
        """Commands for a menu scope: private chats, group chats, or an admin's private chat."""
        chat_type = "private" if where is Where.PRIVATE else "group"
        return self.visible(chat_type, is_admin=admin)
