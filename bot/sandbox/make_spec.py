"""Regenerate bot_api_spec.json from the published spec: python -m bot.sandbox.make_spec PATH.

Only the methods the sandbox implements are kept, with every type they reach through their
parameters and results (and Update), so the package never needs the full spec at run time.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from bot.sandbox.spec import DISCRIMINATOR_FIELDS, IMPLEMENTED_METHODS, SPEC_PATH

_CONST = re.compile(r'(?:must be|always) "?([a-z_]+)"?')


def _type_names(type_expr: str) -> list[str]:
    return [part for part in type_expr.replace("Array of ", "").split() if part[:1].isupper()]


def _field(raw: dict[str, Any], in_union_member: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": raw["name"],
        "types": list(raw["types"]),
        "required": bool(raw["required"]),
    }
    if in_union_member and raw["name"] in DISCRIMINATOR_FIELDS:
        match = _CONST.search(raw.get("description", ""))
        if match:
            out["const"] = match.group(1)
    return out


def extract(full: dict[str, Any]) -> dict[str, Any]:
    methods_in = full["methods"]
    types_in = full["types"]
    missing = [name for name in IMPLEMENTED_METHODS if name not in methods_in]
    if missing:
        raise SystemExit(f"methods missing from the spec: {missing}")

    union_members = {sub for item in types_in.values() for sub in item.get("subtypes") or ()}
    wanted: set[str] = set()

    def reach(type_expr: str) -> None:
        for name in _type_names(type_expr):
            if name in wanted or name not in types_in:
                continue
            wanted.add(name)
            for raw in types_in[name].get("fields", []):
                for inner in raw["types"]:
                    reach(inner)
            for sub in types_in[name].get("subtypes") or ():
                reach(sub)

    methods: dict[str, Any] = {}
    for name in IMPLEMENTED_METHODS:
        item = methods_in[name]
        for raw in item.get("fields", []):
            for type_expr in raw["types"]:
                reach(type_expr)
        for type_expr in item["returns"]:
            reach(type_expr)
        methods[name] = {
            "fields": [_field(raw, False) for raw in item.get("fields", [])],
            "returns": list(item["returns"]),
        }
    reach("Update")

    types: dict[str, Any] = {}
    for name in sorted(wanted):
        item = types_in[name]
        entry: dict[str, Any] = {
            "fields": [_field(raw, name in union_members) for raw in item.get("fields", [])]
        }
        if item.get("subtypes"):
            entry["subtypes"] = list(item["subtypes"])
        types[name] = entry
    return {
        "version": full["version"],
        "all_methods": sorted(methods_in),
        "methods": methods,
        "types": types,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path, help="the published spec (telegram-bot-api.json)")
    parser.add_argument("--out", type=Path, default=SPEC_PATH)
    args = parser.parse_args(argv)
    data = extract(json.loads(args.source.read_text(encoding="utf-8")))
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(data['methods'])} methods, {len(data['types'])} types")


if __name__ == "__main__":
    main()
