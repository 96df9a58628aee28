"""What /forget shows before it deletes anything."""

from __future__ import annotations

from bot.features.privacy.service import Summary
from bot.i18n import Translator


def forget_card(t: Translator, found: Summary) -> str:
    """The confirmation: what goes, with counts; what is anonymised; what stays."""
    lines = [t("privacy-forget-title")]
    if found.profile:
        lines.append(t("privacy-forget-profile"))
    if found.card:
        lines.append(t("privacy-forget-card"))
    counted = (
        ("privacy-forget-words", found.word_pairs),
        ("privacy-forget-sessions", found.sessions),
        ("privacy-forget-coffee", found.coffee),
        ("privacy-forget-archive", found.archive),
        ("privacy-forget-topics", found.topics),
        ("privacy-forget-proposals", found.proposals),
        ("privacy-forget-votes", found.votes),
    )
    lines.extend(t(key, count=str(count)) for key, count in counted if count)
    if found.empty:
        lines.append(t("privacy-forget-nothing"))
    lines.append(t("privacy-forget-footer"))
    return "\n".join(lines)
