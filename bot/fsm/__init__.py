"""FSM storage: one record (state + data) per user and chat, in Redis when REDIS_URL is set,
else in the bot's SQL database; read once and written once per update (bot.fsm.frame)."""

from bot.fsm.factory import FsmBundle, build_fsm
from bot.fsm.frame import FramedStorage, FsmMiddleware
from bot.fsm.models import FsmRecord
from bot.fsm.redis import RedisFsmStorage
from bot.fsm.sql import SqlStorage, default_key_builder

__all__ = [
    "FramedStorage",
    "FsmBundle",
    "FsmMiddleware",
    "FsmRecord",
    "RedisFsmStorage",
    "SqlStorage",
    "build_fsm",
    "default_key_builder",
]
