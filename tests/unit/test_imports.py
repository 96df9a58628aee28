"""Import rules (DESIGN.md, Testing): they hold by test, not by habit.

- services (and models) import no aiogram, not even through another module of the bot;
- `bot.telegram` imports no feature;
- no feature imports another feature's router.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


@cache
def imports_of(name: str) -> frozenset[str]:
    """Modules `name` imports at run time (what `if TYPE_CHECKING:` imports is left out)."""
    path = module_path(name)
    if path is None:
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            for child in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, child, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    visit(inner)

    visit(tree.body)
    return frozenset(found)


def reachable(name: str) -> dict[str, str]:
    """Every module `name` imports, directly or through modules of the bot: module -> via."""
    seen: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        for imported in imports_of(current):
            if imported in seen:
                continue
            seen[imported] = current
            if imported.startswith("bot.") and module_path(imported) is not None:
                todo.append(imported)
    return seen


def modules(pattern: str) -> list[str]:
    return sorted(module_name(path) for path in BOT.glob(pattern))


def feature_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


@pytest.mark.parametrize(
    "service",
    modules("features/*/service.py")
    + modules("features/*/models.py")
    + ["bot.outbox.service", "bot.outbox.models"],
)
def test_services_import_no_aiogram(service: str) -> None:
    offending = {
        module: via
        for module, via in reachable(service).items()
        if module == "aiogram" or module.startswith("aiogram.")
    }
    assert offending == {}, f"{service} reaches aiogram: {offending}"


@pytest.mark.parametrize("module", modules("telegram/*.py"))
def test_bot_telegram_imports_no_feature(module: str) -> None:
    features = sorted(name for name in imports_of(module) if name.startswith("bot.features"))
    assert features == []


@pytest.mark.parametrize("module", modules("features/*/*.py"))
def test_no_feature_imports_another_features_router(module: str) -> None:
    own = feature_of(module)
    routers = sorted(
        name
        for name in imports_of(module)
        if name.startswith("bot.features.")
        and feature_of(name) != own
        and (name.split(".")[3:4] == ["router"])
    )
    assert routers == [], f"{module} imports the router of another feature"


def test_the_rules_see_imports() -> None:
    """The walker itself: it finds what a module imports (else every rule above passes)."""
    assert "bot.db.base" in imports_of("bot.features.core.models")
    assert "aiogram" in {name.split(".")[0] for name in reachable("bot.app")}
