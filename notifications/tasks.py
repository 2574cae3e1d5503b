from celery import shared_task

from . import services


@shared_task(
    name="notifications.tasks.send_notification_emails",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=30,
    time_limit=60,
)
def send_notification_emails(notification_ids):
    return services.notification_send_emails(notification_ids=notification_ids)
