"""Background work for payments, through the django-tasks API (immediate in development, a worker in production)."""

from django_tasks import task


@task()
def send_refund_task(refund_id):
    """Ask Mollie to pay one refund back; nothing happens when it was sent already."""
    from .services import send_refund

    return send_refund(refund_id)
