"""Background rendering. Eager (in-process) without a broker; a Celery worker with REDIS_URL."""
from celery import shared_task


@shared_task(name="documents.tasks.render_document_task", ignore_result=True, acks_late=True)
def render_document_task(document_id: int) -> None:
    from .services import document_render

    document_render(document_id=document_id)
