"""The newsletter's step in the periodic run (``booking.periodic.register_step``, from NewsConfig.ready)."""

from booking.periodic import register_step

from .services import mailings


def newsletter_step(now):
    return {"newsletter_emails_queued": mailings.continue_sending(now)}


register_step(newsletter_step, labels={"newsletter_emails_queued": "Nieuwsbrieven klaargezet"})
