"""The Bot API methods and types the sandbox knows (copied from the published spec) and checks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("bot_api_spec.json")

#: Every method the fake server answers. `make_spec.py` copies exactly these from the spec.
IMPLEMENTED_METHODS: tuple[str, ...] = (
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyName",
    "getMyName",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "setChatMenuButton",
    "getChatMenuButton",
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendPoll",
    "stopPoll",
    "forwardMessage",
    "copyMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "pinChatMessage",
    "unpinChatMessage",
    "unpinAllChatMessages",
    "sendChatAction",
    "getFile",
    "getChat",
    "getChatMember",
    "getChatMemberCount",
    "getChatAdministrators",
)

#: Fields of a union's members that name the member (`"type": "chat"`, `"status": "creator"`).
DISCRIMINATOR_FIELDS = ("type", "status", "source")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    const: str | None = None


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    subtypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, FieldSpec]
    returns: tuple[str, ...]


def _fields(raw: list[dict[str, Any]]) -> dict[str, FieldSpec]:
    return {
        item["name"]: FieldSpec(
            name=item["name"],
            types=tuple(item["types"]),
            required=bool(item["required"]),
            const=item.get("const"),
        )
        for item in raw
    }


class BotApiSpec:
    """Method signatures and type definitions, with a checker for values against them."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.version: str = data["version"]
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(item.get("fields", [])), tuple(item["returns"]))
            for name, item in data["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(name, _fields(item.get("fields", [])), tuple(item.get("subtypes", ())))
            for name, item in data["types"].items()
        }
        self.all_methods: frozenset[str] = frozenset(data.get("all_methods", self.methods))
        self._by_lower = {name.lower(): spec for name, spec in self.methods.items()}
        self._all_lower = {name.lower(): name for name in self.all_methods}

    @classmethod
    def load(cls, path: Path | None = None) -> BotApiSpec:
        return cls(json.loads((path or SPEC_PATH).read_text(encoding="utf-8")))

    def method(self, name: str) -> MethodSpec | None:
        """The method by name; Telegram matches method names case-insensitively."""
        return self._by_lower.get(name.lower())

    def published_name(self, name: str) -> str | None:
        """The spelling in the spec of any published method, implemented or not."""
        return self._all_lower.get(name.lower())

    # -- checking ------------------------------------------------------------------------------

    def check(self, value: Any, type_expr: str, path: str, extra_ok: bool = False) -> str | None:
        """None when `value` fits `type_expr` ("Integer", "Array of Message", ...), else why not.

        extra_ok accepts object fields the spec does not list (results may be newer than it).
        """
        if type_expr.startswith("Array of "):
            if not isinstance(value, list):
                return f"{path} must be an Array"
            inner = type_expr.removeprefix("Array of ")
            for index, item in enumerate(value):
                problem = self.check(item, inner, f"{path}[{index}]", extra_ok)
                if problem:
                    return problem
            return None
        simple = _SIMPLE_CHECKS.get(type_expr)
        if simple is not None:
            return None if simple(value) else f"{path} must be {_a(type_expr)}"
        return self._check_object(value, type_expr, path, extra_ok)

    def check_any(
        self, value: Any, types: tuple[str, ...], path: str, extra_ok: bool = False
    ) -> str | None:
        problems = [self.check(value, type_expr, path, extra_ok) for type_expr in types]
        if any(problem is None for problem in problems):
            return None
        if len(problems) == 1:
            return problems[0]
        if isinstance(value, dict):
            # Report against the object type the value most looks like (most shared field names).
            objects = [(t, p) for t, p in zip(types, problems, strict=True) if t in self.types]
            if objects:
                best = max(objects, key=lambda item: len(set(value) & self._names(item[0])))
                return best[1]
        return f"{path} must be one of: {', '.join(types)}"

    def _names(self, type_name: str) -> set[str]:
        spec = self.types[type_name]
        names = set(spec.fields)
        for sub in spec.subtypes:
            names |= self._names(sub) if sub in self.types else set()
        return names

    def _check_object(self, value: Any, type_name: str, path: str, extra_ok: bool) -> str | None:
        spec = self.types.get(type_name)
        if not isinstance(value, dict):
            return f"{path} must be a JSON object ({type_name})"
        if spec is None:
            return None
        if spec.subtypes:
            return self._check_union(value, spec, path, extra_ok)
        for key in value:
            if key not in spec.fields and not extra_ok:
                return f'{path} has unknown field "{key}" (not in {type_name})'
        for name, fspec in spec.fields.items():
            if name not in value:
                if fspec.required:
                    return f'{path} lacks required field "{name}" of {type_name}'
                continue
            if fspec.const is not None and value[name] != fspec.const:
                return f'{path}.{name} must be "{fspec.const}" in {type_name}'
            problem = self.check_any(value[name], fspec.types, f"{path}.{name}", extra_ok)
            if problem:
                return problem
        return None

    def _check_union(
        self, value: dict[str, Any], spec: TypeSpec, path: str, extra_ok: bool
    ) -> str | None:
        for subtype in spec.subtypes:
            sub = self.types.get(subtype)
            if sub is None:
                continue
            for discriminator in DISCRIMINATOR_FIELDS:
                fspec = sub.fields.get(discriminator)
                if fspec and fspec.const is not None and value.get(discriminator) == fspec.const:
                    return self._check_object(value, subtype, path, extra_ok)
        problems = [self._check_object(value, subtype, path, extra_ok) for subtype in spec.subtypes]
        if any(problem is None for problem in problems):
            return None
        return f"{path} matches none of {', '.join(spec.subtypes)}"

    # -- request parameters ------------------------------------------------------------------

    def decode_params(
        self,
        method: MethodSpec,
        raw: dict[str, Any],
        files: dict[str, UploadedFile],
    ) -> tuple[dict[str, Any], list[str]]:
        """Typed parameter values from form strings (or JSON values), and what is wrong with them.

        Form fields arrive as text: strings as they are, everything else JSON-encoded, files as
        "attach://<part>" references to multipart parts (or a part named like the parameter).
        """
        values: dict[str, Any] = {}
        problems: list[str] = []
        used_parts: set[str] = set()
        for name, value in raw.items():
            fspec = method.fields.get(name)
            if fspec is None:
                problems.append(f'unknown parameter "{name}"')
                values[name] = value
                continue
            decoded, problem = self._decode(value, fspec, files, used_parts)
            values[name] = decoded
            if problem:
                problems.append(problem)
        for name, upload in files.items():
            fspec = method.fields.get(name)
            if name in used_parts or name in values:
                continue
            if fspec is not None and "InputFile" in fspec.types:
                values[name] = upload
            else:
                problems.append(f'file part "{name}" is not referenced by any parameter')
        for name, fspec in method.fields.items():
            if fspec.required and name not in values:
                problems.append(missing_parameter(method.name, name))
        return values, problems

    def _decode(
        self,
        value: Any,
        fspec: FieldSpec,
        files: dict[str, UploadedFile],
        used_parts: set[str],
    ) -> tuple[Any, str | None]:
        types, name = fspec.types, fspec.name
        if isinstance(value, UploadedFile):
            if "InputFile" in types:
                return value, None
            return value, f'parameter "{name}" cannot be a file'
        if not isinstance(value, str):  # a JSON body: values are already typed
            problem = self.check_any(value, types, name)
            if problem and "String" in types and _is_number(value):
                return str(value), None  # Telegram reads numbers as strings where it wants text
            return value, problem
        if "InputFile" in types and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part in files:
                used_parts.add(part)
                return files[part], None
            return value, f'parameter "{name}": no file part "{part}" for {value}'
        for type_expr in types:
            if type_expr in ("String", "InputFile"):
                continue
            if type_expr == "Boolean" and value.lower() in _BOOL_WORDS:
                return _BOOL_WORDS[value.lower()], None
            try:
                parsed = json.loads(value)
            except ValueError:
                continue
            if self.check(parsed, type_expr, name) is None:
                return parsed, None
        if "String" in types or "InputFile" in types:
            return value, None
        try:
            parsed = json.loads(value)
        except ValueError:
            return value, f'parameter "{name}" must be {" or ".join(types)}, got {value!r}'
        return value, self.check_any(parsed, types, name)


_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}

_MISSING = {
    ("sendMessage", "text"): "message text is empty",
    ("editMessageText", "text"): "message text is empty",
}


def missing_parameter(method: str, name: str) -> str:
    """Telegram's wording for a missing required parameter where known."""
    return _MISSING.get((method, name), f"{name} is empty")


def _a(type_expr: str) -> str:
    return {"Integer": "an Integer", "InputFile": "an InputFile"}.get(type_expr, f"a {type_expr}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_SIMPLE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Integer": _is_int,
    "Float": _is_number,
    "Boolean": lambda value: isinstance(value, bool),
    "True": lambda value: value is True,
    "String": lambda value: isinstance(value, str),
    # Inside JSON objects (InputMedia) a file is an "attach://name" string or a file_id.
    "InputFile": lambda value: isinstance(value, UploadedFile | str),
}


@cache
def default_spec() -> BotApiSpec:
    """The spec copy shipped in this package (read once)."""
    return BotApiSpec.load()
