"""FSM storage: RedisStorage when REDIS_URL is set, else the SQL storage in the bot's database."""

from bot.fsm.factory import FsmBundle, build_fsm
from bot.fsm.models import FsmRecord
from bot.fsm.sql import SqlStorage, default_key_builder

__all__ = ["FsmBundle", "FsmRecord", "SqlStorage", "build_fsm", "default_key_builder"]
