"""Background work through the django-tasks API (immediate in development, a worker in production)."""

from django_tasks import task

from . import notifications


@task()
def deliver_email(email_id):
    return notifications.deliver(email_id)
