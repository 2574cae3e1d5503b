"""Bench settings: the project's settings with the channels-redis core layer (lists + Lua), for comparison."""
from config.settings import *  # noqa: F401,F403
from config.settings import REDIS_URL

CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL], "capacity": 1500}}
}
