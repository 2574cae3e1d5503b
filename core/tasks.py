from celery import shared_task

from . import sweep


@shared_task(name="core.tasks.sweep_deadlines_task", ignore_result=True)
def sweep_deadlines_task():
    return sweep.run_all()
