"""Celery app. Settings come from Django's (CELERY_* names): eager without REDIS_URL, Redis with it;
beat runs core.tasks.sweep_deadlines_task every minute (CELERY_BEAT_SCHEDULE).
`make worker` starts a worker with embedded beat."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("xieshang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
