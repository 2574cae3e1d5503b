"""Bench settings: the project's settings with the channels-redis pub/sub layer (what REDIS_URL selects)."""
from config.settings import *  # noqa: F401,F403
from config.settings import REDIS_URL

CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
